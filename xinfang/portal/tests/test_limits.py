"""Limits on a public site: each of submit, SMS codes and tracking counted per address and per identity,
and the captcha asked on 我要写信 (sending a code, the final submit) after repeated failures."""

import pytest
from django.core.cache import cache

from xinfang.portal import captcha, limits
from xinfang.portal.models import Submission
from xinfang.portal.tests.conftest import OTHER_PHONE, PHONE, id_number, letter
from xinfang.portal.tests.test_track import PASSWORD, REFUSED, sign_in

pytestmark = pytest.mark.django_db

BUSY = '<p class="msg error" role="status">操作过于频繁，请稍后再试</p>'
CAPTCHA_WRONG = '<span class="error" id="id_captcha_error">图形验证码不正确，请重新输入</span>'
CAPTCHA_ASKED = '<img src="/portal/captcha.png" alt="图形验证码，看不清可刷新页面换一张"'
UNKNOWN = "2222-3333-4444-5555-6666"
STRANGER = id_number("11010519491231002")


@pytest.fixture
def no_gap(settings):
    settings.PORTAL_SMS_GAP_SECONDS = 0


def known_captcha(client, monkeypatch, answer="K7QM") -> str:
    """Show a captcha image whose answer the test knows."""
    monkeypatch.setattr(captcha, "_challenge", lambda: answer)
    assert client.get("/portal/captcha.png").status_code == 200
    return answer


# --- SMS codes --------------------------------------------------------------------------------


def test_codes_are_one_a_minute_per_number(client, mailbox, category, sms_log, settings):
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    again = client.post("/portal/write/", {**data, "send_code": "1"}, REMOTE_ADDR="10.0.0.9")
    assert BUSY in again.content.decode()
    assert len(sms_log.sent()) == 1


def test_pressing_for_a_code_again_within_the_minute_does_not_use_up_the_hour(
    client, mailbox, category, sms_log, settings
):
    settings.PORTAL_SMS_PER_PHONE_HOUR = 2
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    for _ in range(3):  # impatient: the code has not arrived yet
        assert BUSY in client.post("/portal/write/", {**data, "send_code": "1"}).content.decode()
    cache.delete(limits._key("sms-gap", PHONE))  # the minute is over
    again = client.post("/portal/write/", {**data, "send_code": "1"}).content.decode()
    assert "验证码已发送至138****8000，10分钟内有效" in again
    assert len(sms_log.sent()) == 2
    assert limits.count("sms-phone", PHONE) == 2


def test_codes_are_limited_per_number_an_hour_from_any_address(client, mailbox, category, sms_log, settings, no_gap):
    settings.PORTAL_SMS_PER_PHONE_HOUR = 2
    data = letter(mailbox, category)
    for i in range(2):
        client.post("/portal/write/", {**data, "send_code": "1"}, REMOTE_ADDR=f"10.0.0.{i}")
    third = client.post("/portal/write/", {**data, "send_code": "1"}, REMOTE_ADDR="10.0.0.7")
    assert BUSY in third.content.decode()
    assert len(sms_log.sent()) == 2


def test_codes_are_limited_per_address_an_hour_whatever_the_number(
    client, mailbox, category, sms_log, settings, no_gap
):
    settings.PORTAL_SMS_PER_IP_HOUR = 2
    for phone in ("13812348000", "13912349000"):
        client.post("/portal/write/", {**letter(mailbox, category, phone=phone), "send_code": "1"})
    third = client.post("/portal/write/", {**letter(mailbox, category, phone="13712347000"), "send_code": "1"})
    assert BUSY in third.content.decode()
    assert len(sms_log.sent()) == 2
    # Another address still gets its code.
    other = client.post(
        "/portal/write/", {**letter(mailbox, category, phone="13712347000"), "send_code": "1"}, REMOTE_ADDR="10.0.0.8"
    )
    assert "验证码已发送至137****7000，10分钟内有效" in other.content.decode()


def test_the_id_number_lookup_sends_codes_within_the_per_id_limit(client, submit, sms_log, settings, no_gap):
    """Asking codes for one ID number from many numbers and addresses stops at the per-ID limit."""
    submit()
    settings.PORTAL_SMS_PER_PHONE_HOUR = 2
    client.cookies.clear()
    form = {"id_number": id_number(), "sms_code": "", "send_code": "1"}
    for i, phone in enumerate(("13712347000", OTHER_PHONE)):
        client.post("/portal/track/by-id/", {**form, "phone": phone}, REMOTE_ADDR=f"10.0.1.{i}")
    before = len(sms_log.sent())
    third = client.post("/portal/track/by-id/", {**form, "phone": PHONE}, REMOTE_ADDR="10.0.1.9")
    assert BUSY in third.content.decode()
    assert len(sms_log.sent()) == before  # not even to the number the letter was confirmed with


# --- submitting -------------------------------------------------------------------------------


def test_submitting_is_limited_per_address_whoever_writes(client, submit, write, settings):
    settings.PORTAL_SUBMITS_PER_IP_DAY = 1
    submit()
    write(id_number=STRANGER, phone=OTHER_PHONE)  # someone else, from the same address
    response = client.post("/portal/write/confirm/", {"submit": "1"})
    assert response.status_code == 429
    assert '<p class="lead">操作过于频繁，请稍后再试</p>' in response.content.decode()
    assert Submission.objects.count() == 1


def test_a_refusal_at_a_busy_shared_address_does_not_count_against_the_person(client, submit, write, settings):
    settings.PORTAL_SUBMITS_PER_IP_DAY = 1
    settings.PORTAL_SUBMITS_PER_ID_DAY = 1
    submit()
    write(id_number=STRANGER, phone=OTHER_PHONE)  # someone else at the same service point
    assert client.post("/portal/write/confirm/", {"submit": "1"}).status_code == 429
    assert limits.count("submit-id", STRANGER) == 0
    elsewhere = client.post("/portal/write/confirm/", {"submit": "1"}, REMOTE_ADDR="10.0.0.8")
    assert elsewhere["Location"] == "/portal/write/done/"
    assert Submission.objects.count() == 2


def test_the_final_submit_asks_the_captcha_after_failures_from_the_address(client, write, monkeypatch):
    write()
    for _ in range(captcha.after()):
        sign_in(client, UNKNOWN)
    asked = client.get("/portal/write/confirm/").content.decode()
    assert CAPTCHA_ASKED in asked
    refused = client.post("/portal/write/confirm/", {"submit": "1", "captcha": "WRONG"})
    assert refused.status_code == 422
    assert CAPTCHA_WRONG in refused.content.decode()
    assert not Submission.objects.exists()
    answer = known_captcha(client, monkeypatch)
    response = client.post("/portal/write/confirm/", {"submit": "1", "captcha": answer.lower()})
    assert response["Location"] == "/portal/write/done/"
    assert Submission.objects.count() == 1


def test_wrong_sms_codes_on_the_letter_form_bring_the_captcha_before_another_code(
    client, mailbox, category, sms_log, monkeypatch, no_gap
):
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    wrong = "000000" if sms_log.last_code() != "000000" else "111111"
    for _ in range(captcha.after()):
        page = client.post("/portal/write/", {**data, "sms_code": wrong, "next": "1"}).content.decode()
    assert CAPTCHA_ASKED in page
    sent = len(sms_log.sent())
    refused = client.post("/portal/write/", {**data, "send_code": "1", "captcha": "WRONG"}).content.decode()
    assert CAPTCHA_WRONG in refused
    assert '<a href="#id_captcha">图形验证码不正确，请重新输入</a>' in refused
    assert len(sms_log.sent()) == sent
    answer = known_captcha(client, monkeypatch)
    response = client.post("/portal/write/", {**data, "send_code": "1", "captcha": answer})
    assert "验证码已发送至138****8000，10分钟内有效" in response.content.decode()
    assert len(sms_log.sent()) == sent + 1


def test_before_any_failure_no_captcha_is_asked_on_the_letter_form(client, mailbox, category, sms_log):
    page = client.post("/portal/write/", {**letter(mailbox, category), "send_code": "1"}).content.decode()
    assert "验证码已发送至138****8000" in page
    assert 'name="captcha"' not in page


# --- tracking (the portal's only sign-in) and its API token -------------------------------------


def test_tracking_is_limited_per_query_code_from_any_address(client, submit, settings):
    code = submit()
    settings.PORTAL_TRACK_FAILURES = 1000  # not the lockout: the hourly limit on one code
    settings.PORTAL_CAPTCHA_AFTER_FAILURES = 1000
    settings.PORTAL_TRACK_PER_IP_HOUR = 3
    for i in range(3):
        client.post("/portal/track/", {"query_code": code, "password": "guess"}, REMOTE_ADDR=f"10.0.2.{i}")
    right = client.post("/portal/track/", {"query_code": code, "password": PASSWORD}, REMOTE_ADDR="10.0.2.9")
    assert right.status_code == 200
    assert REFUSED in right.content.decode()


def test_the_api_token_counts_against_the_same_limits(client, submit, settings):
    code = submit()
    settings.PORTAL_TRACK_PER_IP_HOUR = 2
    for _ in range(2):
        sign_in(client, UNKNOWN)
    response = client.post(
        "/portal/api/portal/v1/token", {"query_code": code, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 401
