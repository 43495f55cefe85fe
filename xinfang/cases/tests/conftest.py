"""Fixtures for the workflow tests: the cast, a case driver, and a settable clock."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)


@pytest.fixture
def now_at(monkeypatch):
    """Set "now" for everything that asks django.utils.timezone (actions, the clock, auto_now).

    Takes a date (10:00 local that day) or a naive local datetime; returns the aware datetime.
    """

    def _set(when):
        if isinstance(when, date) and not isinstance(when, datetime):
            when = datetime.combine(when, time(10, 0))
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        monkeypatch.setattr(timezone, "now", lambda: when)
        return when

    return _set
