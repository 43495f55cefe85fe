"""The official State Council schedule as a WorkCalendar, for tests.

The engine never imports ``chinesecalendar`` (the Django layer feeds it rows
from the calendar table); tests use the package directly so the expected dates
below are checked against the real published schedule rather than a hand-made
one that could share the engine's mistakes.
"""

from __future__ import annotations

from functools import cache

from chinese_calendar import constants

from xinfang.clock.engine import WorkCalendar


@cache  # the calendar is immutable, so building it once per test run is safe
def official_calendar() -> WorkCalendar:
    """Holidays and make-up working days (调休) for every year the package ships."""
    entries = [(d, False) for d in constants.holidays]
    entries += [(d, True) for d in constants.workdays]
    # A year counts as covered only if the package lists something for it;
    # every published year has at least New Year's Day.
    covered = {d.year for d, _ in entries}
    return WorkCalendar.from_entries(entries, covered_years=covered)


def last_covered_year() -> int:
    return max(official_calendar().covered_years)
