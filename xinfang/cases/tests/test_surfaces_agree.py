"""The screens and the API are two faces of the same action specs: same routes refused, same rules, same due state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.spec import specs
from xinfang.cases.states import Kind
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import make_petitioner, register, valid_id_number
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SPECS = specs()


@pytest.fixture
def api(client, cast):
    from xinfang.api.models import ApiToken

    def as_(user):
        token = ApiToken.issue(user)[1]

        class Client:
            def get(self, url, **kw):
                return client.get(url, headers={"Authorization": f"Bearer {token}"}, **kw)

            def post(self, url, data=None):
                return client.post(
                    url, data or {}, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
                )

        return Client()

    return as_


def valid_body(spec, cast, case):
    """A request body that passes the action's schema, so that only the scope can refuse it."""
    from xinfang.cases import inputs as I

    body = {}
    for inp in spec.inputs:
        if isinstance(inp, I.OrgPick):
            body[inp.api_key] = [] if inp.multiple else cast.dept.pk
        elif isinstance(inp, I.UserPick):
            body[inp.api_key] = cast.handler.pk
        elif isinstance(inp, I.CasePick):
            body[inp.api_key] = case.pk
        elif isinstance(inp, I.Choice):
            body[inp.api_key] = inp.enum.values[0]
        elif isinstance(inp, I.Day):
            body[inp.api_key] = timezone.localdate().isoformat()
        elif isinstance(inp, I.Moment):
            body[inp.api_key] = timezone.localtime().isoformat()
        elif isinstance(inp, I.Number):
            body[inp.api_key] = 1
        else:
            body[inp.api_key] = "说明"
    return body


@pytest.mark.parametrize("spec", SPECS, ids=[s.action for s in SPECS])
def test_every_action_route_is_a_404_for_the_other_county_and_the_accused_unit(cast, flow, client, api, spec):
    ours = flow.register()
    accusation = register(cast.registrar, kind=Kind.ACCUSATION, accused_org=cast.dept, accused_name="某局长")
    accused_staff = make_user("dept_clerk", cast.dept, "petition_officer", "handler", "unit_head")
    for user, case in ((cast.other_officer, ours), (accused_staff, accusation)):
        client.force_login(user)
        assert client.get(f"/cases/{case.pk}/act/{spec.action}/").status_code == 404
        assert client.post(f"/cases/{case.pk}/act/{spec.action}/", {"version": case.version}).status_code == 404
        response = api(user).post(f"/api/v1/cases/{case.pk}/{spec.api_path}", valid_body(spec, cast, case))
        assert response.status_code == 404, response.content
        assert response.json() == {"code": "not_found", "message": "未找到该对象，或您无权查看", "field": None}


def test_assigning_outside_the_routers_government_is_refused_alike_and_forwarding_is_allowed(cast, flow, login, api):
    message = "远山县自然资源局不在清河县人民政府范围内，不能交办；跨区域的有权处理机关请用“转送”"
    case = flow.register()
    screen = login(cast.officer).post(
        f"/cases/{case.pk}/act/assign/", {"version": case.version, "org": cast.other_dept.pk}
    )
    assert screen.status_code == 422 and message in screen.content.decode()
    over_api = api(cast.officer).post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.other_dept.pk})
    assert over_api.status_code == 422
    assert over_api.json() == {"code": "invalid", "message": message, "field": "lead_org_id"}
    # 转送 to the competent organ of another county is lawful (art 22), on both surfaces.
    form = login(cast.officer).get(f"/cases/{case.pk}/act/forward/").content.decode()
    assert "其他地区或上级的有权处理机关（跨区域转送）" in form and f'value="{cast.other_dept.pk}"' in form
    forwarded = api(cast.officer).post(f"/api/v1/cases/{case.pk}/forward", {"to_org_id": cast.other_dept.pk})
    assert forwarded.status_code == 200 and forwarded.json()["current_org"]["name"] == "远山县自然资源局"
    other = flow.register()
    screen = login(cast.officer).post(
        f"/cases/{other.pk}/act/forward/", {"version": other.version, "org": cast.other_dept.pk}
    )
    assert screen.status_code == 302


def test_a_case_paused_for_a_hearing_is_neither_overdue_nor_due_soon_anywhere(cast, flow, login, api, now_at):
    from datetime import date

    now_at(date(2025, 3, 3))
    case = flow.handling()
    A.do_start_hearing(case, actor=cast.handler, day=date(2025, 3, 3))
    now_at(date(2025, 6, 1))  # long after the handling period would have run out
    case.refresh_from_db()
    assert case.due_date < date(2025, 6, 1) and case.hearing_open
    listed = api(cast.dept_officer).get("/api/v1/cases?due=overdue").json()
    assert listed["count"] == 0
    item = api(cast.dept_officer).get("/api/v1/cases").json()["items"][0]
    assert item["overdue"] is False and item["due_state"] == "paused"
    assert api(cast.dept_officer).get("/api/v1/cases?due=paused").json()["count"] == 1
    page = login(cast.unit_head).get("/cases/?tab=overdue").content.decode()
    assert case.number not in page
    page = login(cast.unit_head).get("/cases/?tab=handling").content.decode()
    assert "已中止计时" in page and "超期" not in page.split(case.number, 1)[1].split("</tr>", 1)[0]


# --- looking up a petitioner's cases by number ------------------------------------------------


def test_a_number_is_looked_up_from_a_post_body_audited_and_only_by_roles_that_may_reveal(cast, flow, login, api):
    number = valid_id_number()
    p = make_petitioner(cast.registrar, id_number=number, phones=["13812345678"])
    case = flow.register(petitioners=[(p, True)])
    other = flow.register()
    client = login(cast.registrar)
    body = client.post("/cases/", {"person_number": number}).content.decode()
    assert case.number in body and other.number not in body and "按号码查找的结果，共 1 件" in body
    event = AuditEvent.objects.get(action=AuditAction.REVEAL, actor=cast.registrar)
    assert event.target == "按号码查找：查找信访人的信访件" and number not in event.detail
    assert api(cast.registrar).post("/api/v1/cases/lookup", {"number": "138 1234 5678"}).json()["count"] == 1
    # In a URL the number is not used as one (it would sit in every access log).
    body = client.get(f"/cases/?tab=search&q={number}").content.decode()
    assert "身份证号码、电话号码请在“按号码查找”中输入（号码不放在网址中）" in body and case.number not in body
    # A statistician may not reveal, so may not look up by number either.
    refused = api(cast.statistician).post("/api/v1/cases/lookup", {"number": number})
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "按身份证号码或电话号码查找信访件仅限可查看个人信息的角色（登记员、受理交办员、承办人、负责人）"
    )
    assert "按号码查找" not in login(cast.statistician).get("/cases/?tab=search").content.decode()


def test_cases_are_found_by_the_petitioners_name(cast, flow, login):
    p = make_petitioner(cast.registrar, name="欧阳小明")
    case = flow.register(petitioners=[(p, True)])
    other = flow.register()
    body = login(cast.officer).get("/cases/?tab=search&q=欧阳").content.decode()
    assert case.number in body and other.number not in body


def test_the_received_date_filter_uses_the_local_date(cast, login):
    early = register(cast.registrar, summary="清晨来访", received_at=timezone.now() - timedelta(days=1))
    day = timezone.localtime(early.received_at).date()
    body = login(cast.officer).get(f"/cases/?tab=search&received_from={day}&received_to={day}").content.decode()
    assert early.number in body


def test_the_queryset_methods_are_the_due_states(cast, flow, now_at):
    from datetime import date

    from xinfang.cases.access import scoped_cases

    now_at(date(2025, 3, 3))
    late, paused = flow.handling(), flow.handling()
    A.do_start_hearing(paused, actor=cast.handler, day=date(2025, 3, 3))
    now_at(date(2025, 6, 1))
    cases = scoped_cases(cast.unit_head)
    assert list(cases.overdue()) == [late] and list(cases.paused()) == [paused]
    assert list(cases.due_soon()) == [] and set(cases.running()) == {late}
