"""notify(): one notification per recipient, idempotent on the dedupe key, in the caller's transaction."""

import pytest
from django.db import transaction

from xinfang.notifications import notify
from xinfang.notifications.models import (
    ChannelPreference,
    Delivery,
    Notification,
    NotificationKind,
    SmsConsent,
    StaffContact,
)
from xinfang.notifications.services import UnknownKind

pytestmark = pytest.mark.django_db


def test_it_writes_one_notification_per_recipient_and_counts_the_new_ones(cast, flow):
    case = flow.assign(flow.register())
    n = notify(
        "case.routed",
        case=case,
        users=[cast.dept_officer, cast.unit_head.pk],
        dedupe="t:1",
        context={"action": "交办", "from_org": "清河县信访局"},
    )
    assert n == 2
    note = Notification.objects.get(user=cast.dept_officer)
    assert note.title == f"清河县信访局交办信访件{case.number}，请及时签收"
    assert note.body == "反映征地补偿款未发放"
    assert note.url == f"/cases/{case.pk}/"


def test_the_same_key_notifies_nobody_twice_but_a_new_recipient_once(cast):
    assert notify("case.handler", users=[cast.handler], dedupe="deadline:7:v1") == 1
    assert notify("case.handler", users=[cast.handler], dedupe="deadline:7:v1") == 0
    assert notify("case.handler", users=[cast.handler, cast.handler2], dedupe="deadline:7:v1") == 1
    assert notify("case.handler", users=[cast.handler], dedupe="deadline:7:v2") == 1
    assert Notification.objects.filter(user=cast.handler).count() == 2


def test_a_rolled_back_transaction_leaves_no_notification_and_no_delivery(cast):
    cast.handler.email = "handler@example.gov.cn"
    cast.handler.save()
    ChannelPreference.objects.create(
        user=cast.handler, kind=NotificationKind.objects.get(code="case.handler"), email=True
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("case.handler", users=[cast.handler], dedupe="t:rollback")
        raise RuntimeError
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert notify("case.handler", users=[cast.handler], dedupe="t:rollback") == 1  # never lost


def test_an_unknown_kind_is_refused_and_an_inactive_one_writes_nothing(cast):
    with pytest.raises(UnknownKind, match="没有代码为“case.nope”的通知类型"):
        notify("case.nope", users=[cast.handler], dedupe="t:2")
    NotificationKind.objects.filter(code="case.handler").update(is_active=False)
    assert notify("case.handler", users=[cast.handler], dedupe="t:2") == 0


def test_templates_are_data_an_administrator_edits(cast, flow):
    case = flow.register()
    NotificationKind.objects.filter(code="case.handler").update(
        title_template="请{{ actor }}关注{{ case_number }}{% if urgent %}（急）{% endif %}"
    )
    notify("case.handler", case=case, users=[cast.handler], dedupe="t:3", context={"urgent": True}, actor=cast.officer)
    assert Notification.objects.get().title == f"请officer关注{case.number}（急）"


def test_each_user_chooses_channels_per_kind(cast):
    kind = NotificationKind.objects.get(code="case.handler")
    cast.handler.email = "handler@example.gov.cn"
    cast.handler.save()
    StaffContact.objects.create(user=cast.handler, mobile="13912345678")
    StaffContact.objects.create(user=cast.handler2, mobile="13987654321")
    ChannelPreference.objects.create(user=cast.handler, kind=kind, email=True, sms=True)
    notify("case.handler", users=[cast.handler, cast.handler2], dedupe="t:4")
    rows = Delivery.objects.order_by("notification__user_id", "channel").values_list(
        "notification__user__username", "channel", "recipient"
    )
    # handler2 chose nothing: the kind's defaults (in-app only).
    assert list(rows) == [("handler", "email", "h***@example.gov.cn"), ("handler", "sms", "139****5678")]


def test_a_petitioner_gets_an_sms_only_with_consent_recorded_for_the_case(cast, flow):
    consenting = flow.register()
    silent = flow.register()
    p1 = consenting.case_petitioners.get().petitioner
    p2 = silent.case_petitioners.get().petitioner
    from xinfang.core import clock

    SmsConsent.objects.create(case=consenting, petitioner=p1, recorded_at=clock.now())
    assert notify("notice.acceptance", case=consenting, petitioners=[p1], dedupe="e:1") == 1
    assert notify("notice.acceptance", case=silent, petitioners=[p2], dedupe="e:2") == 1
    assert notify("notice.acceptance", case=silent, petitioners=[p1], dedupe="e:3") == 1  # consent is per case
    assert list(Delivery.objects.values_list("notification__petitioner_id", "channel")) == [(p1.pk, "sms")]
