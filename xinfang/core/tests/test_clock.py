"""The clock seam: one place that says what "now" is."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from xinfang.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_it_answers_the_real_time_by_default():
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)
    assert not clock.is_overridden()


def test_at_fixes_now_inside_the_block_and_restores_it_after():
    when = datetime(2024, 3, 1, 7, 30, tzinfo=SHANGHAI)
    with clock.at(when):
        assert clock.now() == when
        assert clock.is_overridden()
    assert not clock.is_overridden()


def test_today_is_the_local_date_not_the_utc_date():
    # 07:30 Beijing time on 1 March is 23:30 UTC on 29 February.
    with clock.at(datetime(2024, 3, 1, 7, 30, tzinfo=SHANGHAI)):
        assert clock.now().astimezone(ZoneInfo("UTC")).date() == date(2024, 2, 29)
        assert clock.today() == date(2024, 3, 1)
    assert clock.local_date(datetime(2024, 2, 29, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(2024, 3, 1)


def test_a_date_means_ten_in_the_morning_local_time():
    with clock.at(date(2025, 5, 6)):
        assert clock.localtime().hour == 10 and clock.today() == date(2025, 5, 6)


def test_blocks_nest():
    with clock.at(date(2025, 1, 1)):
        with clock.at(date(2026, 1, 1)):
            assert clock.today() == date(2026, 1, 1)
        assert clock.today() == date(2025, 1, 1)


def test_the_test_clock_sets_and_advances(clock):  # the conftest fixture, not the module
    clock.set(date(2025, 6, 1))
    clock.advance(days=3)
    from xinfang.core import clock as seam

    assert seam.today() == date(2025, 6, 4)
    clock.reset()
    assert not seam.is_overridden()


@pytest.mark.django_db
def test_dated_fields_ask_the_seam(cast):
    from xinfang.devdata.flow import register

    when = datetime(2024, 9, 10, 9, 0, tzinfo=SHANGHAI)
    with clock.at(when):
        case = register(cast.registrar)
    case.refresh_from_db()
    assert case.registered_at == when and case.updated_at == when
    assert case.events.get().at == when
