"""我要写信: identity checked, the mobile number confirmed by SMS, the periods in force, a receipt shown once."""

import re

import pytest
from django.contrib.auth.hashers import check_password

from xinfang.clock.models import Clock
from xinfang.clock.rules import rule_for
from xinfang.core import clock as core_clock
from xinfang.core.masking import mask_id_number
from xinfang.petitioners import crypto
from xinfang.portal.credentials import query_code_hash
from xinfang.portal.models import Submission, SubmissionStatus
from xinfang.portal.tests.conftest import OTHER_PHONE, PHONE, id_number, letter

pytestmark = pytest.mark.django_db


def test_a_letter_confirmed_by_sms_is_stored_encrypted_with_a_query_code(
    client, mailbox, category, sms_log, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code = submit()
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.PENDING
    assert submission.mailbox == mailbox
    assert (submission.name, submission.kind, submission.category) == ("张三", "claim", category)
    assert submission.id_masked == mask_id_number(id_number())
    assert submission.decrypt_id_number() == id_number()
    assert id_number() not in submission.id_number_enc
    assert submission.id_number_hash == crypto.hash_value(id_number())
    assert submission.decrypt_phone() == PHONE
    assert submission.phone_masked == "138****8000"
    assert check_password("qinghe-2026", submission.password)
    assert submission.query_code_hash == query_code_hash(code)
    assert re.fullmatch(r"([2-9A-Z]{4}-){4}[2-9A-Z]{4}", code)
    assert submission.sms_consent is True
    # Two messages: the confirmation code and the receipt with the query code, the number masked.
    first, receipt = sms_log.sent()
    assert first["to"] == receipt["to"] == "138****8000"
    assert code in receipt["text"] and "qinghe-2026" not in receipt["text"]
    assert PHONE not in sms_log.path.read_text(encoding="utf-8")


def test_the_receipt_shows_the_query_code_once(client, submit):
    code = submit()
    again = client.get("/portal/write/done/")
    assert again.status_code == 410
    html = again.content.decode()
    assert "<h1>回执已显示过</h1>" in html
    assert code not in html


def test_a_wrong_id_number_is_a_field_error_in_plain_words(client, mailbox, category, sms_log):
    bad = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    response = client.post("/portal/write/", {**letter(mailbox, category, id_number=bad), "next": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="error" id="id_id_number_error">身份证号码校验位错误，请核对</span>' in html
    assert Submission.objects.count() == 0


def test_a_missing_addressee_or_kind_is_described_on_its_radio_group(client, mailbox, category, sms_log):
    data = {**letter(mailbox, category), "next": "1"}
    del data["mailbox"], data["kind"]
    response = client.post("/portal/write/", data)
    assert response.status_code == 200
    html = response.content.decode()
    for name, message in (("mailbox", "请选择写信给谁"), ("kind", "请选择信访类型")):
        assert f'<fieldset class="field invalid" aria-describedby="id_{name}_error">' in html
        assert f'<span class="error" id="id_{name}_error">{message}</span>' in html
    assert html.count('id="id_mailbox_error"') == 1 and Submission.objects.count() == 0


def test_a_15_digit_id_number_is_kept_as_its_18_digit_form(client, submit):
    submit(id_number="330781850615123")
    assert Submission.objects.get().decrypt_id_number() == id_number("33078119850615123")


def test_the_code_is_sent_to_the_typed_mobile_number_and_other_fields_wait(client, mailbox, category, sms_log):
    data = letter(mailbox, category, title="", content="")
    response = client.post("/portal/write/", {**data, "send_code": "1"})
    html = response.content.decode()
    assert '<p class="msg ok" role="status">验证码已发送至138****8000，10分钟内有效</p>' in html
    assert "请填写标题" not in html  # checked on 下一步, not while asking for the code
    assert len(sms_log.sent()) == 1
    assert re.fullmatch(r"【网上信访】您的验证码是\d{6}，10分钟内有效。请勿告诉他人。", sms_log.sent()[0]["text"])


def test_a_landline_cannot_receive_the_code(client, mailbox, category, sms_log):
    response = client.post("/portal/write/", {**letter(mailbox, category, phone="0571-87654321"), "send_code": "1"})
    assert "请填写手机号码（11位），座机无法接收验证码" in response.content.decode()
    assert sms_log.sent() == []


def test_the_code_confirms_only_the_number_it_was_sent_to(client, mailbox, category, sms_log):
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    code = sms_log.last_code()
    response = client.post("/portal/write/", {**data, "phone": OTHER_PHONE, "sms_code": code, "next": "1"})
    assert response.status_code == 200
    assert "请先点“获取验证码”，再填写收到的验证码" in response.content.decode()


def test_a_wrong_code_five_times_needs_a_new_code(client, mailbox, category, sms_log):
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    code = sms_log.last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        response = client.post("/portal/write/", {**data, "sms_code": wrong, "next": "1"})
        assert "短信验证码不正确，请核对" in response.content.decode()
    response = client.post("/portal/write/", {**data, "sms_code": wrong, "next": "1"})
    assert "验证码错误次数过多，请重新获取" in response.content.decode()
    response = client.post("/portal/write/", {**data, "sms_code": code, "next": "1"})
    assert response.status_code == 200
    assert "验证码错误次数过多，请重新获取" in response.content.decode()


def test_a_code_expires(client, clock, mailbox, category, sms_log):
    clock.set(core_clock.now())
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    clock.advance(minutes=11)
    response = client.post("/portal/write/", {**data, "sms_code": sms_log.last_code(), "next": "1"})
    assert "验证码已过期，请重新获取" in response.content.decode()


def test_codes_are_rate_limited_per_number(client, mailbox, category, sms_log):
    data = letter(mailbox, category)
    client.post("/portal/write/", {**data, "send_code": "1"})
    response = client.post("/portal/write/", {**data, "send_code": "1"})
    assert '<p class="msg error" role="status">操作过于频繁，请稍后再试</p>' in response.content.decode()
    assert len(sms_log.sent()) == 1


def test_an_accusation_names_the_accused(client, mailbox, category, sms_log):
    response = client.post("/portal/write/", {**letter(mailbox, category, kind="accusation"), "next": "1"})
    assert "检举控告的，请填写被反映人或单位" in response.content.decode()


def test_the_passwords_must_match(client, mailbox, category, sms_log):
    response = client.post("/portal/write/", {**letter(mailbox, category, password2="qinghe-2027"), "next": "1"})
    assert "两次输入的查询密码不一致" in response.content.decode()


def test_the_last_look_states_the_periods_of_the_rule_set_in_force(client, cast, write):
    routing = rule_for(cast.bureau, Clock.ROUTING, core_clock.today())
    routing.days, routing.working = 10, True
    routing.save()
    write()
    html = client.get("/portal/write/confirm/").content.decode()
    assert "信访工作机构收到您的来信后，在10个工作日内转送、交办给有权处理的机关，或直接办理。" in html
    handling = rule_for(cast.bureau, Clock.HANDLING, core_clock.today())
    assert f"受理后，在{handling.days}日内办结，出具书面答复意见。" in html
    assert "身份证号码</dt><dd>" in html and id_number() not in html  # masked on the page


def test_going_back_keeps_what_was_written_but_not_the_password(client, write):
    write()
    response = client.post("/portal/write/confirm/", {"edit": "1"})
    assert response["Location"] == "/portal/write/"
    html = client.get("/portal/write/").content.decode()
    assert "小区电梯长期停运无人维修" in html
    assert "qinghe-2026" not in html
    assert Submission.objects.count() == 0


def test_without_a_mailbox_the_portal_says_writing_is_not_open(client, db):
    html = client.get("/portal/write/").content.decode()
    assert "<h1>网上写信暂未开通</h1>" in html


def test_the_portal_session_cookie_is_its_own_and_limited_to_the_portal(client, mailbox, category, sms_log):
    response = client.post("/portal/write/", {**letter(mailbox, category), "send_code": "1"})
    cookie = response.cookies["xinfang_portal_session"]
    assert cookie["path"] == "/portal/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert "sessionid" not in response.cookies


def test_submitting_is_rate_limited_per_id_number(client, submit, write, settings):
    settings.PORTAL_SUBMITS_PER_ID_DAY = 1
    submit()
    write(phone=OTHER_PHONE)  # the same person again, from another number
    response = client.post("/portal/write/confirm/", {"submit": "1"})
    assert response.status_code == 429
    assert '<p class="lead">操作过于频繁，请稍后再试</p>' in response.content.decode()
    assert Submission.objects.count() == 1


def test_the_form_page_is_a_fixed_number_of_queries(client, mailbox, django_assert_num_queries):
    with django_assert_num_queries(4):  # mailboxes open?, categories, the mailboxes twice (labels, help)
        response = client.get("/portal/write/")
    assert response.status_code == 200


def test_a_division_code_must_have_6_9_or_12_digits(client, mailbox, category, sms_log):
    response = client.post("/portal/write/", {**letter(mailbox, category, division_code="33078"), "next": "1"})
    assert (
        '<span class="error" id="id_division_code_error">区划代码应为6、9或12位数字</span>' in response.content.decode()
    )


def test_key_rotation_re_encrypts_the_letters_numbers(submit, settings):
    from io import StringIO

    from django.core.management import call_command

    from xinfang.core.crypto import generate_key
    from xinfang.portal.models import Submission

    submit()
    letter = Submission.objects.get()
    id_number, phone = letter.decrypt_id_number(), letter.decrypt_phone()
    new_key = generate_key()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "portal.Submission.id_number_enc: 已重新加密 1 行" in out.getvalue()
    assert "portal.Submission.phone_enc: 已重新加密 1 行" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped: still readable
    letter.refresh_from_db()
    assert (letter.decrypt_id_number(), letter.decrypt_phone()) == (id_number, phone)
