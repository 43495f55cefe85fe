"""The one source of "now" for the domain (DESIGN.md §6: "now" comes from one seam).

Actions, deadlines, the workbench, notices and sweeps ask ``now()`` and
``today()`` here instead of ``django.utils.timezone``. Normally they answer
the real time. ``at(when)`` makes them answer a fixed moment inside a
``with`` block, so that

* a historical import or the demo loader runs actions on past dates (each
  step at its own time, with its events, deadlines and ``auto_now`` fields
  dated then), and
* tests move time with a fixture, without monkeypatching Django.

The override lives in a ``ContextVar``: it is seen by the code that the block
calls (in this thread or task), never by another request served at the same
time. ``today()`` is the local (Asia/Shanghai) date of ``now()``: a petition
received at 07:30 Beijing time on 1 March is a 1 March petition, although its
UTC date is 29 February.

Security records (logins, reveals, the audit log) keep the real time: they
must say when something happened, not when an import pretended it did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime, time, timedelta

from django.utils import timezone

_override: ContextVar[datetime | None] = ContextVar("xinfang_now", default=None)


def now() -> datetime:
    """The current moment (timezone-aware)."""
    fixed = _override.get()
    return fixed if fixed is not None else timezone.now()


def today() -> date:
    """The current local date."""
    return timezone.localdate(now())


def localtime(value: datetime | None = None) -> datetime:
    """``value`` (default: now) in local time."""
    return timezone.localtime(value if value is not None else now())


def local_date(value: datetime) -> date:
    """The local date of a stored (UTC) time: what a notice prints, never ``value.date()``."""
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def aware(value: datetime | date) -> datetime:
    """A timezone-aware moment: a date means 10:00 local that day, a naive time is local."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(10, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def is_overridden() -> bool:
    return _override.get() is not None


@contextmanager
def at(when: datetime | date) -> Iterator[datetime]:
    """Inside the block, ``now()`` answers ``when`` (a date: 10:00 local that day)."""
    token = _override.set(aware(when))
    try:
        yield _override.get()  # type: ignore[misc]
    finally:
        _override.reset(token)


class TestClock:
    """A clock tests can set and move (the ``clock`` fixture); see conftest.py.

    ``set(when)`` fixes now() until the test ends; ``advance(days=..., hours=...)``
    moves it on; ``reset()`` goes back to the real time.
    """

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._token: Token[datetime | None] | None = None

    def set(self, when: datetime | date) -> datetime:
        value = aware(when)
        if self._token is not None:
            _override.reset(self._token)
        self._token = _override.set(value)
        return value

    def advance(self, **delta: float) -> datetime:
        return self.set(now() + timedelta(**delta))

    def reset(self) -> None:
        if self._token is not None:
            _override.reset(self._token)
            self._token = None

    def now(self) -> datetime:
        return now()

    def today(self) -> date:
        return today()
