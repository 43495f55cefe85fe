"""What the case page, its forms and its notices say (defects found trying the product as each role)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from xinfang.cases import actions as A
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import register

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def html(response):
    return response.content.decode()


def test_a_notice_prints_the_local_date_of_an_early_morning_petition(cast, flow, clock):
    # 07:30 on 1 March in Beijing is still 29 February in UTC.
    clock.set(datetime(2024, 3, 1, 7, 30, tzinfo=SHANGHAI))
    case = flow.register(received_at=datetime(2024, 3, 1, 7, 30, tzinfo=SHANGHAI))
    case = flow.accept(flow.sign_for(flow.assign(case)))
    notice = case.events.get(action="accept").document
    assert "你（们）于2024年3月1日提出的信访事项" in notice
    assert "2024年2月29日" not in notice
    assert "将依法于受理之日起六十日内办结" in notice  # the handling rule's period, in words


def test_the_accept_form_offers_handlers_by_name_post_and_username_not_the_unit_head(cast, flow, login):
    colleague = make_user("handler_b", cast.dept, "handler", full_name="李明")
    colleague.title = "耕地保护科科员"
    colleague.save()
    case = flow.sign_for(flow.assign(flow.register()))
    form = html(login(cast.dept_officer).get(f"/cases/{case.pk}/act/accept/"))
    assert f'<option value="{colleague.pk}">李明（耕地保护科科员，handler_b）</option>' in form
    assert f'<option value="{cast.handler.pk}">handler</option>' in form
    assert f'value="{cast.unit_head.pk}"' not in form


def test_the_delivery_form_marks_what_was_delivered_and_offers_the_first_undelivered(cast, flow, login):
    case = flow.replied()  # the acceptance notice, then the reply opinion
    flow.deliver(case, notice="acceptance")
    form = html(login(cast.dept_officer).get(f"/cases/{case.pk}/act/record_delivery/"))
    assert '<option value="reply" selected>信访事项处理意见书</option>' in form
    assert '<option value="acceptance">受理告知书（已送达）</option>' in form


def test_the_page_says_which_deadline_is_meant(cast, flow, login):
    case = flow.handling()
    page = html(login(cast.handler).get(f"/cases/{case.pk}/"))
    assert f"办理期限 {case.due_date:%Y-%m-%d}" in page
    workbench = html(login(cast.handler).get("/cases/?tab=handling"))
    assert "<th>当前期限</th>" in workbench
    assert '<span class="muted">办理</span><br>' in workbench


def test_the_acceptance_clock_tells_the_decision_from_the_delivery_of_its_notice(cast, flow, login, clock):
    clock.set(date(2025, 3, 3))
    case = flow.handling()
    page = html(login(cast.handler).get(f"/cases/{case.pk}/"))
    assert "已作出决定并出具告知书（2025-03-03）" in page and "告知书尚未送达" in page
    clock.set(date(2025, 3, 5))
    flow.deliver(case, notice="acceptance")
    page = html(login(cast.handler).get(f"/cases/{case.pk}/"))
    assert "告知书已送达 2025-03-05" in page and "告知书尚未送达" not in page


def test_a_range_error_in_the_api_names_its_limit(cast, client):
    from xinfang.api.models import ApiToken

    token = ApiToken.issue(cast.officer)[1]
    response = client.get("/api/v1/cases?limit=101", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.json()["message"] == "请求数据有误：“limit”不能大于100"


def test_an_extension_over_the_rule_sets_cap_names_the_cap(cast, flow):
    from xinfang.cases.errors import Invalid

    case = flow.handling()
    with pytest.raises(Invalid) as exc:
        A.do_request_extension(case, actor=cast.handler, days=31, reason="需要鉴定")
    assert exc.value.message == "延期天数应为1至30日" and exc.value.field == "days"


def test_a_province_with_a_twenty_day_cap_sees_twenty_everywhere(cast, flow, login):
    from xinfang.clock.models import Clock, ClockRule, OrgRuleSet, RuleSet
    from xinfang.clock.rules import national_default

    default = national_default(date.today())
    strict = RuleSet.objects.create(code="strict", name="某省规则", effective_from=date(2020, 1, 1))
    for rule in default.rules.all():
        ClockRule.objects.create(
            rule_set=strict,
            clock=rule.clock,
            days=20 if rule.clock == Clock.EXTENSION else rule.days,
            working=rule.working,
            roll_forward=rule.roll_forward,
        )
    OrgRuleSet.objects.create(org=cast.county, rule_set=strict, effective_from=date(2020, 1, 1))
    case = flow.handling()
    form = html(login(cast.handler).get(f"/cases/{case.pk}/act/request_extension/"))
    assert "延期天数（最长20日）" in form and 'max="20"' in form
    from xinfang.cases.errors import Invalid

    with pytest.raises(Invalid) as exc:
        A.do_request_extension(case, actor=cast.handler, days=21, reason="需要鉴定")
    assert exc.value.message == "延期天数应为1至20日"
    doc = login(cast.handler).get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/cases/{case_id}/extension/request"]["post"]
    assert "某省规则20日" in operation["description"]


def test_registering_as_another_org_never_reaches_this_page(cast, login):
    case = register(cast.registrar)
    assert login(cast.other_officer).get(f"/cases/{case.pk}/").status_code == 404
