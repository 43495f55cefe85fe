"""The staff calendar page and its due-date calculator."""

import re

import pytest
from django.urls import reverse

from xinfang.clock.models import CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(cast, login):
    return login(cast.registrar)


def test_the_calendar_shows_a_years_holidays_and_makeup_days(staff):
    response = staff.get(reverse("clock:calendar"), {"year": "2024"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "已载入" in page
    assert "国庆节" in page and "10月1日（周二）至 10月7日（周一）" in page
    assert "2024-10-12" in page and "国庆节调休" in page
    assert "2024-02-04" in page


def test_a_year_without_a_schedule_is_shown_as_provisional(staff):
    CalendarYear.objects.filter(year=2027).delete()
    page = staff.get(reverse("clock:calendar"), {"year": "2027"}).content.decode()
    assert "尚未载入" in page and "暂定" in page


def test_a_nonsense_year_falls_back_to_the_current_year(staff):
    assert staff.get(reverse("clock:calendar"), {"year": "abc"}).status_code == 200
    assert staff.get(reverse("clock:calendar"), {"year": "99999"}).status_code == 200


def test_the_calculator_answers_htmx_with_a_fragment(staff):
    response = staff.get(
        reverse("clock:due"), {"start": "2024-09-27", "days": "5", "working": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2024-10-10" in page and "<html" not in page


def test_the_calculator_rolls_forward_when_asked(staff):
    page = staff.get(
        reverse("clock:due"), {"start": "2024-09-10", "days": "60", "roll_forward": "on"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "2024-11-11" in page


def test_the_calculator_works_without_javascript(staff):
    response = staff.get(reverse("clock:due"), {"start": "2024-09-10", "days": "60"})
    page = response.content.decode()
    assert "<html" in page and "2024-11-09" in page


def test_the_calculator_flags_a_provisional_answer(staff):
    CalendarYear.objects.filter(year=2027).delete()
    page = staff.get(
        reverse("clock:due"), {"start": "2026-12-20", "days": "30"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "2027-01-19" in page and "暂定" in page


def test_the_calculator_explains_bad_input(staff):
    page = staff.get(
        reverse("clock:due"), {"start": "2024-02-30", "days": "-1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "起算日" in page and "天数" in page and "errorlist" in page


def test_the_page_needs_a_login(client):
    response = client.get(reverse("clock:calendar"))
    assert response.status_code == 302


def test_the_page_has_no_inline_script_or_style(staff):
    page = staff.get(reverse("clock:calendar"), {"year": "2024"}).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "<style" not in page
    assert "hx-get" in page
