"""查询办理进度: one answer for every refusal, a lockout, and only what the petitioner may see."""

import re

import pytest

from xinfang.cases.actions import do_record_step
from xinfang.cases.models import CaseEvent
from xinfang.portal.models import Submission
from xinfang.portal.tests.conftest import registration_post

pytestmark = pytest.mark.django_db

PASSWORD = "qinghe-2026"
REFUSED = "查询码或查询密码不正确，或尝试次数过多。请核对后再试，或稍后再试。"


def sign_in(client, code, password=PASSWORD):
    return client.post("/portal/track/", {"query_code": code, "password": password})


def without_token(response) -> str:
    """The page without its CSRF token and without the query code echoed back as typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'name="query_code" value="[^"]*"', 'name="query_code"', html)


def registered(cast, staff, **changes):
    submission = Submission.objects.get()
    staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission, **changes))
    submission.refresh_from_db()
    return submission.case


def test_before_registration_the_letter_is_waiting(client, submit):
    code = submit()
    response = sign_in(client, code.lower().replace("-", " "))  # as typed: case and separators do not matter
    assert response["Location"] == "/portal/track/case/"
    html = client.get("/portal/track/case/").content.decode()
    assert "<strong>已提交，等待信访工作机构登记。</strong>" in html
    assert "小区电梯长期停运无人维修" in html


def test_a_wrong_code_and_a_wrong_password_get_the_same_answer(client, submit):
    code = submit()
    wrong_password = sign_in(client, code, "not-the-password")
    wrong_code = sign_in(client, "2222-3333-4444-5555-6666")
    assert wrong_password.status_code == wrong_code.status_code == 200
    assert REFUSED in wrong_password.content.decode()
    assert without_token(wrong_password) == without_token(wrong_code)


def test_failures_lock_the_code_with_the_same_answer(client, clock, submit, settings):
    code = submit()
    settings.PORTAL_CAPTCHA_AFTER_FAILURES = 1000  # the address's captcha is another defence (test_security)
    clock.set(clock.now())
    for _ in range(settings.PORTAL_TRACK_FAILURES):
        sign_in(client, code, "not-the-password")
    locked = sign_in(client, code)
    assert locked.status_code == 200
    assert without_token(locked) == without_token(sign_in(client, "2222-3333-4444-5555-6666"))
    clock.advance(minutes=settings.PORTAL_TRACK_LOCK_MINUTES + 1)
    assert sign_in(client, code)["Location"] == "/portal/track/case/"


def test_tracking_is_rate_limited_per_address(client, submit, settings):
    code = submit()
    settings.PORTAL_TRACK_PER_IP_HOUR = 2
    sign_in(client, "2222-3333-4444-5555-6666")
    sign_in(client, "2222-3333-4444-5555-7777")
    assert REFUSED in sign_in(client, code).content.decode()


def test_the_case_is_shown_in_plain_words_with_deadlines_and_notices(cast, client, flow, submit, staff):
    code = submit()
    case = registered(cast, staff)
    flow.assign(case)
    flow.sign_for(case)
    flow.accept(case)
    do_record_step(case, actor=cast.handler, kind="investigation", description="内部：约谈物业公司经理")
    sign_in(client, code)
    html = client.get("/portal/track/case/").content.decode()
    assert "<dt>当前状态</dt><dd><strong>已受理，正在办理</strong></dd>" in html
    assert "<dt>办理单位</dt><dd>清河县自然资源局</dd>" in html
    assert "<td>办结并出具处理意见</td><td>清河县自然资源局</td>" in html
    assert re.search(r"前<br><span class=\"days-left\">还有\d+天</span>", html)
    acceptance = CaseEvent.objects.get(case=case, notice="acceptance")
    assert "<h3>受理告知书</h3>" in html
    assert acceptance.document.splitlines()[0] in html
    for hidden in ("约谈物业公司经理", "dept_officer", "unit_head", "registrar", cast.handler.display_name):
        assert hidden not in html


def test_an_accusation_shows_nothing_of_the_accused(cast, client, submit, staff):
    code = submit(kind="accusation", accused_name="东岗镇某副镇长")
    case = registered(cast, staff)
    assert case.accused_name == "东岗镇某副镇长"
    sign_in(client, code)
    html = client.get("/portal/track/case/").content.decode()
    assert "已登记，正在转送或交办有权处理的机关" in html
    assert "东岗镇某副镇长" not in html


def test_signing_out_ends_the_portal_session(client, submit):
    code = submit()
    sign_in(client, code)
    client.post("/portal/track/sign-out/")
    assert client.get("/portal/track/case/")["Location"] == "/portal/track/"


def test_the_tracking_page_is_a_fixed_number_of_queries(cast, client, flow, submit, staff, django_assert_num_queries):
    code = submit()
    case = registered(cast, staff)
    flow.assign(case)
    sign_in(client, code)
    with django_assert_num_queries(9):
        assert client.get("/portal/track/case/").status_code == 200
