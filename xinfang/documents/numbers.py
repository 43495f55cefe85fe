"""文号: one serial per (issuing org, kind, year), handed out race-free.

The counter row is advanced by a single ``UPDATE ... SET last = last + 1``
inside the issuing transaction and read back afterwards: the UPDATE takes the
row's write lock (PostgreSQL) or the database's (SQLite) before anything is
read, so two issues can never read the same value; the second waits for the
first to commit or roll back. The unique constraint on the document's
(org, kind, year, serial) is the last guard.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.documents.models import DEFAULT_PREFIX_LETTER, DocumentCounter, DocumentKind, DocumentNumberPrefix


def prefix_for(org, kind: str) -> str:
    """The admin's prefix for this org and kind, else the org's short name and the kind's letter."""
    found = DocumentNumberPrefix.objects.filter(org=org, kind=kind).values_list("prefix", flat=True).first()
    if found:
        return found
    stem = org.short_name or org.name[:2]
    return f"{stem}{DEFAULT_PREFIX_LETTER[DocumentKind(kind)]}"


def format_number(prefix: str, year: int, serial: int) -> str:
    """清信转〔2026〕15号 (GB/T 9704 7.2.4: hexagonal brackets, no leading zeros)."""
    return f"{prefix}〔{year}〕{serial}号"


def allocate(org, kind: str, year: int) -> int:
    """The next serial; must run inside the transaction that saves the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate must run inside the issuing transaction")
    counter = DocumentCounter.objects.filter(org=org, kind=kind, year=year)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():  # a savepoint: a concurrent first issue may create it first
                DocumentCounter.objects.create(org=org, kind=kind, year=year, last=1)
                return 1
        except IntegrityError:
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()
