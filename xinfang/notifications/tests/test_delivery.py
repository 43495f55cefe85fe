"""Deliveries: at least once, the key sent along, retries with backoff, a final failure, a log; numbers masked."""

import json
import logging
from datetime import timedelta

import pytest

from xinfang.notifications import notify
from xinfang.notifications.delivery import deliver_all, deliver_batch, retry_failed
from xinfang.notifications.models import (
    ChannelPreference,
    Delivery,
    DeliveryAttempt,
    NotificationKind,
    StaffContact,
)
from xinfang.notifications.tests.fakegateway import FakeGateway

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


@pytest.fixture
def sms_user(cast):
    kind = NotificationKind.objects.get(code="case.handler")
    StaffContact.objects.create(user=cast.handler, mobile=MOBILE)
    ChannelPreference.objects.create(user=cast.handler, kind=kind, sms=True)
    return cast.handler


def test_a_delivery_is_sent_once_with_its_key_and_logged(sms_user, sms_file, flow):
    case = flow.register()
    notify("case.handler", case=case, users=[sms_user], dedupe="d:1")
    assert deliver_all(worker="w").sent == 1
    assert deliver_all(worker="w").total == 0
    delivery = Delivery.objects.get()
    (line,) = sms_file.read_text().splitlines()
    record = json.loads(line)
    assert record["key"] == delivery.key and record["to"] == "139****5678"
    assert record["text"] == f"您被指定为信访件{case.number}的承办人"
    assert delivery.status == "sent" and delivery.attempts == 1
    assert list(DeliveryAttempt.objects.values_list("outcome", "gateway", "recipient")) == [
        ("sent", "file", "139****5678")
    ]


def test_the_http_gateway_sends_the_body_template_credentials_and_key(sms_user, settings):
    with FakeGateway() as gw:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = gw.url
        settings.SMS_HTTP_USERNAME, settings.SMS_HTTP_PASSWORD = "xinfang", "s3cret"
        settings.SMS_HTTP_BODY_TEMPLATE = '{"mobile": "$to", "content": "$text", "ref": "$key", "sign": "清河"}'
        notify("case.handler", users=[sms_user], dedupe="d:2")
        assert deliver_all().sent == 1
    (req,) = gw.requests
    key = Delivery.objects.get().key
    assert req["body"] == {"mobile": MOBILE, "content": "您被指定为信访件的承办人", "ref": key, "sign": "清河"}
    assert req["headers"]["Idempotency-Key"] == key
    assert req["headers"]["Authorization"] == "Basic eGluZmFuZzpzM2NyZXQ="
    assert Delivery.objects.get().gateway_ref == "msg-1"


def test_a_refusing_gateway_is_retried_with_backoff_then_marked_failed(sms_user, settings, clock, caplog):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_SECONDS = 30
    with FakeGateway(answers=[503, 503, 503]) as gw:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = gw.url
        notify("case.handler", users=[sms_user], dedupe="d:3")
        assert deliver_batch().retried == 1
        assert deliver_batch().total == 0  # backing off: not due for 30 s
        clock.advance(seconds=31)
        assert deliver_batch().retried == 1
        clock.advance(seconds=59)
        assert deliver_batch().total == 0  # 60 s the second time
        clock.advance(seconds=2)
        with caplog.at_level(logging.ERROR, logger="xinfang.notifications"):
            assert deliver_batch().failed == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.last_error == "短信网关返回 HTTP 503"
    assert list(DeliveryAttempt.objects.order_by("number").values_list("number", "outcome")) == [
        (1, "retry"),
        (2, "retry"),
        (3, "failed"),
    ]
    assert MOBILE not in caplog.text and "139****5678" in caplog.text
    # The administrator sends it again: due at once, the same key.
    with FakeGateway() as gw:
        settings.SMS_HTTP_URL = gw.url
        assert retry_failed(Delivery.objects.all()) == 1
        assert deliver_batch().sent == 1
    assert gw.keys() == [delivery.key]


def test_a_client_error_fails_at_once(sms_user, settings):
    with FakeGateway(answers=[400]) as gw:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = gw.url
        notify("case.handler", users=[sms_user], dedupe="d:4")
        assert deliver_batch().failed == 1
    assert Delivery.objects.get().last_error == "短信网关返回 HTTP 400"


def test_an_unreachable_gateway_is_retried(sms_user, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    notify("case.handler", users=[sms_user], dedupe="d:5")
    assert deliver_batch().retried == 1
    assert Delivery.objects.get().last_error.startswith("无法连接短信网关")


def test_a_batch_whose_worker_died_is_sent_again_with_the_same_key_after_its_lease(sms_user, sms_file, settings, clock):
    from xinfang.notifications.delivery import claim

    settings.NOTIFY_LEASE_SECONDS = 60
    notify("case.handler", users=[sms_user], dedupe="d:6")
    _token, ids = claim(limit=10, worker="doomed")  # claimed, then the worker is killed
    assert len(ids) == 1
    assert deliver_all().total == 0  # still leased
    clock.advance(seconds=61)
    assert deliver_all().sent == 1
    assert json.loads(sms_file.read_text())["key"] == Delivery.objects.get().key


def test_an_email_carries_the_key_as_its_message_id(cast, mailoutbox):
    cast.handler.email = "handler@example.gov.cn"
    cast.handler.save()
    kind = NotificationKind.objects.get(code="case.handler")
    ChannelPreference.objects.create(user=cast.handler, kind=kind, email=True)
    notify("case.handler", users=[cast.handler], dedupe="d:7")
    assert deliver_all().sent == 1
    (mail,) = mailoutbox
    key = Delivery.objects.get().key
    assert mail.to == ["handler@example.gov.cn"] and mail.subject == "您被指定为信访件的承办人"
    assert mail.extra_headers["Message-ID"] == f"<{key}@xinfang>"


def test_a_staff_member_without_a_mobile_gets_no_sms_delivery(cast):
    kind = NotificationKind.objects.get(code="case.handler")
    ChannelPreference.objects.create(user=cast.handler, kind=kind, sms=True)
    notify("case.handler", users=[cast.handler], dedupe="d:8")
    assert not Delivery.objects.exists()


def test_the_delivery_task_sends_what_notify_wrote(sms_user, sms_file, django_capture_on_commit_callbacks):
    from xinfang.background.testing import run_queued

    with django_capture_on_commit_callbacks(execute=True):
        notify("case.handler", users=[sms_user], dedupe="d:9")
        notify("case.handler", users=[sms_user], dedupe="d:10")
    assert run_queued() == 1  # one kick for the transaction
    assert Delivery.objects.filter(status="sent").count() == 2
    assert timedelta(0) <= Delivery.objects.first().sent_at - Delivery.objects.first().created_at
