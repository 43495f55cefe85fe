"""What the sweep reads: the stored deadlines of cases and the supervision app's tracked items, alike.

Each source gives the open items with a date, as plain rows (``Item``), and
re-checks one item under a row lock before it is acted on. A stored
``Deadline`` has no version column; its due date stands in for one (an
extension or a recomputation moves it, and so makes a new reminder due).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q

from xinfang.clock.models import Clock, Deadline, DeadlineStatus
from xinfang.escalation.models import DEADLINE_CLOCKS


@dataclass(frozen=True)
class Item:
    source: str
    pk: int
    due: date
    version: str
    case_id: int
    org_id: int  # the unit that owes (the deadline's org, the tracked item's owed_by_org)
    issued_by_id: int | None = None


class Source:
    code: str
    label: str
    date_field: str

    def queryset(self):  # pragma: no cover - interface
        raise NotImplementedError

    def rows(self, qs) -> list[Item]:  # pragma: no cover - interface
        raise NotImplementedError

    def max_pk(self) -> int:
        return self.queryset().model._default_manager.aggregate(m=Max("pk"))["m"] or 0

    def due_between(self, lo: date | None, hi: date, *, min_pk: int = 0, floor: date | None = None):
        """Open items with lo < due <= hi (and due >= floor, pk > min_pk), in due-date order."""
        f = self.date_field
        q = Q(**{f"{f}__lte": hi})
        if lo is not None:
            q &= Q(**{f"{f}__gt": lo})
        if floor is not None:
            q &= Q(**{f"{f}__gte": floor})
        if min_pk:
            q &= Q(pk__gt=min_pk)
        return self.queryset().filter(q).order_by(f, "pk")

    def still_due(self, item: Item) -> bool:
        """Lock the row and check it is still open with the same date and version."""
        row = self.queryset().select_for_update().filter(pk=item.pk).values(self.date_field).first()
        return row is not None and row[self.date_field] == item.due and self._version_ok(item)

    def _version_ok(self, item: Item) -> bool:
        return True


class DeadlineSource(Source):
    date_field = "due_date"

    def __init__(self, clock: str):
        self.code = clock
        self.label = Clock(clock).label

    def queryset(self):
        from xinfang.cases.models import Case

        # A paused clock is not running (a hearing), so nothing about it is due.
        return Deadline.objects.filter(
            status=DeadlineStatus.OPEN,
            clock=self.code,
            paused=False,
            owner_type=ContentType.objects.get_for_model(Case),
        )

    def rows(self, qs) -> list[Item]:
        return [
            Item(self.code, pk, due, due.strftime("%Y%m%d"), owner_id, org_id)
            for pk, due, owner_id, org_id in qs.values_list("pk", "due_date", "owner_id", "org_id")
        ]


class TrackedSource(Source):
    def __init__(self, kind: Any):
        self.kind = kind
        self.code = kind.code
        self.label = kind.label
        self.date_field = kind.date_field

    def queryset(self):
        return self.kind.open_items()

    def rows(self, qs) -> list[Item]:
        f = self.date_field
        return [
            Item(self.code, pk, due, str(version), case_id, org_id, issued_by_id)
            for pk, due, version, case_id, org_id, issued_by_id in qs.values_list(
                "pk", f, "version", "case_id", "owed_by_org_id", "issued_by_id"
            )
        ]

    def still_due(self, item: Item) -> bool:
        row = self.queryset().select_for_update().filter(pk=item.pk).values(self.date_field, "version").first()
        return row is not None and row[self.date_field] == item.due and str(row["version"]) == item.version


def tracked_kinds() -> dict[str, Any]:
    """The supervision app's TRACKED kinds, or none while that app is not installed."""
    if not apps.is_installed("xinfang.supervision"):
        return {}
    from xinfang.supervision.tracked import TRACKED

    return dict(TRACKED)


def source_for(code: str) -> Source | None:
    if code in DEADLINE_CLOCKS:
        return DeadlineSource(code)
    kind = tracked_kinds().get(code)
    return TrackedSource(kind) if kind is not None else None
