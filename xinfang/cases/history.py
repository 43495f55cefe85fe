"""Checking the hash chains: every case's history and every day of the security audit log.

``verify`` walks the chains (``cases.events``, ``orgs.audit``; the
serialisation is ``core.chain``'s) and the database triggers that guard
them, and returns what is broken: for each broken chain its first broken
link. ``manage.py verify_history`` prints it. The cases are read in id
order, a few thousand at a time, each with its events in chain order (the
unique (case, seq) index), so memory stays flat over millions of events.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from xinfang.cases.events import EVENT_FIELDS, event_hash
from xinfang.cases.models import Case, CaseEvent
from xinfang.core import chain
from xinfang.orgs.audit import AUDIT_FIELDS, audit_hash
from xinfang.orgs.models import AuditEvent

CASE_BATCH = 2000

EVENTS_TABLE = CaseEvent._meta.db_table
AUDIT_TABLE = AuditEvent._meta.db_table
# The triggers that refuse changes (migrations cases 0010 and 0012, orgs 0005).
GUARDS = {
    "postgresql": {
        EVENTS_TABLE: "cases_caseevent_append_only",
        AUDIT_TABLE: "orgs_auditevent_append_only",
    },
    "sqlite": {
        EVENTS_TABLE: "cases_caseevent_no_update",
        AUDIT_TABLE: "orgs_auditevent_no_update",
    },
}


@dataclass(frozen=True)
class Broken:
    """One broken chain: the table, whose chain it is (a case or a day) and its first broken link."""

    table: str
    where: str
    link: chain.Break

    def __str__(self) -> str:
        return f"{self.table}｜{self.where}｜{self.link}"


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    days: int = 0
    audit_rows: int = 0
    broken_cases: int = 0
    broken_days: int = 0
    broken: list[Broken] = field(default_factory=list)  # up to the caller's limit
    guards: list[str] = field(default_factory=list)  # missing or disabled triggers

    @property
    def ok(self) -> bool:
        return not (self.broken_cases or self.broken_days or self.guards)


def verify(
    *,
    case_ids: list[int] | None = None,
    since: date | None = None,
    until: date | None = None,
    events: bool = True,
    audit: bool = True,
    limit: int = 20,
) -> Report:
    """Check the chains (all, one set of cases, or those touching a range of local dates)."""
    report = Report()
    if events:
        _verify_events(report, case_ids, since, until, limit)
    if audit:
        _verify_audit(report, since, until, limit)
    report.guards = missing_guards()
    return report


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _case_batches(case_ids, since, until) -> Iterator[list[tuple[int, str, int]]]:
    cases = Case.objects.order_by("pk")
    if since is not None or until is not None:
        touched = CaseEvent.objects.all()
        if since is not None:
            touched = touched.filter(at__gte=_day_start(since))
        if until is not None:
            touched = touched.filter(at__lt=_day_start(until + timedelta(days=1)))
        # The cases first (by the index on `at`), then their chains whole.
        found = set(touched.values_list("case_id", flat=True).distinct())
        case_ids = sorted(found if case_ids is None else found & set(case_ids))
    if case_ids is not None:
        for start in range(0, len(case_ids), CASE_BATCH):
            chunk = case_ids[start : start + CASE_BATCH]
            batch = list(cases.filter(pk__in=chunk).values_list("pk", "number", "version"))
            if batch:
                yield batch
        return
    last = 0
    while True:
        batch = list(cases.filter(pk__gt=last).values_list("pk", "number", "version")[:CASE_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _verify_events(report: Report, case_ids, since, until, limit) -> None:
    # Plain SQL rows rather than the ORM's: event_hash takes the stored text of
    # `at` and `data` as they come, which saves half the time over millions.
    columns = ", ".join(("id", "seq", "prev_hash", "row_hash", *EVENT_FIELDS))
    full_scan = case_ids is None and since is None and until is None
    with connection.cursor() as cur:
        for batch in _case_batches(case_ids, since, until):
            ids = [pk for pk, _number, _version in batch]
            rows: dict[int, list[chain.Row]] = {pk: [] for pk in ids}
            if full_scan:
                where, params = "case_id BETWEEN %s AND %s", [ids[0], ids[-1]]
            else:
                where, params = f"case_id IN ({', '.join(['%s'] * len(ids))})", ids
            cur.execute(f"SELECT {columns} FROM {EVENTS_TABLE} WHERE {where}", params)  # noqa: S608
            while chunk := cur.fetchmany(5000):
                for row in chunk:
                    content = dict(zip(EVENT_FIELDS, row[4:], strict=True))
                    rows[content["case_id"]].append((row[0], row[1], row[2], row[3], content))
            for pk, number, version in batch:
                report.cases += 1
                report.events += len(rows[pk])
                link = chain.first_break(rows[pk], seal=_seal_event, expected=version)
                if link is not None:
                    report.broken_cases += 1
                    if len(report.broken) < limit:
                        where_ = f"信访件 {number}（id {pk}）"
                        report.broken.append(Broken(f"办理记录（{EVENTS_TABLE}）", where_, link))


def _seal_event(prev_hash: str, content: Mapping[str, Any]) -> str:
    return event_hash(prev_hash, **content)


def _verify_audit(report: Report, since, until, limit) -> None:
    rows = AuditEvent.objects.order_by("day", "seq")
    if since is not None:
        rows = rows.filter(day__gte=since)
    if until is not None:
        rows = rows.filter(day__lte=until)
    day: date | None = None
    chain_rows: list[chain.Row] = []

    def close() -> None:
        if day is None:
            return
        report.days += 1
        link = chain.first_break(chain_rows, seal=audit_hash)
        if link is not None:
            report.broken_days += 1
            if len(report.broken) < limit:
                report.broken.append(Broken(f"安全审计记录（{AUDIT_TABLE}）", f"{day:%Y-%m-%d}", link))

    for row in rows.values_list("pk", "seq", "prev_hash", "row_hash", *AUDIT_FIELDS).iterator(chunk_size=5000):
        content = dict(zip(AUDIT_FIELDS, row[4:], strict=True))
        if content["day"] != day:
            close()
            day, chain_rows = content["day"], []
        chain_rows.append((row[0], row[1], row[2], row[3], content))
        report.audit_rows += 1
    close()


def missing_guards() -> list[str]:
    """The append-only triggers that are missing or disabled, in Chinese (none expected)."""
    expected = GUARDS.get(connection.vendor)
    if not expected:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
                [list(expected.values())],
            )
            found = dict(cur.fetchall())
        else:
            cur.execute("SELECT name, 'O' FROM sqlite_master WHERE type = 'trigger'")
            found = dict(cur.fetchall())
    problems = []
    for table, name in expected.items():
        if name not in found:
            problems.append(f"{table} 的保护触发器 {name} 不存在")
        elif found[name] == "D":
            problems.append(f"{table} 的保护触发器 {name} 已停用")
    return problems
