"""查询办理进度 by ID number and SMS code: the person's letters, and the same answer for anyone else."""

import pytest

from xinfang.portal.models import Submission
from xinfang.portal.tests.conftest import OTHER_PHONE, PHONE, id_number, registration_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_gap(settings):
    """These tests ask for several codes to one number within a minute."""
    settings.PORTAL_SMS_GAP_SECONDS = 0


SENT = "如该身份证号码有从138****8000写的来信，验证码已发送到该手机，10分钟内有效"


def ask(client, **data):
    return client.post("/portal/track/by-id/", {"id_number": id_number(), "phone": PHONE, "sms_code": "", **data})


def test_the_writer_finds_their_letters_with_id_number_and_sms_code(cast, client, submit, staff, sms_log):
    submit()
    submission = Submission.objects.get()
    staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    submit(title="电梯仍未修好")
    client.cookies.clear()  # another day, another browser
    sent_before = len(sms_log.sent())
    response = ask(client, send_code="1")
    assert f'<p class="msg ok" role="status">{SENT}</p>' in response.content.decode()
    assert len(sms_log.sent()) == sent_before + 1
    response = ask(client, sms_code=sms_log.last_code(), verify="1")
    assert response["Location"] == "/portal/track/mine/"
    html = client.get("/portal/track/mine/").content.decode()
    assert "写给清河县信访局：已登记，正在转送或交办有权处理的机关" in html
    assert "电梯仍未修好" in html and "写给清河县信访局：已提交，等待登记" in html
    response = client.post("/portal/track/mine/", {"submission": str(submission.pk)})
    assert response["Location"] == "/portal/track/case/"
    assert "小区电梯长期停运无人维修" in client.get("/portal/track/case/").content.decode()


def test_someone_who_never_wrote_gets_the_same_answer_and_no_message(client, submit, sms_log):
    submit()
    client.cookies.clear()
    before = len(sms_log.sent())
    stranger = ask(client, id_number=id_number("11010519491231002"), send_code="1")
    assert f'<p class="msg ok" role="status">{SENT}</p>' in stranger.content.decode()
    assert len(sms_log.sent()) == before  # nothing is sent to a number no letter was confirmed with
    wrong = ask(client, id_number=id_number("11010519491231002"), sms_code="123456", verify="1")
    assert "短信验证码不正确，请核对" in wrong.content.decode()


def test_another_number_finds_nothing_either(client, submit, sms_log):
    submit()
    client.cookies.clear()
    before = len(sms_log.sent())
    response = ask(client, phone=OTHER_PHONE, send_code="1")
    assert "如该身份证号码有从139****9000写的来信，验证码已发送到该手机" in response.content.decode()
    assert len(sms_log.sent()) == before


def test_a_letter_outside_the_list_cannot_be_opened(client, submit, sms_log):
    submit()
    client.cookies.clear()
    ask(client, send_code="1")
    ask(client, sms_code=sms_log.last_code(), verify="1")
    other = Submission.objects.get().pk + 1000
    response = client.post("/portal/track/mine/", {"submission": str(other)})
    assert response.status_code == 200
    assert client.get("/portal/track/case/")["Location"] == "/portal/track/"
