"""The admin: calendar edits recompute deadlines, and the rule each org uses is visible."""

from datetime import date

import pytest
from django.urls import reverse

from xinfang.clock import services
from xinfang.clock.models import CalendarDay, ClockRule, Deadline, OrgRuleSet, RuleSet
from xinfang.clock.services import open_deadline
from xinfang.clock.tests.helpers import ZHEJIANG, assign
from xinfang.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", password="x-pw-not-used")
    client.force_login(user)
    return client


def test_the_org_rule_list_shows_each_orgs_rule_set_and_where_it_comes_from(cast, admin_client):
    assign(cast.city, ZHEJIANG)
    response = admin_client.get(reverse("admin:clock_orgrule_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "浙江省规则（受理 5 个工作日）" in page
    assert "继承自示例市人民政府" in page
    assert "本机构指定" in page
    assert "受理告知 5工作日" in page


def test_the_org_rule_page_lists_every_clock_of_the_applied_rule_set(cast, admin_client):
    assign(cast.county, ZHEJIANG)
    response = admin_client.get(reverse("admin:clock_orgrule_change", args=[cast.dept.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "浙江省规则" in page and "继承自清河县人民政府" in page
    assert "5 个工作日" in page and "《信访工作条例》第三十四条" in page
    assert "急件" in page
    # Read-only: no save button.
    assert 'name="_save"' not in page


def test_the_org_rule_page_without_assignments_shows_the_national_default(cast, admin_client):
    response = admin_client.get(reverse("admin:clock_orgrule_change", args=[cast.village.pk]))
    assert "全国默认规则" in response.content.decode()


def test_adding_a_holiday_in_the_admin_recomputes_an_open_deadline(cast, admin_client):
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=date(2025, 10, 31))
    assert d.due_date == date(2025, 11, 7)
    response = admin_client.post(
        reverse("admin:clock_calendarday_add"),
        {"date": "2025-11-05", "kind": "holiday", "name": "临时放假"},
        follow=True,
    )
    assert response.status_code == 200
    assert "重新计算 1 个" in response.content.decode()
    day = CalendarDay.objects.get(date=date(2025, 11, 5))
    assert day.source == "admin"
    assert Deadline.objects.get(pk=d.pk).due_date == date(2025, 11, 10)

    # Moving the entry out of the window puts the deadline back.
    admin_client.post(
        reverse("admin:clock_calendarday_change", args=[day.pk]),
        {"date": "2025-12-05", "kind": "holiday", "name": "临时放假"},
    )
    assert Deadline.objects.get(pk=d.pk).due_date == date(2025, 11, 7)


def test_deleting_calendar_days_in_bulk_recomputes_once(cast, admin_client, monkeypatch):
    calls = []
    real = services.recompute_deadlines
    monkeypatch.setattr(services, "recompute_deadlines", lambda *a, **k: calls.append(k) or real(*a, **k))
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=date(2024, 9, 27))
    assert d.due_date == date(2024, 10, 10)
    ids = list(
        CalendarDay.objects.filter(date__range=(date(2024, 10, 1), date(2024, 10, 7))).values_list("pk", flat=True)
    )
    response = admin_client.post(
        reverse("admin:clock_calendarday_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Deadline.objects.get(pk=d.pk).due_date == date(2024, 10, 3)  # 9-29 (调休), 9-30, 10-1, 10-2, 10-3
    assert len(calls) == 1


def test_entering_a_date_in_an_unloaded_year_reminds_to_mark_the_year(admin_client):
    response = admin_client.post(
        reverse("admin:clock_calendarday_add"), {"date": "2031-01-01", "kind": "holiday", "name": "元旦"}, follow=True
    )
    assert "2031 年尚未标记为已载入" in response.content.decode()


def test_the_admin_refuses_a_makeup_workday_on_a_weekday(admin_client):
    response = admin_client.post(
        reverse("admin:clock_calendarday_add"), {"date": "2025-11-05", "kind": "workday", "name": "误填"}
    )
    assert response.status_code == 200
    assert "本来就是工作日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2025, 11, 5)).exists()


def test_calendar_days_can_be_filtered_by_year(admin_client):
    response = admin_client.get(reverse("admin:clock_calendarday_changelist"), {"year": "2024", "kind": "workday"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2024年10月12日" in page
    assert "2025" not in page.split("result_list")[1].split("</table>")[0]


@pytest.mark.parametrize(
    "name",
    [
        "clock_calendarday_changelist",
        "clock_calendaryear_changelist",
        "clock_ruleset_changelist",
        "clock_orgruleset_changelist",
        "clock_orgrule_changelist",
        "clock_deadline_changelist",
        "clock_calendarday_add",
        "clock_orgruleset_add",
    ],
)
def test_every_clock_admin_page_renders(cast, admin_client, name):
    open_deadline(cast.dept, org=cast.dept, clock="handling", start=date(2024, 9, 10))
    assign(cast.city, ZHEJIANG)
    assert admin_client.get(reverse(f"admin:{name}")).status_code == 200


def test_a_rule_set_page_shows_its_rules_inline(admin_client):
    rule_set = RuleSet.objects.get(code=ZHEJIANG)
    response = admin_client.get(reverse("admin:clock_ruleset_change", args=[rule_set.pk]))
    assert response.status_code == 200
    assert "本地承诺时限" in response.content.decode()


def test_copying_a_rule_set_copies_its_rules_and_targets(admin_client):
    source = RuleSet.objects.get(code=ZHEJIANG)
    admin_client.post(
        reverse("admin:clock_ruleset_changelist"),
        {"action": "copy_rule_sets", "_selected_action": [source.pk]},
    )
    copy = RuleSet.objects.get(code="zhejiang-copy")
    assert not copy.is_national_default
    assert ClockRule.objects.filter(rule_set=copy).count() == source.rules.count()
    assert copy.targets.count() == source.targets.count()


def test_assigning_a_rule_set_in_the_admin_explains_it_applies_to_new_deadlines(cast, admin_client):
    response = admin_client.post(
        reverse("admin:clock_orgruleset_add"),
        {"org": cast.city.pk, "rule_set": RuleSet.objects.get(code=ZHEJIANG).pk, "effective_from": "2024-01-01"},
        follow=True,
    )
    assert "此后开始计算的期限" in response.content.decode()
    assert OrgRuleSet.objects.filter(org=cast.city).exists()
