from datetime import date

import pytest

from xinfang.stats.periods import Period, PeriodError, parse


def test_a_month_runs_from_its_first_to_its_last_day():
    p = Period.month(2024, 2)
    assert (p.start, p.end, p.days, p.label) == (date(2024, 2, 1), date(2024, 2, 29), 29, "2024年2月")


def test_the_previous_month_of_january_is_last_december():
    assert Period.month(2025, 1).previous() == Period.month(2024, 12)


def test_a_month_a_year_earlier_is_the_whole_month():
    assert Period.month(2024, 2).last_year() == Period(date(2023, 2, 1), date(2023, 2, 28), "month")


def test_quarters_and_years_compare_with_their_own_kind():
    q1 = Period.quarter(2025, 1)
    assert (q1.start, q1.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert q1.previous() == Period.quarter(2024, 4)
    assert q1.last_year() == Period.quarter(2024, 1)
    assert Period.year(2025).previous() == Period.year(2024) == Period.year(2025).last_year()
    assert q1.label == "2025年第1季度"


def test_a_range_compares_with_the_same_length_just_before_and_a_year_earlier():
    p = Period.range(date(2025, 3, 10), date(2025, 3, 19))
    assert p.previous() == Period.range(date(2025, 2, 28), date(2025, 3, 9))
    assert p.last_year() == Period.range(date(2024, 3, 10), date(2024, 3, 19))
    leap = Period.range(date(2024, 2, 29), date(2024, 3, 1))
    assert leap.last_year() == Period.range(date(2023, 2, 28), date(2023, 3, 1))


def test_the_cutoff_of_a_running_period_is_today():
    p = Period.month(2025, 3)
    assert p.cutoff(date(2025, 3, 12)) == date(2025, 3, 12)
    assert p.cutoff(date(2025, 5, 1)) == date(2025, 3, 31)


def test_moments_are_local_midnights():
    first, after = Period.month(2025, 3).moments()
    assert first.isoformat() == "2025-03-01T00:00:00+08:00"
    assert after.isoformat() == "2025-04-01T00:00:00+08:00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "week"}, "统计期间类型“week”无效"),
        ({"kind": "range", "start": date(2025, 1, 1)}, "任意期间须给出开始日期和结束日期"),
        ({"kind": "range", "start": date(2025, 2, 1), "end": date(2025, 1, 1)}, "统计期间的结束日期不能早于开始日期"),
        ({"kind": "range", "start": date(2000, 1, 1), "end": date(2025, 1, 1)}, "统计期间不能超过3660天"),
        ({"kind": "month", "month": 13}, "月份须为1至12"),
        ({"kind": "quarter", "quarter": 5}, "季度须为1至4"),
        ({"kind": "year", "year": 1800}, "年份须在1900至2099之间"),
    ],
)
def test_a_period_that_cannot_be_reported_is_refused_in_chinese(kwargs, message):
    kind = kwargs.pop("kind")
    with pytest.raises(PeriodError) as refused:
        parse(kind, today=date(2025, 3, 12), **kwargs)
    assert str(refused.value) == message


def test_missing_parts_default_to_the_period_containing_today():
    today = date(2025, 8, 12)
    assert parse("month", today=today) == Period.month(2025, 8)
    assert parse("quarter", today=today) == Period.quarter(2025, 3)
    assert parse("", year=2024, today=today) == Period.month(2024, 8)
