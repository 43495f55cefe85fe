"""Behaviour of the statutory-clock arithmetic against the official calendar.

Every expected date in the tables below was worked out by hand from the State
Council holiday notices (国务院办公厅关于…部分节假日安排的通知) for 2024, 2025 and
2026, counting day by day; the comment on each row shows that count so a
reviewer can check it without running the engine.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.clock.engine import (
    DueResult,
    Pause,
    Urgency,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    classify,
    compute_due,
    remaining_days,
    roll_forward,
    working_days_between,
)
from xinfang.clock.tests.calendar_data import last_covered_year, official_calendar

D = date
CAL = official_calendar()
WEEKENDS_ONLY = WorkCalendar()


# --- the acceptance examples -------------------------------------------------


def test_it_counts_sixty_calendar_days_after_the_trigger_day():
    # Sep 10 + 20 = Sep 30, + 31 = Oct 31, + 9 = Nov 9 (a Saturday).
    assert compute_due(D(2024, 9, 10), 60, CAL, working=False) == DueResult(D(2024, 11, 9), provisional=False)


def test_it_rolls_a_calendar_period_ending_on_a_weekend_to_monday():
    result = compute_due(D(2024, 9, 10), 60, CAL, working=False, roll_forward=True)
    assert result.due == D(2024, 11, 11)


def test_it_skips_the_national_day_holiday_and_counts_the_makeup_sunday():
    # Sep 29 Sun (调休) 1, Sep 30 2, Oct 1-7 holiday, Oct 8 3, Oct 9 4, Oct 10 5.
    result = compute_due(D(2024, 9, 27), 5, CAL, working=True)
    assert result == DueResult(D(2024, 10, 10), provisional=False)


# --- the official calendar itself --------------------------------------------


@pytest.mark.parametrize(
    ("day", "is_workday"),
    [
        (D(2024, 2, 4), True),  # Sunday make-up day before the Spring Festival
        (D(2024, 2, 9), True),  # 2024 除夕 was still a working day...
        (D(2025, 1, 28), False),  # ...from 2025 除夕 is a statutory holiday
        (D(2024, 10, 12), True),  # Saturday make-up day after National Day
        (D(2025, 10, 6), False),  # Mid-Autumn inside the National Day week
        (D(2026, 1, 4), True),  # Sunday make-up day after New Year
        (D(2026, 2, 23), False),  # last day of the nine-day 2026 Spring Festival
        (D(2026, 9, 20), True),  # Sunday make-up day for National Day
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_it_reads_working_status_from_the_official_schedule(day, is_workday):
    assert CAL.is_workday(day) is is_workday


# --- working-day periods through every holiday season ------------------------

WORKING_CASES = [
    # 2024 Spring Festival: Feb 10 (Sat) - 17 (Sat) off; Feb 4 (Sun), Feb 18 (Sun) work.
    pytest.param(D(2024, 2, 2), 5, D(2024, 2, 8), id="2024-spring-sunday-before"),
    # Feb 8 1, Feb 9 (除夕, a working day in 2024) 2, Feb 18 Sun 3, Feb 19 4, Feb 20 5
    pytest.param(D(2024, 2, 7), 5, D(2024, 2, 20), id="2024-spring-festival"),
    # 2024 Qingming: Apr 4 (Thu) - 6 (Sat) off; Apr 7 (Sun) work.
    # Apr 3 1, Apr 7 Sun 2, Apr 8 3
    pytest.param(D(2024, 4, 2), 3, D(2024, 4, 8), id="2024-qingming"),
    # 2024 Labour Day: May 1 (Wed) - 5 (Sun) off; Apr 28 (Sun), May 11 (Sat) work.
    # Apr 28 Sun 1, Apr 29 2, Apr 30 3, May 6 4, May 7 5
    pytest.param(D(2024, 4, 26), 5, D(2024, 5, 7), id="2024-labour-day"),
    # May 7 1, 8 2, 9 3, 10 4, May 11 Sat 5
    pytest.param(D(2024, 5, 6), 5, D(2024, 5, 11), id="2024-labour-saturday-after"),
    # 2024 Dragon Boat: Jun 10 (Mon) off, no make-up day. Fri Jun 7 -> Tue Jun 11.
    pytest.param(D(2024, 6, 7), 1, D(2024, 6, 11), id="2024-dragon-boat"),
    # 2024 Mid-Autumn: Sep 15 (Sun) - 17 (Tue) off; Sep 14 (Sat) work.
    # Sep 13 1, Sep 14 Sat 2
    pytest.param(D(2024, 9, 12), 2, D(2024, 9, 14), id="2024-mid-autumn-saturday"),
    # ... Sep 15-17 off, Sep 18 3
    pytest.param(D(2024, 9, 12), 3, D(2024, 9, 18), id="2024-mid-autumn"),
    # 2024 National Day: Oct 1-7 off; Sep 29 (Sun), Oct 12 (Sat) work.
    # Oct 9 1, 10 2, 11 3, Oct 12 Sat 4, Oct 14 Mon 5 (the misrouting objection window)
    pytest.param(D(2024, 10, 8), 5, D(2024, 10, 14), id="2024-national-saturday-after"),
    # 2025 New Year: Jan 1 (Wed) off, no make-up day. Dec 31 -> Jan 2.
    pytest.param(D(2024, 12, 31), 1, D(2025, 1, 2), id="2025-new-year"),
    # 2025 Spring Festival: Jan 28 (Tue, 除夕) - Feb 4 (Tue) off; Jan 26 (Sun), Feb 8 (Sat) work.
    # Jan 26 Sun 1, Jan 27 2, Feb 5 3, Feb 6 4, Feb 7 5
    pytest.param(D(2025, 1, 24), 5, D(2025, 2, 7), id="2025-spring-festival"),
    # ... Feb 8 Sat 6
    pytest.param(D(2025, 1, 24), 6, D(2025, 2, 8), id="2025-spring-saturday-after"),
    # 2025 Qingming: Apr 4 (Fri) - 6 (Sun) off, no make-up day. Thu Apr 3 -> Mon Apr 7.
    pytest.param(D(2025, 4, 3), 1, D(2025, 4, 7), id="2025-qingming"),
    # 2025 Labour Day: May 1 (Thu) - 5 (Mon) off; Apr 27 (Sun) work.
    # Apr 27 Sun 1, Apr 28 2, Apr 29 3
    pytest.param(D(2025, 4, 25), 3, D(2025, 4, 29), id="2025-labour-sunday-before"),
    # Apr 30 1, May 1-5 off, May 6 2
    pytest.param(D(2025, 4, 29), 2, D(2025, 5, 6), id="2025-labour-day"),
    # 2025 Dragon Boat: May 31 (Sat) - Jun 2 (Mon) off, no make-up day. Fri -> Tue Jun 3.
    pytest.param(D(2025, 5, 30), 1, D(2025, 6, 3), id="2025-dragon-boat"),
    # 2025 National Day + Mid-Autumn: Oct 1 (Wed) - 8 (Wed) off; Sep 28 (Sun), Oct 11 (Sat) work.
    # Sep 28 Sun 1, Sep 29 2, Sep 30 3, Oct 9 4, Oct 10 5
    pytest.param(D(2025, 9, 26), 5, D(2025, 10, 10), id="2025-national-and-mid-autumn"),
    # ... Oct 11 Sat 6
    pytest.param(D(2025, 9, 26), 6, D(2025, 10, 11), id="2025-national-saturday-after"),
    # 2026 New Year: Jan 1 (Thu) - 3 (Sat) off; Jan 4 (Sun) work. Wed Dec 31 -> Sun Jan 4.
    pytest.param(D(2025, 12, 31), 1, D(2026, 1, 4), id="2026-new-year-sunday"),
    # 2026 Spring Festival: Feb 15 (Sun) - 23 (Mon) off; Feb 14 (Sat), Feb 28 (Sat) work.
    # Feb 13 1, Feb 14 Sat 2
    pytest.param(D(2026, 2, 12), 2, D(2026, 2, 14), id="2026-spring-saturday-before"),
    # ... Feb 15-23 off, Feb 24 Tue 3
    pytest.param(D(2026, 2, 12), 3, D(2026, 2, 24), id="2026-spring-festival"),
    # Feb 24 1, 25 2, 26 3, 27 4, Feb 28 Sat 5
    pytest.param(D(2026, 2, 23), 5, D(2026, 2, 28), id="2026-spring-saturday-after"),
    # 2026 Qingming: Apr 4 (Sat) - 6 (Mon) off, no make-up day. Fri Apr 3 -> Tue Apr 7.
    pytest.param(D(2026, 4, 3), 1, D(2026, 4, 7), id="2026-qingming"),
    # 2026 Labour Day: May 1 (Fri) - 5 (Tue) off; May 9 (Sat) work.
    # May 6 1, 7 2, 8 3, May 9 Sat 4
    pytest.param(D(2026, 4, 30), 4, D(2026, 5, 9), id="2026-labour-day"),
    # 2026 Dragon Boat: Jun 19 (Fri) - 21 (Sun) off, no make-up day. Thu -> Mon Jun 22.
    pytest.param(D(2026, 6, 18), 1, D(2026, 6, 22), id="2026-dragon-boat"),
    # 2026 Mid-Autumn Sep 25 (Fri) - 27 (Sun) and National Day Oct 1 (Thu) - 7 (Wed) off;
    # Sep 20 (Sun), Oct 10 (Sat) work.
    # Sep 20 Sun 1, 21-24 5, Sep 28-30 8, Oct 8 9, Oct 9 10
    pytest.param(D(2026, 9, 18), 10, D(2026, 10, 9), id="2026-mid-autumn-and-national"),
    # ... Oct 10 Sat 11
    pytest.param(D(2026, 9, 18), 11, D(2026, 10, 10), id="2026-national-saturday-after"),
    # ... Oct 12 Mon 12
    pytest.param(D(2026, 9, 18), 12, D(2026, 10, 12), id="2026-national-monday-after"),
]


@pytest.mark.parametrize(("start", "days", "due"), WORKING_CASES)
def test_it_counts_working_days_on_the_official_calendar(start, days, due):
    assert compute_due(start, days, CAL, working=True) == DueResult(due, provisional=False)
    assert add_working_days(start, days, CAL) == DueResult(due, provisional=False)


@pytest.mark.parametrize(("start", "days", "due"), WORKING_CASES)
def test_its_working_day_count_matches_the_period(start, days, due):
    assert working_days_between(start, due, CAL) == days
    assert working_days_between(start, due - timedelta(days=1), CAL) == days - 1


def test_it_skips_the_national_day_holiday():
    # Handling a misrouting objection received on the eve of the holiday.
    assert add_working_days(D(2024, 9, 30), 1, CAL).due == D(2024, 10, 8)


def test_it_ignores_roll_forward_for_working_day_periods():
    plain = compute_due(D(2024, 9, 27), 5, CAL, working=True)
    assert compute_due(D(2024, 9, 27), 5, CAL, working=True, roll_forward=True) == plain


# --- calendar-day periods and rolling forward --------------------------------

CALENDAR_CASES = [
    # 10 days after Feb 3 = Feb 13 (Spring Festival); next working day is Sunday Feb 18.
    pytest.param(D(2024, 2, 3), 10, D(2024, 2, 13), D(2024, 2, 18), id="2024-spring-sunday"),
    # 15 days after Sep 20 = Oct 5 (National Day); next working day Tue Oct 8.
    pytest.param(D(2024, 9, 20), 15, D(2024, 10, 5), D(2024, 10, 8), id="2024-national"),
    # 15 days after Jan 20 = Feb 4 (last Spring Festival day); Wed Feb 5.
    pytest.param(D(2025, 1, 20), 15, D(2025, 2, 4), D(2025, 2, 5), id="2025-spring"),
    # 30 days after May 3 = Jun 2 (Dragon Boat Monday); Tue Jun 3.
    pytest.param(D(2025, 5, 3), 30, D(2025, 6, 2), D(2025, 6, 3), id="2025-dragon-boat"),
    # 30 days after Sep 5 = Oct 5 (National Day + Mid-Autumn); Thu Oct 9.
    pytest.param(D(2025, 9, 5), 30, D(2025, 10, 5), D(2025, 10, 9), id="2025-national"),
    # 15 days after Feb 1 = Feb 16 (Spring Festival); Tue Feb 24.
    pytest.param(D(2026, 2, 1), 15, D(2026, 2, 16), D(2026, 2, 24), id="2026-spring"),
    # 30 days after Sep 1 = Oct 1 (National Day); Thu Oct 8.
    pytest.param(D(2026, 9, 1), 30, D(2026, 10, 1), D(2026, 10, 8), id="2026-national"),
    # 30 days after Dec 3 2025 = Jan 2 2026 (New Year); Sunday Jan 4 is a make-up day.
    pytest.param(D(2025, 12, 3), 30, D(2026, 1, 2), D(2026, 1, 4), id="2026-new-year-sunday"),
    # A due date that is a make-up Saturday stays put: 30 days after Sep 11 2025 = Oct 11.
    pytest.param(D(2025, 9, 11), 30, D(2025, 10, 11), D(2025, 10, 11), id="2025-makeup-day"),
]


@pytest.mark.parametrize(("start", "days", "due", "rolled"), CALENDAR_CASES)
def test_it_rolls_a_calendar_period_off_official_rest_days_only_when_asked(start, days, due, rolled):
    assert compute_due(start, days, CAL, working=False).due == due
    assert add_calendar_days(start, days) == due
    assert compute_due(start, days, CAL, working=False, roll_forward=True).due == rolled
    assert roll_forward(due, CAL) == DueResult(rolled, provisional=False)


def test_it_returns_the_start_for_a_zero_day_period():
    sunday = D(2024, 11, 10)
    assert compute_due(sunday, 0, CAL, working=True).due == sunday
    assert compute_due(sunday, 0, CAL, working=False).due == sunday
    assert compute_due(sunday, 0, CAL, working=False, roll_forward=True).due == D(2024, 11, 11)
    assert add_working_days(sunday, 0, CAL).due == sunday
    assert add_calendar_days(sunday, 0) == sunday


@pytest.mark.parametrize(
    "call",
    [
        lambda: compute_due(D(2024, 1, 1), -1, CAL, working=True),
        lambda: compute_due(D(2024, 1, 1), -1, CAL, working=False),
        lambda: compute_due(D(2024, 1, 1), 5, CAL, working=False, extension_days=-1),
        lambda: add_working_days(D(2024, 1, 1), -3, CAL),
        lambda: add_calendar_days(D(2024, 1, 1), -3),
    ],
)
def test_it_refuses_negative_periods(call):
    with pytest.raises(ValueError, match="negative"):
        call()


# --- years without a schedule ------------------------------------------------


def test_it_marks_a_period_reaching_an_unscheduled_year_provisional():
    assert last_covered_year() == 2026  # chinesecalendar 1.11.0 stops at 2026
    # 30 days after Dec 15 2026 = Jan 14 2027, and 2027 has no schedule loaded.
    assert compute_due(D(2026, 12, 15), 30, CAL, working=False) == DueResult(D(2027, 1, 14), provisional=True)


def test_it_assumes_weekends_only_in_an_unscheduled_year():
    # Dec 21-25 5, Dec 28-31 9, then 2027: Jan 1 (Fri) is not known to be a holiday
    # yet, so it counts 10, Jan 4-8 15.
    assert compute_due(D(2026, 12, 20), 15, CAL, working=True) == DueResult(D(2027, 1, 8), provisional=True)


def test_it_trusts_a_period_ending_on_the_last_scheduled_day():
    assert compute_due(D(2026, 12, 1), 30, CAL, working=False) == DueResult(D(2026, 12, 31), provisional=False)


def test_it_trusts_a_period_crossing_between_two_scheduled_years():
    assert compute_due(D(2025, 12, 20), 30, CAL, working=False).provisional is False


def test_it_marks_a_rolled_forward_date_in_an_unscheduled_year_provisional():
    # 16 days after Dec 16 2026 = Jan 1 2027, a Friday: with no 2027 schedule it is a
    # plain working day, so it does not roll; the answer is still provisional.
    result = compute_due(D(2026, 12, 16), 16, CAL, working=False, roll_forward=True)
    assert result == DueResult(D(2027, 1, 1), provisional=True)


def test_it_computes_a_year_with_no_schedule_at_all_from_weekends():
    # 2030 is not in the package: Oct 1 2030 (Tue) is treated as an ordinary day.
    assert compute_due(D(2030, 9, 30), 3, CAL, working=True) == DueResult(D(2030, 10, 3), provisional=True)
    # Sat Oct 5 2030 rolls to Mon Oct 7.
    assert compute_due(D(2030, 9, 5), 30, CAL, working=False, roll_forward=True) == DueResult(
        D(2030, 10, 7), provisional=True
    )
    assert roll_forward(D(2030, 10, 5), WEEKENDS_ONLY) == DueResult(D(2030, 10, 7), provisional=True)


def test_it_does_not_call_a_zero_day_period_provisional():
    assert compute_due(D(2030, 1, 1), 0, CAL, working=True).provisional is False


# --- pauses -------------------------------------------------------------------

# 30 calendar days after Mon Mar 3 2025 is Wed Apr 2.
P_START = D(2025, 3, 3)


@pytest.mark.parametrize(
    ("pauses", "due"),
    [
        pytest.param([], D(2025, 4, 2), id="no-pause"),
        # Mar 10-14 is 5 days.
        pytest.param([Pause(D(2025, 3, 10), D(2025, 3, 14))], D(2025, 4, 7), id="five-days"),
        # One-day hearing.
        pytest.param([Pause(D(2025, 3, 10), D(2025, 3, 10))], D(2025, 4, 3), id="one-day"),
        # Overlapping pauses Mar 10-14 and Mar 12-16 lose Mar 10-16 once: 7 days.
        pytest.param(
            [Pause(D(2025, 3, 12), D(2025, 3, 16)), Pause(D(2025, 3, 10), D(2025, 3, 14))],
            D(2025, 4, 9),
            id="overlapping",
        ),
        # Two separate pauses: Mar 10-11 (2) and Mar 20-22 (3).
        pytest.param(
            [Pause(D(2025, 3, 10), D(2025, 3, 11)), Pause(D(2025, 3, 20), D(2025, 3, 22))],
            D(2025, 4, 7),
            id="two-pauses",
        ),
        # Started before the trigger day: only Mar 4-5 fall inside the period.
        pytest.param([Pause(D(2025, 2, 28), D(2025, 3, 5))], D(2025, 4, 4), id="before-start"),
        # Entirely before the period: irrelevant.
        pytest.param([Pause(D(2025, 2, 1), D(2025, 3, 3))], D(2025, 4, 2), id="all-before"),
        # Starting on the due day itself: Apr 2-3 are lost.
        pytest.param([Pause(D(2025, 4, 2), D(2025, 4, 3))], D(2025, 4, 4), id="on-due-day"),
        # Starting the day after the period ended: too late to matter.
        pytest.param([Pause(D(2025, 4, 3), D(2025, 4, 9))], D(2025, 4, 2), id="after-due"),
        # A pause that the first pause's shift brings into the period: Mar 10-14 (5) moves
        # the due date to Apr 7, so Apr 5-6 (2) now counts too.
        pytest.param(
            [Pause(D(2025, 3, 10), D(2025, 3, 14)), Pause(D(2025, 4, 5), D(2025, 4, 6))],
            D(2025, 4, 9),
            id="chained",
        ),
    ],
)
def test_it_stops_a_calendar_clock_during_closed_pauses(pauses, due):
    assert compute_due(P_START, 30, CAL, working=False, pauses=pauses) == DueResult(due, provisional=False)


def test_it_only_loses_paused_working_days_on_a_working_clock():
    # 5 working days after Mon Mar 3 2025: Mar 4, 5, 6, 7, 10.
    assert compute_due(P_START, 5, CAL, working=True).due == D(2025, 3, 10)
    # Paused Wed Mar 5 - Sun Mar 9 costs three working days (Mar 5-7):
    # Mar 4 1, Mar 10 2, 11 3, 12 4, 13 5.
    paused = [Pause(D(2025, 3, 5), D(2025, 3, 9))]
    assert compute_due(P_START, 5, CAL, working=True, pauses=paused).due == D(2025, 3, 13)


def test_it_does_not_shift_a_working_clock_for_a_weekend_pause():
    weekend = [Pause(D(2025, 3, 8), D(2025, 3, 9))]
    assert compute_due(P_START, 5, CAL, working=True, pauses=weekend).due == D(2025, 3, 10)


def test_it_does_not_shift_a_working_clock_for_a_pause_over_a_holiday():
    # Pausing over National Day 2024 costs nothing: those days never counted.
    holiday = [Pause(D(2024, 10, 1), D(2024, 10, 7))]
    result = compute_due(D(2024, 9, 27), 5, CAL, working=True, pauses=holiday)
    assert result.due == D(2024, 10, 10)


def test_it_counts_an_open_pause_through_as_of_and_says_the_clock_is_paused():
    # Hearing opened Mar 10, still running on Mar 20: Mar 10-20 is 11 days.
    hearing = [Pause(D(2025, 3, 10))]
    result = compute_due(P_START, 30, CAL, working=False, pauses=hearing, as_of=D(2025, 3, 20))
    assert result == DueResult(D(2025, 4, 13), provisional=False, paused=True)


def test_it_pushes_an_open_paused_due_date_later_as_time_passes():
    hearing = [Pause(D(2025, 3, 10))]
    earlier = compute_due(P_START, 30, CAL, working=False, pauses=hearing, as_of=D(2025, 3, 20))
    later = compute_due(P_START, 30, CAL, working=False, pauses=hearing, as_of=D(2025, 3, 25))
    assert later.due - earlier.due == timedelta(days=5)


def test_it_does_not_report_a_pause_opened_after_the_clock_ran_out():
    late = [Pause(D(2025, 4, 10))]
    result = compute_due(P_START, 30, CAL, working=False, pauses=late, as_of=D(2025, 4, 20))
    assert result == DueResult(D(2025, 4, 2), provisional=False, paused=False)


def test_it_counts_an_open_pause_on_a_working_clock():
    # Paused from Wed Mar 5, still running on Fri Mar 7: Mar 5-7 lost.
    result = compute_due(P_START, 5, CAL, working=True, pauses=[Pause(D(2025, 3, 5))], as_of=D(2025, 3, 7))
    assert result == DueResult(D(2025, 3, 13), provisional=False, paused=True)


def test_it_needs_as_of_for_an_open_pause():
    with pytest.raises(ValueError, match="as_of"):
        compute_due(P_START, 30, CAL, working=False, pauses=[Pause(D(2025, 3, 10))])


def test_it_rejects_a_pause_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Pause(D(2025, 3, 10), D(2025, 3, 9))


# --- extensions -----------------------------------------------------------------


def test_it_adds_an_approved_extension_to_the_handling_period():
    # 60 + 30 days after Sep 10 2024: Nov 9 + 30 = Dec 9.
    result = compute_due(D(2024, 9, 10), 60, CAL, working=False, extension_days=30)
    assert result.due == D(2024, 12, 9)


def test_it_counts_an_extension_in_working_days_on_a_working_clock():
    # 5 + 2 working days after Sep 27 2024: Oct 10 is the 5th, Oct 11 6th, Sat Oct 12 7th.
    result = compute_due(D(2024, 9, 27), 5, CAL, working=True, extension_days=2)
    assert result.due == D(2024, 10, 12)


def test_it_combines_an_extension_with_a_pause_and_roll_forward():
    # 60 + 30 after Sep 10 2025 = Dec 9; a 5-day hearing makes it Dec 14 (Sun) -> Dec 15.
    result = compute_due(
        D(2025, 9, 10),
        60,
        CAL,
        working=False,
        extension_days=30,
        pauses=[Pause(D(2025, 11, 3), D(2025, 11, 7))],
        roll_forward=True,
    )
    assert result.due == D(2025, 12, 15)


# --- the calendar value object -----------------------------------------------------


def test_it_lets_a_calendar_entry_override_the_weekday():
    saturday, monday = D(2031, 1, 4), D(2031, 1, 6)
    cal = WorkCalendar.from_entries([(saturday, True), (monday, False)], covered_years=[2031])
    assert cal.is_workday(saturday) is True
    assert cal.is_workday(monday) is False
    assert cal.is_covered(monday) is True
    assert cal.is_covered(D(2032, 1, 1)) is False
    # Fri Jan 3 -> Sat Jan 4 (make-up) 1, Tue Jan 7 2.
    assert add_working_days(D(2031, 1, 3), 2, cal) == DueResult(D(2031, 1, 7), False)


def test_it_lets_a_later_entry_correct_an_earlier_one():
    day = D(2031, 5, 2)
    cal = WorkCalendar.from_entries([(day, False), (day, True)], covered_years=[2031])
    assert cal.is_workday(day) is True
    assert day not in cal.holidays


def test_it_refuses_a_date_that_is_both_holiday_and_workday():
    day = D(2031, 5, 2)
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(holidays=frozenset({day}), workdays=frozenset({day}))


def test_it_keeps_calendars_comparable_and_hashable():
    a = WorkCalendar.from_entries([(D(2031, 5, 1), False)], [2031])
    b = WorkCalendar(holidays={D(2031, 5, 1)}, covered_years={2031})
    assert a == b
    assert hash(a) == hash(b)


# --- remaining days and urgency -------------------------------------------------


@pytest.mark.parametrize(
    ("today", "left", "urgency"),
    [
        (D(2024, 11, 1), 8, Urgency.OK),
        (D(2024, 11, 5), 4, Urgency.OK),
        (D(2024, 11, 6), 3, Urgency.DUE_SOON),
        (D(2024, 11, 9), 0, Urgency.DUE_SOON),
        (D(2024, 11, 10), -1, Urgency.OVERDUE),
        (D(2025, 1, 1), -53, Urgency.OVERDUE),
    ],
)
def test_it_classifies_a_deadline_by_the_days_left(today, left, urgency):
    due = D(2024, 11, 9)
    assert remaining_days(due, today) == left
    assert classify(due, today) == urgency
    assert classify(due, today) == urgency.value  # stores as a plain string


def test_it_honours_a_custom_due_soon_window():
    due = D(2024, 11, 9)
    assert classify(due, D(2024, 11, 2), soon_days=7) == Urgency.DUE_SOON
    assert classify(due, D(2024, 11, 1), soon_days=7) == Urgency.OK
    assert classify(due, D(2024, 11, 9), soon_days=0) == Urgency.DUE_SOON
    assert classify(due, D(2024, 11, 8), soon_days=0) == Urgency.OK


# --- properties -----------------------------------------------------------------

dates = st.dates(min_value=D(2003, 1, 1), max_value=D(2028, 12, 31))
periods = st.integers(min_value=0, max_value=90)
positive_periods = st.integers(min_value=1, max_value=90)

# Small random calendars stress the override walk with patterns the official
# schedule never has (runs of make-up days, holidays on consecutive weeks).
WINDOW_START = D(2031, 1, 1)
window_dates = st.dates(min_value=WINDOW_START, max_value=D(2031, 6, 30))


@st.composite
def random_calendars(draw):
    holidays = draw(st.frozensets(window_dates, max_size=40))
    workdays = draw(st.frozensets(window_dates, max_size=20)) - holidays
    covered = draw(st.frozensets(st.sampled_from([2030, 2031, 2032])))
    return WorkCalendar(holidays=holidays, workdays=workdays, covered_years=covered)


@st.composite
def pause_lists(draw, near):
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = near + timedelta(days=draw(st.integers(-10, 80)))
        if draw(st.booleans()):
            result.append(Pause(start, None))
        else:
            result.append(Pause(start, start + timedelta(days=draw(st.integers(0, 20)))))
    return result


def naive_due(start, days, cal, *, working, roll=False, pauses=(), extension=0, as_of=None):
    """Day-by-day reference: the definition, with no cleverness to share bugs with."""
    paused = set()
    for p in pauses:
        end = p.end if p.end is not None else as_of
        d = p.start
        while d <= end:
            paused.add(d)
            d += timedelta(days=1)
    d, counted = start, 0
    while counted < days + extension:
        d += timedelta(days=1)
        if d in paused or (working and not cal.is_workday(d)):
            continue
        counted += 1
    if roll and not working:
        while not cal.is_workday(d):
            d += timedelta(days=1)
    return d


def naive_provisional(start, due, cal):
    d = start + timedelta(days=1)
    while d <= due:
        if not cal.is_covered(d):
            return True
        d += timedelta(days=1)
    return False


@given(dates, positive_periods)
def test_a_working_day_result_is_always_a_working_day(start, days):
    assert CAL.is_workday(compute_due(start, days, CAL, working=True).due)


@given(dates, periods, periods, st.booleans(), st.booleans())
def test_more_days_never_give_an_earlier_date(start, a, b, working, roll):
    fewer, more = sorted((a, b))
    early = compute_due(start, fewer, CAL, working=working, roll_forward=roll).due
    late = compute_due(start, more, CAL, working=working, roll_forward=roll).due
    assert early <= late


@given(dates)
def test_roll_forward_never_moves_back_and_lands_on_a_working_day(d):
    rolled = roll_forward(d, CAL).due
    assert rolled >= d
    assert CAL.is_workday(rolled)
    # ...and it is the first such day, not merely some later one.
    x = d
    while x < rolled:
        assert not CAL.is_workday(x)
        x += timedelta(days=1)


@settings(max_examples=300)
@given(dates, periods)
def test_working_days_agree_with_counting_one_day_at_a_time(start, days):
    result = compute_due(start, days, CAL, working=True)
    assert result.due == naive_due(start, days, CAL, working=True)
    if days:
        assert result.provisional == naive_provisional(start, result.due, CAL)


@settings(max_examples=300)
@given(
    random_calendars(),
    st.dates(min_value=D(2030, 12, 1), max_value=D(2031, 6, 30)),
    periods,
    st.integers(0, 30),
    st.booleans(),
    st.booleans(),
    st.data(),
)
def test_every_clock_agrees_with_counting_one_day_at_a_time_on_any_calendar(
    cal, start, days, extension, working, roll, data
):
    pauses = data.draw(pause_lists(start))
    as_of = start + timedelta(days=data.draw(st.integers(-5, 60)))
    result = compute_due(
        start,
        days,
        cal,
        working=working,
        roll_forward=roll,
        pauses=pauses,
        extension_days=extension,
        as_of=as_of,
    )
    expected = naive_due(
        start,
        days,
        cal,
        working=working,
        roll=roll,
        pauses=pauses,
        extension=extension,
        as_of=as_of,
    )
    assert result.due == expected
    unrolled = naive_due(start, days, cal, working=working, pauses=pauses, extension=extension, as_of=as_of)
    assert result.paused == any(p.end is None and p.start <= unrolled for p in pauses)
    if days + extension:
        assert result.provisional == naive_provisional(start, result.due, cal)


@settings(max_examples=200)
@given(random_calendars(), window_dates, window_dates)
def test_working_day_counts_agree_with_counting_one_day_at_a_time(cal, a, b):
    expected, d = 0, a
    while d < b:
        d += timedelta(days=1)
        expected += cal.is_workday(d)
    assert working_days_between(a, b, cal) == expected
