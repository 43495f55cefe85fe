"""The registry of periodic jobs and how time is cut into their slots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], object]
    every: timedelta
    offset: timedelta = timedelta(0)
    description: str = ""

    def slot(self, now: datetime) -> datetime:
        """The start of the slot that ``now`` falls in (slots are counted from local midnight, 1 Jan 2000)."""
        origin = datetime(2000, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)) + self.offset
        n = (now - origin) // self.every
        return origin + n * self.every

    def next_slot(self, now: datetime) -> datetime:
        return self.slot(now) + self.every


JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every: timedelta, offset: timedelta = timedelta(0), description: str = ""
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register the decorated function as the periodic job ``name``, run once per ``every``.

    ``offset`` moves the slots (a daily job with ``offset=timedelta(hours=1)``
    runs once a day from 01:00 local time). Registering the same name again
    replaces the job (module reloads, tests).
    """
    if every < timedelta(seconds=1):
        raise ValueError("a periodic job runs at most once a second")
    if not timedelta(0) <= offset < every:
        raise ValueError("offset must be within one interval")

    def register(func: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = PeriodicJob(name, func, every, offset, description or (func.__doc__ or "").strip())
        return func

    return register
