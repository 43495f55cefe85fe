"""The rungs on supervision items, urging slips and leader instructions (the supervision app's TRACKED kinds)."""

from datetime import date as D

import pytest

from xinfang.escalation.models import AccountabilityCard
from xinfang.escalation.tests.helpers import instruction, notes, rule, supervision, urging

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(flow, clock):
    clock.set(D(2025, 3, 5))
    return flow.handling()


def test_an_overdue_supervision_item_puts_a_yellow_card_on_the_supervised_unit_and_tells_the_supervisor(
    case, cast, sweep_on
):
    r = rule("supervision-overdue")
    item = supervision(case, cast, due=D(2025, 3, 20))
    sweep_on(D(2025, 3, 20))
    assert not AccountabilityCard.objects.exists()
    sweep_on(D(2025, 3, 21))
    card = AccountabilityCard.objects.get()
    assert (card.org, card.case, card.color, card.rule, card.source, card.object_id, card.version) == (
        cast.dept,
        case,
        "yellow",
        r,
        "supervision",
        item.pk,
        "1",
    )
    assert card.reason == "督办事项（期限 2025-03-20）逾期 1 天未办结"
    assert list(notes(r).values_list("user__username", "title")) == [
        ("supervisor", f"督办事项逾期：信访件{case.number}，已对清河县自然资源局记黄牌警告"),
        ("unit_head", f"督办事项逾期：信访件{case.number}，已对清河县自然资源局记黄牌警告"),
    ]
    assert list(card.events.values_list("action", "actor_name")) == [("issued", "系统（督办升级）")]


def test_an_overdue_progress_report_reminds_the_supervised_unit(case, cast, sweep_on):
    r = rule("report-overdue")
    supervision(case, cast, due=D(2025, 4, 30), report_on=D(2025, 3, 12))
    sweep_on(D(2025, 3, 12))
    assert not notes(r).exists()
    sweep_on(D(2025, 3, 13))
    assert list(notes(r).values_list("user__username", "title")) == [
        ("unit_head", f"信访件{case.number}的督办进展反馈已逾期（应于2025-03-12前反馈）")
    ]
    assert not AccountabilityCard.objects.exists()


def test_an_unanswered_urging_slip_goes_to_its_issuer_and_the_unit_head(case, cast, sweep_on):
    r = rule("urging-overdue")
    urging(case, cast, reply_by=D(2025, 3, 10))
    sweep_on(D(2025, 3, 10))
    assert not notes(r).exists()
    sweep_on(D(2025, 3, 11))
    assert list(notes(r).values_list("user__username", "title")) == [
        ("officer", f"信访件{case.number}的催办单逾期未答复（答复期限2025-03-10）"),
        ("unit_head", f"信访件{case.number}的催办单逾期未答复（答复期限2025-03-10）"),
    ]


def test_an_instruction_past_its_commitment_goes_to_the_leader_and_the_unit_head(case, cast, sweep_on):
    r = rule("instruction-overdue")
    instruction(case, cast, commit_by=D(2025, 3, 12))
    sweep_on(D(2025, 3, 12))
    assert not notes(r).exists()
    sweep_on(D(2025, 3, 13))
    assert list(notes(r).values_list("user__username", flat=True)) == ["leader", "unit_head"]


def test_a_closed_item_reminds_nobody(case, cast, sweep_on):
    item = urging(case, cast, reply_by=D(2025, 3, 10))
    sweep_on(D(2025, 3, 10))
    type(item).objects.filter(pk=item.pk).update(status="answered")
    sweep_on(D(2025, 3, 11))
    assert not notes(rule("urging-overdue")).exists()


def test_a_lapsed_supervision_item_reaches_the_unit_head_by_sms_as_well_unless_they_opt_out(case, cast, sweep_on):
    from xinfang.notifications.models import ChannelPreference, Delivery, NotificationKind, StaffContact

    StaffContact.objects.create(user=cast.unit_head, mobile="19900000007")
    StaffContact.objects.create(user=cast.supervisor, mobile="19900000008")
    ChannelPreference.objects.create(
        user=cast.supervisor, kind=NotificationKind.objects.get(code="escalation.supervision_overdue"), sms=False
    )
    supervision(case, cast, due=D(2025, 3, 20))
    sweep_on(D(2025, 3, 20))
    sweep_on(D(2025, 3, 21))
    sms = Delivery.objects.filter(channel="sms", notification__dedupe__startswith="esc:")
    assert list(sms.values_list("notification__user__username", "recipient")) == [("unit_head", "199****0007")]
