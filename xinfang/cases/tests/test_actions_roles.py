"""Who may do what, by role and org; refusals explain themselves in Chinese."""

import re

import pytest
from django.http import Http404
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.actions import superior_government
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.cases.spec import available_actions
from xinfang.cases.states import Status
from xinfang.devdata.flow import make_petitioner, register

CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(fn, *, contains=""):
    with pytest.raises(NotAllowed) as exc:
        fn()
    assert CJK.search(exc.value.message)
    assert contains in exc.value.message, exc.value.message
    return exc.value


REPLY = dict(request="请求支付补偿款", facts="经查属实", decision="support", basis="《土地管理法》")


# --- registration ------------------------------------------------------------------


def test_the_registrar_registers_at_the_bureau_for_routing(cast, flow):
    case = flow.register()
    assert case.status == Status.REGISTERED
    assert case.registered_org == cast.bureau == case.current_org == case.routing_org
    assert case.competent_org is None


def test_it_refuses_registration_by_a_handler_or_a_user_without_roles(cast):
    p = make_petitioner(cast.registrar)
    refused(lambda: register(cast.handler, petitioners=[(p, True)]), contains="登记员")
    refused(lambda: register(cast.nobody, petitioners=[(p, True)]), contains="登记员")


# --- routing ------------------------------------------------------------------------


def test_only_the_bureau_officer_routes(cast, flow):
    case = flow.register()
    refused(lambda: A.do_assign(case, actor=cast.registrar, lead_org=cast.dept), contains="受理交办员")
    refused(lambda: A.do_forward(case, actor=cast.supervisor, to_org=cast.dept), contains="受理交办员")
    with pytest.raises(Http404):
        A.do_assign(case, actor=cast.other_officer, lead_org=cast.other_dept)
    case = A.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    assert case.status == Status.ASSIGNED and case.current_org == cast.dept and case.is_assigned


def test_it_refuses_routing_to_no_org_or_to_itself(cast, flow):
    case = flow.register()
    with pytest.raises(Invalid):
        A.do_forward(case, actor=cast.officer, to_org=None)
    with pytest.raises(Invalid):
        A.do_forward(case, actor=cast.officer, to_org=cast.bureau)


def test_only_the_receiving_org_signs_for_or_returns(cast, flow):
    case = flow.assign(flow.register())
    refused(lambda: A.do_sign_for(case, actor=cast.officer), contains="不是转交本单位")
    refused(lambda: A.do_return(case, actor=cast.officer, reason="错转"), contains="不是转交本单位")
    with pytest.raises(Http404):  # the handler is not assigned yet, so does not even see it
        A.do_sign_for(case, actor=cast.handler)
    case = A.do_sign_for(case, actor=cast.unit_head)
    assert case.status == Status.TO_DECIDE


def test_only_the_current_orgs_petition_officer_decides_acceptance(cast, flow):
    case = flow.sign_for(flow.assign(flow.register()))
    for act in (
        lambda u: A.do_accept(case, actor=u),
        lambda u: A.do_decline(case, actor=u, reason="理由"),
        lambda u: A.do_redirect(case, actor=u, channel="arbitration"),
    ):
        refused(lambda act=act: act(cast.unit_head), contains="受理交办员")
        refused(lambda act=act: act(cast.officer), contains="不在本单位")
    case = A.do_accept(case, actor=cast.dept_officer, handler=cast.handler)
    assert case.status == Status.HANDLING and case.handler == cast.handler


def test_the_handler_must_belong_to_the_lead_unit(cast, flow):
    case = flow.sign_for(flow.assign(flow.register()))
    with pytest.raises(Invalid) as exc:
        A.do_accept(case, actor=cast.dept_officer, handler=cast.handler2)
    assert exc.value.field == "handler"
    case = A.do_accept(case, actor=cast.dept_officer)
    refused(lambda: A.do_assign_handler(case, actor=cast.officer, handler=cast.handler), contains="主办单位")
    case = A.do_assign_handler(case, actor=cast.unit_head, handler=cast.handler)
    assert case.handler == cast.handler


# --- handling -----------------------------------------------------------------------


def test_the_handler_handles_but_the_bureau_and_the_dept_officer_do_not(cast, flow):
    case = flow.handling()
    today = timezone.localdate()
    refused(
        lambda: A.do_record_step(
            case, actor=cast.dept_officer, kind="investigation", happened_on=today, description="调查"
        ),
        contains="承办人",
    )
    refused(
        lambda: A.do_record_step(case, actor=cast.officer, kind="investigation", happened_on=today, description="调查"),
        contains="主办单位",
    )
    A.do_record_step(case, actor=cast.handler, kind="mediation", happened_on=today, description="组织调解")
    assert case.steps.count() == 1


def test_the_handler_can_only_draft_and_the_unit_head_signs_the_reply(cast, flow):
    case = flow.handling()
    refused(lambda: A.do_reply(case, actor=cast.handler, **REPLY), contains="单位负责人")
    case = A.do_draft_reply(case, actor=cast.handler, **REPLY)
    assert case.status == Status.HANDLING and case.reply_draft["decision"] == "support"
    refused(lambda: A.do_reply(case, actor=cast.dept_officer), contains="单位负责人")
    case = A.do_reply(case, actor=cast.unit_head)  # signs the stored draft
    assert case.status == Status.REPLIED and case.reply_decision == "support" and case.reply_draft is None


def test_reply_without_a_draft_or_fields_is_invalid(cast, flow):
    case = flow.handling()
    with pytest.raises(Invalid):
        A.do_reply(case, actor=cast.unit_head)


def test_the_unit_head_approves_extensions_not_the_handler(cast, flow):
    case = flow.handling()
    refused(lambda: A.do_approve_extension(case, actor=cast.unit_head), contains="没有待审批")
    case = A.do_request_extension(case, actor=cast.handler, days=20, reason="需要补充鉴定")
    refused(lambda: A.do_request_extension(case, actor=cast.handler, days=5, reason="再延"), contains="待审批")
    refused(lambda: A.do_approve_extension(case, actor=cast.handler), contains="单位负责人")
    refused(lambda: A.do_approve_extension(case, actor=cast.dept_officer), contains="单位负责人")
    case = A.do_reject_extension(case, actor=cast.unit_head, note="理由不充分")
    assert case.extension_requested_days == 0 and case.extension_days == 0


@pytest.mark.parametrize("days", [0, 31])
def test_an_extension_is_one_to_thirty_days(cast, flow, days):
    case = flow.handling()
    with pytest.raises(Invalid):
        A.do_request_extension(case, actor=cast.handler, days=days, reason="理由")


def test_co_units_must_report_before_the_lead_reports_back(cast, flow):
    case = flow.deliver(flow.replied(co=True))
    e = refused(lambda: flow.report_back(case), contains=cast.dept2.name)
    assert "尚未反馈" in e.message
    refused(lambda: A.do_co_report(case, actor=cast.handler, report="主办不能代报"), contains="协办单位")
    case = flow.co_report(case)
    refused(lambda: flow.co_report(case), contains="已反馈")
    case = flow.report_back(case)
    assert case.status == Status.REPORTED and case.current_org == cast.bureau


def test_report_back_waits_for_delivery_and_is_only_for_assigned_cases(cast, flow):
    case = flow.replied()
    refused(lambda: flow.report_back(case), contains="尚未送达")
    forwarded = flow.deliver(flow.replied(assign=False))
    refused(lambda: flow.report_back(forwarded), contains="不是交办件")


def test_the_assigning_bureau_confirms_closure_or_sends_back(cast, flow):
    case = flow.report_back(flow.deliver(flow.replied()))
    refused(lambda: A.do_confirm_closure(case, actor=cast.unit_head), contains="交办的信访部门")
    refused(lambda: A.do_send_back(case, actor=cast.registrar, reason="补充"), contains="交办单位")
    case = A.do_send_back(case, actor=cast.officer, reason="补充调查征收面积")
    assert case.status == Status.HANDLING and case.current_org == cast.dept and case.reply_delivered_on is None
    case = flow.report_back(flow.deliver(flow.reply(case)))
    case = A.do_confirm_closure(case, actor=cast.officer)
    assert case.status == Status.CLOSED and case.closed_on


def test_close_is_only_for_non_assigned_cases_and_only_after_delivery(cast, flow):
    assigned = flow.deliver(flow.replied())
    refused(lambda: A.do_close(assigned, actor=cast.handler), contains="交办件须报结")
    case = flow.replied(assign=False)
    refused(lambda: A.do_close(case, actor=cast.handler), contains="尚未送达")
    case = flow.deliver(case)
    case = A.do_close(case, actor=cast.handler)
    assert case.status == Status.CLOSED


def test_evaluation_only_after_delivery_and_only_once(cast, flow):
    case = flow.replied()
    refused(lambda: A.do_evaluate(case, actor=cast.handler, evaluation="satisfied"), contains="尚未送达")
    case = flow.deliver(case)
    case = A.do_evaluate(case, actor=cast.officer, evaluation="unsatisfied", source="petitioner")
    assert case.evaluation == "unsatisfied" and case.evaluation_source == "petitioner"
    refused(lambda: A.do_evaluate(case, actor=cast.handler, evaluation="satisfied"), contains="已评价")


# --- review and re-examination ------------------------------------------------------


def test_the_next_government_up_reviews(cast):
    assert superior_government(cast.dept) == cast.county
    assert superior_government(cast.bureau) == cast.county
    assert superior_government(cast.township) == cast.county
    assert superior_government(cast.county) == cast.city
    assert superior_government(cast.city) is None


def test_the_county_bureau_reviews_a_county_departments_reply_for_its_government(cast, flow):
    case = flow.delivered()
    assert case.review_org == cast.county
    refused(lambda: A.do_request_review(case, actor=cast.dept_officer), contains="复查机关")
    case = flow.request_review(case)
    assert case.status == Status.REVIEW_REQUESTED and case.current_org == cast.county
    refused(lambda: A.do_review(case, actor=cast.unit_head, decision="uphold", reasons="理由"), contains="复查机关")
    case = A.do_review(case, actor=cast.leader, decision="change", reasons="补偿标准计算有误")
    assert case.status == Status.REVIEWED and case.reexam_org == cast.city


def test_the_city_bureau_reexamines_for_the_city_government(cast, flow):
    case = flow.review_delivered()
    with pytest.raises(Http404):  # the other county never sees it
        A.do_request_reexam(case, actor=cast.other_officer)
    refused(lambda: A.do_request_reexam(case, actor=cast.officer), contains="复核机关")
    case = flow.request_reexam(case)
    assert case.current_org == cast.city
    refused(lambda: A.do_reexamine(case, actor=cast.officer, decision="uphold", reasons="理由"), contains="复核机关")
    case = flow.reexamine(case)
    assert case.status == Status.FINAL and case.final_on


def test_review_is_only_for_claims(cast, flow):
    case = flow.delivered(kind="suggestion")
    refused(lambda: flow.request_review(case), contains="申诉求决类")


def test_the_buttons_a_user_sees_are_the_actions_they_may_take(cast, flow):
    case = flow.handling()
    assert "reply" in available_actions(cast.unit_head, case)
    assert "reply" not in available_actions(cast.handler, case)
    assert "draft_reply" in available_actions(cast.handler, case)
    assert not {"reply", "draft_reply", "record_step", "request_extension"} & set(available_actions(cast.officer, case))


def test_a_directly_receiving_competent_org_registers_and_decides_itself(cast):
    p = make_petitioner(cast.dept_officer)
    case = register(cast.dept_officer, petitioners=[(p, True)])
    assert case.status == Status.TO_DECIDE
    assert case.current_org == case.competent_org == cast.dept and case.routing_org is None
    assert case.due_clock == "acceptance"
    case = A.do_accept(case, actor=cast.dept_officer, handler=cast.handler)
    assert case.status == Status.HANDLING
    assert CaseEvent.objects.filter(case=case).count() == 2
