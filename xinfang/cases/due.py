"""Whether a case's deadline is overdue, due soon, running or paused: one answer everywhere.

The workbench tabs and filter, the API's list filter and its ``overdue``
field, and the tags on every screen ask these, in Python (``due_state``) or
as filters (``overdue_q`` ...). A clock paused for a hearing (听证) is not
running: such a case is neither overdue nor due soon, whatever its stored
date, until the hearing ends and the date moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from xinfang.cases.states import OPEN_STATES
from xinfang.core import clock


def soon_days() -> int:
    return settings.DUE_SOON_DAYS


def running_q() -> Q:
    """Open cases whose deadline is counting."""
    return Q(status__in=OPEN_STATES, hearing_open=False, due_date__isnull=False)


def overdue_q(today: date | None = None) -> Q:
    return running_q() & Q(due_date__lt=today or clock.today())


def due_soon_q(today: date | None = None) -> Q:
    today = today or clock.today()
    return running_q() & Q(due_date__gte=today, due_date__lte=today + timedelta(days=soon_days()))


def overdue_or_due_soon_q(today: date | None = None) -> Q:
    """Both of the above in one range (status, then due date: case_status_due_idx), for counting them together."""
    today = today or clock.today()
    return running_q() & Q(due_date__lte=today + timedelta(days=soon_days()))


def paused_q() -> Q:
    return Q(status__in=OPEN_STATES, hearing_open=True)


def provisional_q() -> Q:
    return Q(status__in=OPEN_STATES, due_provisional=True)


FILTERS = {
    "overdue": overdue_q,
    "due_soon": due_soon_q,
    "paused": lambda today=None: paused_q(),
    "provisional": lambda today=None: provisional_q(),
}


def label(key: str) -> str:
    return {
        "overdue": "已超期",
        "due_soon": f"{soon_days()}日内到期",
        "paused": "中止计时（听证中）",
        "provisional": "暂定",
    }[key]


def filter_q(key: str, today: date | None = None) -> Q | None:
    make = FILTERS.get(key)
    return make(today) if make else None


@dataclass(frozen=True)
class DueState:
    state: str  # "overdue" | "due_soon" | "ok" | "paused" | "" (no running deadline)
    days_left: int | None = None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def due_state(case, today: date | None = None) -> DueState:
    """The state of ``case``'s current deadline (its denormalised due_date)."""
    if case.due_date is None or case.status not in OPEN_STATES:
        return DueState("")
    return _state(case.due_date, case.hearing_open, today)


def deadline_state(deadline, today: date | None = None) -> DueState:
    """The same for one stored deadline (the case page's 期限 table)."""
    if deadline.status != "open" or deadline.due_date is None:
        return DueState("")
    return _state(deadline.due_date, deadline.paused, today)


def _state(due, paused: bool, today) -> DueState:
    left = (due - (today or clock.today())).days
    if paused:
        return DueState("paused", left)
    if left < 0:
        return DueState("overdue", left)
    if left <= soon_days():
        return DueState("due_soon", left)
    return DueState("ok", left)
