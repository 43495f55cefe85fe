"""Fixtures for the workflow tests: the cast, a case driver, and a settable clock."""

import pytest

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)


@pytest.fixture
def now_at(clock):
    """Set "now" (core.clock) for the actions, the clock services and the dated fields.

    Takes a date (10:00 local that day) or a naive local datetime; returns the aware datetime.
    """
    return clock.set
