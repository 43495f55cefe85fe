"""The sweep: once per deadline version, catching up after a pause, rules in force only, accusations shielded."""

from datetime import date as D
from datetime import timedelta

import pytest
from django.core.management import call_command

from xinfang.cases.deadlines import open_deadlines
from xinfang.cases.states import Kind
from xinfang.clock import services
from xinfang.clock.models import Clock
from xinfang.devdata.cast import make_user
from xinfang.escalation.models import (
    AccountabilityCard,
    EscalationRule,
    EscalationRuleSet,
    OrgEscalationRuleSet,
    SweepCursor,
)
from xinfang.escalation.tests.helpers import notes, rule, supervision, urging
from xinfang.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(flow, clock):
    clock.set(D(2025, 3, 5))
    return flow.handling()  # handling due 2025-05-04


def test_running_the_sweep_twice_sends_one_reminder(case, sweep_on):
    r = rule("handling-due-today")
    sweep_on(D(2025, 5, 3))
    first = sweep_on(D(2025, 5, 4))
    second = sweep_on(D(2025, 5, 4))
    assert first.notified >= 1 and second.notified == 0 and second.considered == 0
    assert notes(r).count() == 1


def test_a_rerun_from_scratch_is_deduplicated_by_the_key(case, sweep_on):
    r = rule("handling-due-today")
    sweep_on(D(2025, 5, 4))
    SweepCursor.objects.all().delete()  # as if the sweep was killed before moving its cursor
    again = sweep_on(D(2025, 5, 4))
    assert again.considered >= 1 and again.notified == 0
    (note,) = notes(r)
    d = open_deadlines(case).get(clock=Clock.HANDLING)
    assert note.dedupe == f"esc:{r.pk}:handling:{d.pk}:v20250504"


def test_an_extended_deadline_is_a_new_version_and_reminds_again(case, sweep_on):
    r = rule("handling-due-today")
    sweep_on(D(2025, 5, 4))
    assert notes(r).count() == 1
    d = open_deadlines(case).get(clock=Clock.HANDLING)
    services.extend(d, 30)
    d.refresh_from_db()
    assert d.due_date == D(2025, 6, 3)
    sweep_on(D(2025, 6, 2))
    assert notes(r).count() == 1
    sweep_on(D(2025, 6, 3))
    assert list(notes(r).values_list("dedupe", flat=True)) == [
        f"esc:{r.pk}:handling:{d.pk}:v20250504",
        f"esc:{r.pk}:handling:{d.pk}:v20250603",
    ]


def test_a_sweep_after_a_pause_catches_up_with_what_came_due_meanwhile(case, cast, sweep_on):
    sweep_on(D(2025, 3, 5))
    urging(case, cast, reply_by=D(2025, 3, 10))
    supervision(case, cast, due=D(2025, 3, 12))
    # The workers were down from 03-06 to 03-20: nothing ran on 03-11 or 03-13.
    result = sweep_on(D(2025, 3, 20))
    assert notes(rule("urging-overdue")).count() == 2
    assert AccountabilityCard.objects.filter(source="supervision").count() == 1
    assert result.cards == 1
    cursor = SweepCursor.objects.get(rule=rule("urging-overdue"))
    assert cursor.through_date == D(2025, 3, 19)


def test_a_reminder_not_due_yet_is_stale_after_the_due_date_and_not_sent_late(case, sweep_on):
    sweep_on(D(2025, 4, 1))
    sweep_on(D(2025, 5, 10))  # the pause covered the whole "due soon" window and the due day
    assert not notes(rule("handling-due-soon")).exists()
    assert not notes(rule("handling-due-today")).exists()
    assert notes(rule("handling-overdue")).count() == 2  # the overdue rung still catches up


def test_an_item_created_after_the_cursor_passed_its_date_is_still_caught(case, cast, sweep_on):
    sweep_on(D(2025, 3, 20))
    # Recorded late (an import, a slip entered afterwards): reply_by is already behind the cursor.
    urging(case, cast, reply_by=D(2025, 3, 15))
    sweep_on(D(2025, 3, 20))
    assert notes(rule("urging-overdue")).count() == 2


def test_a_rule_not_yet_in_force_does_nothing_and_acts_from_its_first_day(case, sweep_on):
    r = rule("handling-due-today")
    EscalationRule.objects.filter(pk=r.pk).update(effective_from=D(2025, 6, 1))
    sweep_on(D(2025, 5, 4))
    assert not notes(r).exists()
    assert not SweepCursor.objects.filter(rule=r).exists()
    EscalationRule.objects.filter(pk=r.pk).update(effective_from=D(2025, 5, 1), effective_to=D(2025, 5, 3))
    sweep_on(D(2025, 5, 4))
    assert not notes(r).exists()


def test_an_inactive_rule_does_nothing(case, sweep_on):
    r = rule("handling-due-today")
    EscalationRule.objects.filter(pk=r.pk).update(is_active=False)
    sweep_on(D(2025, 5, 4))
    assert not notes(r).exists()


def test_a_unit_with_its_own_rule_set_uses_it_and_not_the_national_one(case, cast, sweep_on):
    national = rule("handling-due-today")
    own = EscalationRuleSet.objects.create(code="qinghe", name="清河县督办升级规则", effective_from=D(2025, 1, 1))
    OrgEscalationRuleSet.objects.create(org=cast.county, rule_set=own, effective_from=D(2025, 1, 1))
    mine = EscalationRule.objects.create(
        rule_set=own,
        code="due-2",
        name="到期前 2 天提醒",
        clock="handling",
        timing="before",
        days=2,
        to_handler=True,
        kind=national.kind,
        effective_from=D(2025, 1, 1),
    )
    sweep_on(D(2025, 5, 1))
    sweep_on(D(2025, 5, 2))
    sweep_on(D(2025, 5, 4))
    assert list(notes(mine).values_list("user__username", flat=True)) == ["handler"]
    assert not notes(national).exists()  # 清河县自然资源局 inherits the county's set


def test_an_accusation_never_notifies_the_accused_unit_though_its_card_is_recorded(flow, cast, clock, sweep_on):
    clock.set(D(2025, 3, 5))
    accused_head = make_user("dept2_head", cast.dept2, "unit_head")
    case = flow.handling(kind=Kind.ACCUSATION, accused_org=cast.dept2, accused_name="住建局", summary="检举某局")
    urging(case, cast, reply_by=D(2025, 3, 10), owed_by=cast.dept2)
    supervision(case, cast, due=D(2025, 3, 10), owed_by=cast.dept2)
    sweep_on(D(2025, 3, 5))
    sweep_on(D(2025, 3, 11))
    assert list(notes(rule("urging-overdue")).values_list("user__username", flat=True)) == ["officer"]
    assert list(notes(rule("supervision-overdue")).values_list("user__username", flat=True)) == ["supervisor"]
    assert not Notification.objects.filter(user=accused_head).exists()
    assert AccountabilityCard.objects.get().org == cast.dept2  # the unit let its deadline lapse


def test_an_accusation_never_notifies_the_accused_person(flow, cast, clock, sweep_on):
    clock.set(D(2025, 3, 5))
    case = flow.handling(kind=Kind.ACCUSATION, accused_user=cast.leader, accused_name="某领导", summary="检举")
    from xinfang.escalation.tests.helpers import instruction

    instruction(case, cast, commit_by=D(2025, 3, 10))
    sweep_on(D(2025, 3, 5))
    sweep_on(D(2025, 3, 11))
    assert list(notes(rule("instruction-overdue")).values_list("user__username", flat=True)) == ["unit_head"]


def test_a_paused_deadline_is_not_overdue(case, sweep_on):
    d = open_deadlines(case).get(clock=Clock.HANDLING)
    services.pause(d, D(2025, 4, 1))
    sweep_on(D(2025, 5, 4))
    sweep_on(D(2025, 5, 5))
    assert not notes(rule("handling-overdue")).exists()


def test_the_command_runs_the_sweep_and_says_what_it_did(case, clock, capsys):
    clock.set(D(2025, 5, 4))
    call_command("escalate", date="2025-05-04")
    out = capsys.readouterr().out
    assert "handling-due-today: 处理 1 项，通知 1 条，黄牌/红牌 0 张" in out
    assert out.strip().endswith("黄牌/红牌 0 张")
    assert notes(rule("handling-due-today")).count() == 1


def test_the_periodic_job_is_registered_every_15_minutes():
    from xinfang.background.registry import JOBS

    assert JOBS["escalation_sweep"].every == timedelta(minutes=15)
