"""Cases handed down from the city's petition bureau to the county's, and
the result reported back up the chain before the case closes."""

import pytest
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.access import access_case
from xinfang.cases.deadlines import open_deadlines
from xinfang.cases.errors import NotAllowed
from xinfang.cases.states import Status
from xinfang.clock.models import Clock
from xinfang.devdata.flow import make_petitioner, register

pytestmark = pytest.mark.django_db


def _city_case(cast):
    petitioner = make_petitioner(cast.city_officer, name="李四")
    return register(cast.city_officer, petitioners=[(petitioner, True)])


def _handle_at_dept(cast, case):
    """The county department signs for, accepts, replies and delivers."""
    case = actions.do_sign_for(case, actor=cast.dept_officer)
    assert case.status == Status.TO_DECIDE
    case = actions.do_accept(case, actor=cast.dept_officer, handler=cast.handler)
    case = actions.do_reply(
        case,
        actor=cast.unit_head,
        request="请求支付补偿款",
        facts="经查属实",
        decision="support",
        basis="《土地管理法》第四十八条",
    )
    return actions.do_record_delivery(
        case, actor=cast.handler, notice="reply", method="in_person", delivered_at=timezone.now(), recipient="张三"
    )


def test_a_lower_bureau_that_signs_for_routes_the_case_on_itself(cast):
    case = actions.do_assign(_city_case(cast), actor=cast.city_officer, lead_org=cast.bureau)
    case = actions.do_sign_for(case, actor=cast.officer)
    assert case.status == Status.REGISTERED
    assert case.current_org == cast.bureau and case.routing_org == cast.bureau
    assert case.routing_chain == [{"org": cast.city_bureau.pk, "assigned": True}]
    clocks = set(open_deadlines(case).values_list("clock", "org"))
    assert (Clock.ROUTING, cast.bureau.pk) in clocks
    assert not any(c == Clock.ACCEPTANCE for c, _org in clocks)
    # ...and it may route it on, as any bureau routes what it registered.
    case = actions.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    assert case.status == Status.ASSIGNED and case.current_org == cast.dept


def test_closure_is_reported_up_to_every_bureau_that_assigned_it(cast):
    case = actions.do_assign(_city_case(cast), actor=cast.city_officer, lead_org=cast.bureau)
    case = actions.do_sign_for(case, actor=cast.officer)
    case = actions.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    case = _handle_at_dept(cast, case)
    case = actions.do_report_back(case, actor=cast.handler)
    assert case.status == Status.REPORTED and case.current_org == cast.bureau

    case = actions.do_confirm_closure(case, actor=cast.officer)
    assert case.status == Status.REPORTED, "the city bureau assigned it and is owed the result"
    assert case.current_org == cast.city_bureau and case.routing_org == cast.city_bureau
    assert "报示例市信访局审核办结" in case.events.last().note
    with pytest.raises(NotAllowed):
        actions.do_confirm_closure(case, actor=cast.officer)

    case = actions.do_confirm_closure(case, actor=cast.city_officer)
    assert case.status == Status.CLOSED and case.routing_chain == []


def test_a_forward_from_above_owes_nothing_back(cast):
    case = actions.do_forward(_city_case(cast), actor=cast.city_officer, to_org=cast.bureau)
    case = actions.do_sign_for(case, actor=cast.officer)
    case = actions.do_forward(case, actor=cast.officer, to_org=cast.dept)
    case = _handle_at_dept(cast, case)
    case = actions.do_close(case, actor=cast.handler)
    assert case.status == Status.CLOSED


def test_a_department_closing_a_forwarded_case_reports_to_the_bureau_above_that_assigned_it(cast):
    case = actions.do_assign(_city_case(cast), actor=cast.city_officer, lead_org=cast.bureau)
    case = actions.do_sign_for(case, actor=cast.officer)
    case = actions.do_forward(case, actor=cast.officer, to_org=cast.dept)
    case = _handle_at_dept(cast, case)
    case = actions.do_close(case, actor=cast.handler)
    assert case.status == Status.REPORTED and case.current_org == cast.city_bureau
    # The city bureau may send it back for more work, straight to the department.
    case = actions.do_send_back(case, actor=cast.city_officer, reason="补充核实补偿标准")
    assert case.status == Status.HANDLING and case.current_org == cast.dept


def test_the_bureau_above_keeps_sight_of_the_case_it_handed_down(cast):
    case = actions.do_assign(_city_case(cast), actor=cast.city_officer, lead_org=cast.bureau)
    case = actions.do_sign_for(case, actor=cast.officer)
    case = actions.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    assert access_case(cast.city_officer, case.pk) == case
    assert access_case(cast.officer, case.pk) == case


def test_the_routing_letter_is_named_in_the_timeline(cast, login):
    case = actions.do_assign(_city_case(cast), actor=cast.city_officer, lead_org=cast.bureau)
    body = login(cast.city_officer).get(f"/cases/{case.pk}/").content.decode()
    assert "<summary>信访事项交办函</summary>" in body


def test_a_case_cannot_be_merged_into_one_the_actor_cannot_see(cast):
    from xinfang.cases.errors import Invalid

    theirs = register(cast.other_registrar)
    ours = register(cast.registrar)
    with pytest.raises(Invalid, match="不存在"):
        actions.do_merge_as_repeat(ours, actor=cast.officer, original=theirs)
    merged = actions.do_merge_as_repeat(register(cast.registrar), actor=cast.officer, original=ours)
    assert merged.status == Status.MERGED


def test_a_revoking_review_sends_the_case_back_to_be_handled_again(cast):
    case = register(cast.registrar)
    case = actions.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    case = _handle_at_dept(cast, case)
    case = actions.do_request_review(case, actor=cast.officer)
    case = actions.do_review(case, actor=cast.officer, decision="revoke", reasons="事实不清，证据不足")
    assert case.status == Status.HANDLING and case.current_org == cast.dept
    assert case.reply_delivered_on is None and case.due_clock == Clock.HANDLING
    assert "由清河县自然资源局重新办理" in case.events.last().document
    # Delivering the review opinion opens no re-examination window: nothing is decided yet.
    case = actions.do_record_delivery(
        case, actor=cast.officer, notice="review", method="post", delivered_at=timezone.now()
    )
    assert not open_deadlines(case).filter(clock=Clock.REEXAM_WINDOW).exists()
    # The new written reply can be reviewed again.
    case = actions.do_reply(
        case,
        actor=cast.unit_head,
        request="请求支付补偿款",
        facts="重新核查属实",
        decision="support",
        basis="《土地管理法》第四十八条",
    )
    case = actions.do_record_delivery(
        case, actor=cast.handler, notice="reply", method="in_person", delivered_at=timezone.now(), recipient="张三"
    )
    case = actions.do_request_review(case, actor=cast.officer)
    assert case.status == Status.REVIEW_REQUESTED
