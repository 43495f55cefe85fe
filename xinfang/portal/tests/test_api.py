"""/api/portal/v1/: the portal's operations for a petitioner's token; a staff token means nothing here."""

import pytest

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Status
from xinfang.portal.api import REFUSED
from xinfang.portal.models import Submission
from xinfang.portal.tests.conftest import registration_post
from xinfang.portal.tests.test_track import PASSWORD

pytestmark = pytest.mark.django_db

API = "/portal/api/portal/v1"


def get_token(client, code, password=PASSWORD):
    return client.post(f"{API}/token", {"query_code": code, "password": password}, content_type="application/json")


@pytest.fixture
def answered(cast, client, flow, submit, staff):
    code = submit()
    submission = Submission.objects.get()
    staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    submission.refresh_from_db()
    case = submission.case
    for step in (flow.assign, flow.sign_for, flow.accept, flow.reply):
        step(case)
    token = get_token(client, code).json()["token"]
    return case, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_wrong_code_and_a_wrong_password_get_the_same_401(client, submit):
    code = submit()
    wrong_password = get_token(client, code, "not-the-password")
    unknown = get_token(client, "2222-3333-4444-5555-6666")
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json() == {"message": REFUSED}


def test_the_petitioner_confirms_evaluates_and_asks_for_review_through_the_api(client, answered, clock):
    case, auth = answered
    body = client.get(f"{API}/case", **auth).json()
    assert (body["registered"], body["number"]) == (True, case.number)
    reply = next(n for n in body["notices"] if n["notice"] == "reply")
    assert (reply["delivered_on"], reply["confirmable"]) == (None, True)
    assert body["can_evaluate"] is False
    done = client.post(f"{API}/case/confirm", {"notice": "reply"}, content_type="application/json", **auth)
    assert (done.status_code, done.json()) == (200, {"message": "已确认收到，送达日期已记录"})
    body = client.get(f"{API}/case", **auth).json()
    reply = next(n for n in body["notices"] if n["notice"] == "reply")
    assert (reply["delivered_on"], reply["delivery_method"]) == (clock.today().isoformat(), "电子送达")
    assert body["can_evaluate"] is True
    assert [r["action"] for r in body["requests"] if r["open"]] == ["review"]
    evaluated = client.post(
        f"{API}/case/evaluate",
        {"evaluation": "unsatisfied", "comment": "未落实"},
        content_type="application/json",
        **auth,
    )
    assert evaluated.json() == {"message": "已提交您的评价，谢谢"}
    again = client.post(f"{API}/case/evaluate", {"evaluation": "satisfied"}, content_type="application/json", **auth)
    assert (again.status_code, again.json()) == (422, {"message": "您已评价过这份答复意见"})
    asked = client.post(f"{API}/case/review", {"reasons": "物业仍未维修"}, content_type="application/json", **auth)
    assert asked.json() == {"message": "已提交复查申请"}
    case.refresh_from_db()
    assert case.status == Status.REVIEW_REQUESTED
    assert CaseEvent.objects.get(case=case, action="request_review").actor_kind == "petitioner"


def test_no_token_a_forged_one_or_a_staff_token_is_refused(cast, client, answered):
    from xinfang.api.models import ApiToken

    _case, _auth = answered
    assert client.get(f"{API}/case").status_code == 401
    assert client.get(f"{API}/case", HTTP_AUTHORIZATION="Bearer 12.abc").status_code == 401
    _row, staff_token = ApiToken.issue(cast.registrar, name="测试")
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {staff_token}").status_code == 200
    assert client.get(f"{API}/case", HTTP_AUTHORIZATION=f"Bearer {staff_token}").status_code == 401


def test_a_token_expires(client, answered, clock):
    _case, auth = answered
    clock.set(clock.now())
    clock.advance(minutes=29)
    assert client.get(f"{API}/case", **auth).status_code == 200
    clock.advance(minutes=2)
    assert client.get(f"{API}/case", **auth).status_code == 401


def test_the_api_publishes_its_openapi_schema(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["info"]["title"] == "信访人查询接口"
    assert {"/portal/api/portal/v1/token", "/portal/api/portal/v1/case", "/portal/api/portal/v1/case/confirm"} <= set(
        schema["paths"]
    )
