"""Administrators see, on every page, which year's holiday schedule is missing while deadlines depend on it."""

import re
from datetime import date as D

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.clock.models import CalendarYear
from xinfang.clock.services import meet, open_deadline
from xinfang.core.clock import now as clock_now
from xinfang.devdata.cast import make_user

pytestmark = pytest.mark.django_db

HEADLINE = "2027 年的国务院节假日安排尚未载入：2 个进行中的期限涉及该年，目前仅按周六、周日休息推算，标为“暂定”。"
HOW_IN_ADMIN = (
    "请在系统管理的工作日历（节假日与调休）中录入该年的放假和调休日期，再到已载入官方安排的年度中添加该年；"
    "也可在服务器上运行 python manage.py clock import 2027.txt"
    "（文件每行一个日期，如“2027-01-01 holiday 元旦”）。载入后这些期限自动重新计算。"
)


@pytest.fixture
def without_2027(cast):
    CalendarYear.objects.filter(year__gte=2027).delete()  # in case a newer chinesecalendar ships 2027


@pytest.fixture
def admin(cast):
    cast.admin.is_staff = True  # as load_demo makes its administrators
    cast.admin.save()
    return cast.admin


def into_2027(cast, n=2):
    # 60 days of handling from 1 December 2026 end in January 2027.
    return [open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2026, 12, 1)) for _ in range(n)]


def banner(response) -> str | None:
    """The banner's text with tags stripped and whitespace collapsed, or None."""
    assert response.status_code == 200
    found = re.search(r'<div class="calendar-warning" role="status">(.*?)</div>', response.content.decode(), re.S)
    if found is None:
        return None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_it_tells_an_administrator_which_year_is_missing_and_how_to_load_it(without_2027, admin, cast, login):
    into_2027(cast)
    open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2026, 3, 2))  # within 2026: not provisional
    response = login(admin).get("/clock/")
    assert banner(response) == f"{HEADLINE} {HOW_IN_ADMIN}"
    body = response.content.decode()
    assert '<a href="/admin/clock/calendarday/">工作日历（节假日与调休）</a>' in body
    assert '<a href="/admin/clock/calendaryear/">已载入官方安排的年度</a>' in body
    assert "<code>python manage.py clock import 2027.txt</code>" in body


def test_it_shows_on_every_page_of_the_shell(without_2027, admin, cast, login):
    into_2027(cast)
    client = login(admin)
    assert banner(client.get("/clock/?year=2025")).startswith(HEADLINE)
    not_found = client.get("/cases/999999/")
    assert not_found.status_code == 404 and HEADLINE.split("：")[0] in not_found.content.decode()


def test_it_names_every_missing_year(without_2027, admin, cast, login):
    into_2027(cast, n=1)
    open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2027, 12, 1))  # due in 2028
    text = banner(login(admin).get("/clock/"))
    assert text.startswith(
        "2027、2028 年的国务院节假日安排尚未载入：2 个进行中的期限涉及各年，目前仅按周六、周日休息推算，标为“暂定”。"
    )
    assert "python manage.py clock import 2027.txt、python manage.py clock import 2028.txt" in text


def test_it_gives_an_administrator_outside_the_admin_site_the_command_only(without_2027, cast, login):
    into_2027(cast)
    assert not cast.admin.is_staff
    assert banner(login(cast.admin).get("/clock/")) == (
        f"{HEADLINE} 请在服务器上运行 python manage.py clock import 2027.txt"
        "（文件每行一个日期，如“2027-01-01 holiday 元旦”）。载入后这些期限自动重新计算。"
    )


def test_it_shows_staff_who_may_load_a_year_in_the_admin(without_2027, cast, login):
    into_2027(cast)
    clerk = make_user("calendar_clerk", cast.bureau)
    clerk.is_staff = True
    clerk.save()
    assert banner(login(clerk).get("/clock/")) is None
    clerk.user_permissions.add(Permission.objects.get(content_type__app_label="clock", codename="add_calendaryear"))
    assert banner(login(clerk).get("/clock/")) == f"{HEADLINE} {HOW_IN_ADMIN}"


def test_it_is_not_shown_to_anyone_else(without_2027, cast, login):
    into_2027(cast)
    for user in (cast.registrar, cast.officer, cast.handler, cast.unit_head, cast.leader, cast.nobody):
        assert banner(login(user).get("/clock/")) is None, user.username


def test_it_is_not_shown_while_no_open_deadline_is_provisional(without_2027, admin, cast, login):
    client = login(admin)
    assert banner(client.get("/clock/")) is None
    met = into_2027(cast, n=1)[0]
    meet(met, D(2026, 12, 20))  # done: history, no longer waiting on 2027
    assert banner(client.get("/clock/")) is None


def test_it_goes_away_once_the_year_is_loaded(without_2027, admin, cast, login):
    into_2027(cast)
    client = login(admin)
    assert banner(client.get("/clock/")) is not None
    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕号")  # recomputes the open deadlines
    assert banner(client.get("/clock/")) is None


def test_it_costs_administrators_one_query_on_the_deadlines_and_others_none(without_2027, admin, cast, login):
    into_2027(cast)

    def deadline_queries(user):
        client = login(user)
        client.get("/clock/")  # warm the per-process calendar cache and the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/clock/")
        return response, [q["sql"] for q in queries if "clock_deadline" in q["sql"]]

    cache.clear()
    response, queries = deadline_queries(admin)
    # The warm-up page counted them; the next pages within the minute reuse that count.
    assert banner(response) is not None and queries == []
    cache.clear()
    with CaptureQueriesContext(connection) as counted:
        assert banner(login(admin).get("/clock/")) is not None
    queries = [q["sql"] for q in counted if "clock_deadline" in q["sql"]]
    assert len(queries) == 1 and '"due_date" >=' in queries[0] and '"provisional"' in queries[0]
    response, queries = deadline_queries(cast.registrar)
    assert banner(response) is None and queries == []


def test_a_new_provisional_deadline_shows_within_the_minute(without_2027, admin, cast, login, clock):
    clock.set(clock_now().replace(second=0))  # time stands still until moved
    into_2027(cast, n=1)
    client = login(admin)
    assert "1 个进行中的期限" in banner(client.get("/clock/"))
    open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2026, 12, 20))
    assert "1 个进行中的期限" in banner(client.get("/clock/"))  # counted a moment ago
    clock.advance(seconds=61)
    assert "2 个进行中的期限" in banner(client.get("/clock/"))
