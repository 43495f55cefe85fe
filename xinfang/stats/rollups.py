"""Rollup tables for the monthly statistics: additive counts stored per (unit, category, channel, kind, urgency, day).

Design (docs/metrics.md, "Rollups"):

* Additive counts are stored, rates never: a rate is a ratio of two additive counts,
  summed over the rows first and divided last (``metrics.figures`` does the dividing).
* ``ReceiptRollup`` holds the 收件 family: 件 (cases), 人次 (persons), the visits'
  batches and person visits (the rows with channel = visit), 集体访 batches and persons,
  重复件 (初信初访 = cases − repeat), 越级件, 领导批示件, and the channel and kind
  shares. The day is the local (Asia/Shanghai) date of ``received_at``; the unit is the
  case's competent org, else its current org, exactly as the monthly table groups.
* Rows are per unit (leaf or not: a case handled by a county's own office is stored on
  the county); an org's figure is the sum over the ids of its subtree, found by the
  materialised ``Org.path`` prefix, so no recursion and one indexed query.
* Not stored yet: counts dated by another date (accepted/replied/closed/decided in the
  period, handling deadlines judged, reviews) and the stock 期初积案. They need their own
  day tables (an event-day table per date kind; the backlog as opened − closed before the
  start, per unit) and are still computed by the direct queries in ``metrics``.

Maintenance: a case's received day never changes, but its unit, category, kind,
urgency and flags can (forwarding, assignment, correction). So the incremental step is
"recompute the received days of the cases that had an event": delete that day's rows
and insert them again from a GROUP BY over that day's cases. It runs as the
``stats-rollups`` consumer of the case-event outbox (xinfang/cases/outbox.py), which
applies each event in its own transaction together with marking it done: a worker
killed mid-way leaves the day either as it was or recomputed, and a replay recomputes
the same day again, so the step is idempotent and the figures stay exact. Raw rows
written outside the actions (devdata's scale generator, imports) are covered by
``manage.py recompute_rollups``, which rebuilds everything from the cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.states import Channel, Kind
from xinfang.orgs.models import Org
from xinfang.stats.models import ReceiptRollup
from xinfang.stats.periods import Period

CONSUMER = "stats-rollups"
KEY = ("day", "org_id", "category_id", "channel", "kind", "urgency")
BATCH = 2000

# The counts stored per row, as aggregates over the cases of a key.
_VISIT = Q(channel=Channel.VISIT)
_AGGREGATES = {
    "cases": Count("pk"),
    "persons": Coalesce(Sum("person_count"), Value(0)),
    "collective": Count("pk", filter=_VISIT & Q(is_collective=True)),
    "collective_persons": Coalesce(Sum("person_count", filter=_VISIT & Q(is_collective=True)), Value(0)),
    "repeat": Count("pk", filter=Q(repeat_of__isnull=False)),
    "skip_level": Count("pk", filter=Q(is_skip_level=True)),
    "leader_instructed": Count("pk", filter=~Q(leader_instruction="")),
}

# The base counts of ``metrics.aggregates`` these rows answer exactly.
RECEIPT_CODES = (
    "total",
    "persons",
    "visit_batches",
    "visit_persons",
    "collective_batches",
    "collective_persons",
    "first",
    "repeat",
    "skip_level",
    "leader_instructed",
    *(f"channel_{code}" for code in Channel.values),
    *(f"kind_{code}" for code in Kind.values),
)


def _grouped(cases) -> Iterable[ReceiptRollup]:
    rows = (
        cases.order_by()
        .annotate(day=TruncDate("received_at"), org_id_=Coalesce("competent_org_id", "current_org_id"))
        .values("day", "org_id_", "category_id", "channel", "kind", "urgency")
        .annotate(**_AGGREGATES)
    )
    for row in rows.iterator(chunk_size=BATCH):
        row["org_id"] = row.pop("org_id_")
        yield ReceiptRollup(**row)


def _insert(rows: Iterable[ReceiptRollup]) -> int:
    n = 0
    batch: list[ReceiptRollup] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            ReceiptRollup.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    ReceiptRollup.objects.bulk_create(batch)
    return n + len(batch)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    first = timezone.make_aware(datetime.combine(day, time.min))
    return first, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def recompute_all() -> int:
    """Rebuild every rollup row from the cases (one GROUP BY); returns the number of rows written."""
    with transaction.atomic():
        ReceiptRollup.objects.all().delete()
        return _insert(_grouped(Case.objects.all()))


def recompute_days(days: Iterable[date]) -> None:
    """Rebuild the rows of these received days (the incremental step; idempotent)."""
    for day in sorted(set(days)):
        first, after = _day_bounds(day)
        with transaction.atomic():
            ReceiptRollup.objects.filter(day=day).delete()
            _insert(_grouped(Case.objects.filter(received_at__gte=first, received_at__lt=after)))


def on_case_event(event) -> None:
    """The outbox handler: the event's case may have changed unit or facts, so its received day is recomputed."""
    received = Case.objects.filter(pk=event.case_id).values_list("received_at", flat=True).first()
    if received is not None:
        recompute_days([timezone.localdate(received)])


def receipt_counts(org: Org, period: Period, *, channel: str = "", kind: str = "") -> dict[str, int]:
    """The 收件 base counts of ``org``'s subtree in the period, summed from the rollups (a few hundred rows)."""
    rows = ReceiptRollup.objects.filter(
        day__gte=period.start, day__lte=period.end, org__path__startswith=org.path
    ).order_by()
    if channel:
        rows = rows.filter(channel=channel)
    if kind:
        rows = rows.filter(kind=kind)
    sums = {name: Coalesce(Sum(name), Value(0)) for name in _AGGREGATES}
    out = dict.fromkeys(RECEIPT_CODES, 0)
    for row in rows.values("channel", "kind").annotate(**sums):
        out["total"] += row["cases"]
        out["persons"] += row["persons"]
        if row["channel"] == Channel.VISIT:
            out["visit_batches"] += row["cases"]
            out["visit_persons"] += row["persons"]
        out["collective_batches"] += row["collective"]
        out["collective_persons"] += row["collective_persons"]
        out["first"] += row["cases"] - row["repeat"]
        out["repeat"] += row["repeat"]
        out["skip_level"] += row["skip_level"]
        out["leader_instructed"] += row["leader_instructed"]
        out[f"channel_{row['channel']}"] += row["cases"]
        out[f"kind_{row['kind']}"] += row["cases"]
    return out
