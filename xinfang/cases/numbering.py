"""Case numbers as the bureau prints them, from a per-org, per-year counter."""

from django.db import connection

from xinfang.cases.models import CaseCounter


def number_prefix(org) -> str:
    return org.short_name or org.name


def _upsert_sql(step: str = "1") -> str:
    qn = connection.ops.quote_name
    table = qn(CaseCounter._meta.db_table)
    columns = {f.name: qn(f.column) for f in CaseCounter._meta.concrete_fields}
    org, year, value = columns["org"], columns["year"], columns["value"]
    # One statement, one round trip: the first case of a year inserts the row, every other one
    # increments it. PostgreSQL locks the conflicting row until the registration commits, so a
    # concurrent registration waits and takes the next value (never max()+1, which races);
    # SQLite has one writer at a time. A rolled-back registration rolls its increment back.
    return (
        f"INSERT INTO {table} ({org}, {year}, {value}) VALUES (%s, %s, {step}) "  # noqa: S608 — names from the model
        f"ON CONFLICT ({org}, {year}) DO UPDATE SET {value} = {table}.{value} + {step} RETURNING {value}"
    )


def next_case_number(org, year: int) -> str:
    """Allocate the next number of ``org`` in ``year`` (inside the registration's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [org.pk, year])
        (value,) = cursor.fetchone()
    return f"{number_prefix(org)}〔{year}〕{value:05d}号"


def next_case_numbers(org, year: int, count: int) -> list[str]:
    """Allocate ``count`` consecutive numbers of ``org`` in ``year`` in one statement (a ledger import's batch)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql("%s"), [org.pk, year, count, count])
        (last,) = cursor.fetchone()
    prefix = number_prefix(org)
    return [f"{prefix}〔{year}〕{value:05d}号" for value in range(last - count + 1, last + 1)]
