"""Building the engine's ``WorkCalendar`` from the calendar tables, cached per process.

The table is small (about 3,000 rows for 2004–2026) but is read on every due
date computed, so each process keeps the calendar it built together with the
revision token it was built from, and rebuilds only when the token changes.
Checking the token costs one primary-key read, which keeps edits made in one
process (the admin) visible at once in every other (workers, the CLI).
"""

from __future__ import annotations

import threading
import uuid

from xinfang.clock.engine import WorkCalendar
from xinfang.clock.models import CalendarDay, CalendarRevision, CalendarYear, DayKind

_REVISION_PK = 1
_lock = threading.Lock()
_cached: tuple[str, WorkCalendar] | None = None


def _current_token() -> str:
    return CalendarRevision.objects.filter(pk=_REVISION_PK).values_list("token", flat=True).first() or ""


def get_work_calendar() -> WorkCalendar:
    """The official calendar as currently stored (holidays, 调休, covered years)."""
    global _cached
    token = _current_token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    entries = ((d, kind == DayKind.WORKDAY) for d, kind in CalendarDay.objects.values_list("date", "kind"))
    cal = WorkCalendar.from_entries(entries, covered_years=CalendarYear.objects.values_list("year", flat=True))
    with _lock:
        _cached = (token, cal)
    return cal


def cached_revision() -> str | None:
    """The revision token of this process's cached calendar (read by the last get_work_calendar)."""
    cached = _cached
    return cached[0] if cached is not None else None


def bump_calendar_revision() -> None:
    """Record that the calendar changed, so every process rebuilds its cached copy."""
    CalendarRevision.objects.update_or_create(pk=_REVISION_PK, defaults={"token": uuid.uuid4().hex})
    invalidate_local_cache()


def invalidate_local_cache() -> None:
    global _cached
    with _lock:
        _cached = None
