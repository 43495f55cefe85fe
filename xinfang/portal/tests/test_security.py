"""A public site: a captcha after repeated failures, and refusals that tell nothing (status, body, timing)."""

import re
import statistics
import time

import pytest

from xinfang.portal import captcha
from xinfang.portal.tests.test_track import PASSWORD, REFUSED, sign_in, without_token
from xinfang.portal.tests.test_track_identity import PHONE, id_number

pytestmark = pytest.mark.django_db

UNKNOWN = "2222-3333-4444-5555-6666"


def test_the_captcha_is_asked_after_repeated_failures_from_one_address(client, submit, monkeypatch):
    code = submit()
    for _ in range(captcha.after() - 1):
        assert 'name="captcha"' not in sign_in(client, UNKNOWN).content.decode()
    page = sign_in(client, UNKNOWN).content.decode()
    assert '<img src="/portal/captcha.png" alt="图形验证码，看不清可刷新页面换一张"' in page
    # Without the right answer even the right code and password do not get in.
    response = sign_in(client, code)
    assert '<span class="error" id="id_captcha_error">图形验证码不正确，请重新输入</span>' in response.content.decode()
    monkeypatch.setattr(captcha, "_challenge", lambda: "K7QM")
    image = client.get("/portal/captcha.png")
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert image.content.startswith(b"\x89PNG")
    response = client.post("/portal/track/", {"query_code": code, "password": PASSWORD, "captcha": "k7qm"})
    assert response["Location"] == "/portal/track/case/"


def test_a_captcha_answer_is_good_for_one_try(client, submit, monkeypatch):
    code = submit()
    for _ in range(captcha.after()):
        sign_in(client, UNKNOWN)
    monkeypatch.setattr(captcha, "_challenge", lambda: "K7QM")
    client.get("/portal/captcha.png")
    client.post("/portal/track/", {"query_code": UNKNOWN, "password": "x", "captcha": "K7QM"})
    again = client.post("/portal/track/", {"query_code": code, "password": PASSWORD, "captcha": "K7QM"})
    assert "图形验证码不正确，请重新输入" in again.content.decode()


def test_the_sms_code_lookup_asks_the_captcha_after_wrong_codes(client, submit, sms_log):
    submit()
    form = {"id_number": id_number(), "phone": PHONE, "sms_code": "000000", "verify": "1"}
    client.post("/portal/track/by-id/", {**form, "send_code": "1"})
    for _ in range(captcha.after()):
        client.post("/portal/track/by-id/", form)
    page = client.post("/portal/track/by-id/", form).content.decode()
    assert '<span class="error" id="id_captcha_error">图形验证码不正确，请重新输入</span>' in page


def _timed(fn, n=7):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_wrong_code_wrong_password_and_unknown_code_are_identical(client, submit, settings):
    """Same status and body; median times within 50 ms of each other (the hasher runs in every case)."""
    code = submit()
    settings.PORTAL_TRACK_FAILURES = 1000
    settings.PORTAL_TRACK_PER_IP_HOUR = 1000
    # The captcha is per address and asked of all alike; kept off here to time the refusal itself.
    settings.PORTAL_CAPTCHA_AFTER_FAILURES = 1000
    wrong_password = sign_in(client, code, "not-the-password")
    wrong_code = sign_in(client, code[:-1] + ("2" if code[-1] != "2" else "3"))
    unknown = sign_in(client, UNKNOWN)
    assert wrong_password.status_code == wrong_code.status_code == unknown.status_code == 200
    assert REFUSED in wrong_password.content.decode()
    assert without_token(wrong_password) == without_token(wrong_code) == without_token(unknown)
    t_password = _timed(lambda: sign_in(client, code, "not-the-password"))
    t_unknown = _timed(lambda: sign_in(client, UNKNOWN))
    assert abs(t_password - t_unknown) < 0.05, (t_password, t_unknown)


STRANGER = "11010519491231002"


def _by_id(client, id_first17: str | None, **data):
    from xinfang.portal.tests.test_track_identity import id_number as make_id

    number = make_id(id_first17) if id_first17 else make_id()
    return client.post("/portal/track/by-id/", {"id_number": number, "phone": PHONE, "sms_code": "", **data})


def _without_typed(response) -> str:
    """The page without its CSRF token and the ID number echoed back as typed."""
    html = without_token(response)
    return re.sub(r'name="id_number" value="[^"]*"', 'name="id_number"', html)


def test_an_unknown_id_number_gets_the_same_answer_as_one_that_wrote(client, submit, sms_log, settings):
    """Asking a code and typing a wrong one: same status and body for a writer's ID number and a
    stranger's; median times within 50 ms (the one difference, the SMS sent, is not waited on long)."""
    settings.PORTAL_SMS_GAP_SECONDS = 0
    settings.PORTAL_SMS_PER_PHONE_HOUR = settings.PORTAL_SMS_PER_IP_HOUR = 1000
    settings.PORTAL_CAPTCHA_AFTER_FAILURES = 1000
    submit()
    client.cookies.clear()
    before = len(sms_log.sent())
    sent = [_by_id(client, None, send_code="1")]
    assert len(sms_log.sent()) == before + 1  # the writer's number gets a code
    sent.append(_by_id(client, STRANGER, send_code="1"))
    assert len(sms_log.sent()) == before + 1  # the stranger's answer is the same, with nothing sent
    assert sent[0].status_code == sent[1].status_code == 200
    assert "验证码已发送到该手机" in sent[0].content.decode()
    assert _without_typed(sent[0]) == _without_typed(sent[1])
    wrong = []
    for who in (None, STRANGER):
        _by_id(client, who, send_code="1")
        wrong.append(_by_id(client, who, sms_code="000000", verify="1"))
    assert wrong[0].status_code == wrong[1].status_code == 200
    assert "短信验证码不正确，请核对" in wrong[0].content.decode()
    assert _without_typed(wrong[0]) == _without_typed(wrong[1])
    t_writer = _timed(lambda: _by_id(client, None, send_code="1"))
    t_stranger = _timed(lambda: _by_id(client, STRANGER, send_code="1"))
    assert abs(t_writer - t_stranger) < 0.05, (t_writer, t_stranger)
    t_writer = _timed(lambda: _by_id(client, None, sms_code="000000", verify="1"))
    t_stranger = _timed(lambda: _by_id(client, STRANGER, sms_code="000000", verify="1"))
    assert abs(t_writer - t_stranger) < 0.05, (t_writer, t_stranger)
