"""Rules found missing by a QA pass through the screens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.errors import Invalid
from xinfang.clock.models import Clock
from xinfang.devdata.flow import register

pytestmark = pytest.mark.django_db


def _handling(flow):
    return flow.handling()


def test_a_hearing_cannot_start_in_the_future(flow, cast):
    case = _handling(flow)
    with pytest.raises(Invalid, match="不能晚于今天") as err:
        actions.do_start_hearing(case, actor=cast.handler, day=timezone.localdate() + timedelta(days=6))
    assert err.value.field == "day"


def test_a_hearing_before_the_clock_started_is_an_error_at_the_field_not_a_crash(flow, cast):
    case = register(cast.registrar, received_at=timezone.now() - timedelta(days=3))
    case = flow.accept(flow.sign_for(flow.assign(case)))  # the handling clock starts today
    with pytest.raises(Invalid) as err:
        actions.do_start_hearing(case, actor=cast.handler, day=timezone.localdate() - timedelta(days=1))
    assert err.value.field == "day" and "起算日" in err.value.message


def test_ending_a_hearing_before_it_started_is_refused_with_a_message(flow, cast):
    case = register(cast.registrar, received_at=timezone.now() - timedelta(days=3))
    case = flow.accept(flow.sign_for(flow.assign(case)))
    case = actions.do_start_hearing(case, actor=cast.handler)
    with pytest.raises(Invalid) as err:
        actions.do_end_hearing(case, actor=cast.handler, day=timezone.localdate() - timedelta(days=1))
    assert err.value.field == "day"
    # Named as the form names the fields (听证结束日期 / 听证开始日期), with the date it began.
    assert err.value.message == f"听证结束日期不能早于听证开始日期（{timezone.localdate():%Y-%m-%d}）"


def test_the_hearing_confirmations_read_as_chinese_sentences():
    from xinfang.cases.spec import SPECS, specs

    specs()
    assert SPECS["start_hearing"].done_message == "已记录听证开始，期限中止计算"
    assert SPECS["end_hearing"].done_message == "已记录听证结束，期限恢复计算"
    assert SPECS["accept"].done_message == "已受理"


def test_the_hearing_dates_are_in_the_timeline(flow, cast):
    case = actions.do_start_hearing(_handling(flow), actor=cast.handler)
    assert f"{timezone.localdate():%Y-%m-%d}起期限中止计算" in case.events.last().note


def test_a_step_is_dated_in_the_timeline_and_not_before_receipt(flow, cast):
    case = _handling(flow)
    with pytest.raises(Invalid, match="不能早于收件日期"):
        actions.do_record_step(
            case,
            actor=cast.handler,
            kind="meeting",
            happened_on=timezone.localdate().replace(year=2020),
            description="约见面谈",
        )
    case = actions.do_record_step(
        case, actor=cast.handler, kind="meeting", happened_on=timezone.localdate(), description="约见面谈"
    )
    assert f"（{timezone.localdate():%Y-%m-%d}）" in case.events.last().note


def test_the_lead_unit_cannot_also_be_a_co_unit(cast):
    case = register(cast.registrar)
    with pytest.raises(Invalid, match="不能同时作为协办单位"):
        actions.do_assign(case, actor=cast.officer, lead_org=cast.dept, co_orgs=[cast.dept, cast.dept2])


@pytest.mark.parametrize(("urgency", "target_days"), [("urgent", 3), ("critical", 1), ("normal", 7)])
def test_a_leaders_instruction_never_loosens_an_urgent_cases_commitment(cast, urgency, target_days):
    case = register(cast.registrar, urgency=urgency, leader_instruction="请认真核查。")
    routing = case.__class__.objects.get(pk=case.pk)
    from xinfang.cases.deadlines import open_deadlines

    d = open_deadlines(routing).get(clock=Clock.ROUTING)
    assert d.target_days == target_days
