"""The workflow: every action spec starts from the documented states, and refuses every other."""

import re
from datetime import date

import pytest
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.errors import Conflict, InvalidTransition
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.spec import specs
from xinfang.cases.states import RECORD_ONLY_ACTIONS, Action, Status
from xinfang.orgs.models import RoleGrant, User

S = Status
CJK = re.compile(r"[\u4e00-\u9fff]")

# Written out independently of the action specs so a change to the workflow has to be made twice.
EXPECTED = {
    "forward": ({S.REGISTERED}, S.FORWARDED),
    "assign": ({S.REGISTERED}, S.ASSIGNED),
    "merge_as_repeat": ({S.REGISTERED, S.TO_DECIDE}, S.MERGED),
    "sign_for": ({S.FORWARDED, S.ASSIGNED}, S.TO_DECIDE),
    "return": ({S.FORWARDED, S.ASSIGNED}, S.REGISTERED),
    "accept": ({S.TO_DECIDE}, S.HANDLING),
    "decline": ({S.REGISTERED, S.TO_DECIDE}, S.DECLINED),
    "refuse_final": ({S.REGISTERED, S.TO_DECIDE}, S.REFUSED),
    "redirect": ({S.TO_DECIDE}, S.REDIRECTED),
    "assign_handler": ({S.TO_DECIDE, S.HANDLING}, None),
    "record_step": ({S.HANDLING, S.REVIEW_REQUESTED, S.REEXAM_REQUESTED}, None),
    "co_report": ({S.HANDLING, S.REPLIED}, None),
    "request_extension": ({S.HANDLING}, None),
    "approve_extension": ({S.HANDLING}, None),
    "reject_extension": ({S.HANDLING}, None),
    "start_hearing": ({S.HANDLING, S.REEXAM_REQUESTED}, None),
    "end_hearing": ({S.HANDLING, S.REEXAM_REQUESTED}, None),
    "draft_reply": ({S.HANDLING}, None),
    "reply": ({S.HANDLING}, S.REPLIED),
    "record_delivery": (
        {
            S.TO_DECIDE,
            S.HANDLING,
            S.REPLIED,
            S.REPORTED,
            S.CLOSED,
            S.DECLINED,
            S.REFUSED,
            S.REDIRECTED,
            S.REVIEWED,
            S.REEXAM_REQUESTED,
            S.REVIEW_REQUESTED,
            S.FINAL,
        },
        None,
    ),
    "evaluate": ({S.REPLIED, S.REPORTED, S.CLOSED}, None),
    "report_back": ({S.REPLIED}, S.REPORTED),
    "confirm_closure": ({S.REPORTED}, S.CLOSED),
    "send_back": ({S.REPORTED}, S.HANDLING),
    "close": ({S.REPLIED}, S.CLOSED),
    "request_review": ({S.REPLIED, S.REPORTED, S.CLOSED}, S.REVIEW_REQUESTED),
    "review": ({S.REVIEW_REQUESTED}, S.REVIEWED),
    "request_reexam": ({S.REVIEWED}, S.REEXAM_REQUESTED),
    "reexamine": ({S.REEXAM_REQUESTED}, S.FINAL),
    "finalize": ({S.REPLIED, S.REPORTED, S.CLOSED, S.REVIEWED}, S.FINAL),
}


def _calls(cast, other_case):
    reply = dict(request="请求", facts="事实", decision="support", basis="依据")
    return {
        "forward": lambda c, u: A.do_forward(c, actor=u, to_org=cast.dept),
        "assign": lambda c, u: A.do_assign(c, actor=u, lead_org=cast.dept),
        "merge_as_repeat": lambda c, u: A.do_merge_as_repeat(c, actor=u, original=other_case),
        "sign_for": lambda c, u: A.do_sign_for(c, actor=u),
        "return": lambda c, u: A.do_return(c, actor=u, reason="不属本单位职责"),
        "accept": lambda c, u: A.do_accept(c, actor=u),
        "decline": lambda c, u: A.do_decline(c, actor=u, reason="已经处理完毕"),
        "redirect": lambda c, u: A.do_redirect(c, actor=u, channel="litigation"),
        "assign_handler": lambda c, u: A.do_assign_handler(c, actor=u, handler=cast.handler),
        "record_step": lambda c, u: A.do_record_step(
            c, actor=u, kind="investigation", happened_on=date(2020, 1, 1), description="实地调查"
        ),
        "co_report": lambda c, u: A.do_co_report(c, actor=u, report="已核实"),
        "request_extension": lambda c, u: A.do_request_extension(c, actor=u, days=10, reason="情况复杂"),
        "approve_extension": lambda c, u: A.do_approve_extension(c, actor=u),
        "reject_extension": lambda c, u: A.do_reject_extension(c, actor=u),
        "start_hearing": lambda c, u: A.do_start_hearing(c, actor=u),
        "end_hearing": lambda c, u: A.do_end_hearing(c, actor=u),
        "draft_reply": lambda c, u: A.do_draft_reply(c, actor=u, **reply),
        "reply": lambda c, u: A.do_reply(c, actor=u, **reply),
        "record_delivery": lambda c, u: A.do_record_delivery(
            c, actor=u, notice="reply", method="post", delivered_at=timezone.now()
        ),
        "evaluate": lambda c, u: A.do_evaluate(c, actor=u, evaluation="satisfied"),
        "report_back": lambda c, u: A.do_report_back(c, actor=u),
        "confirm_closure": lambda c, u: A.do_confirm_closure(c, actor=u),
        "send_back": lambda c, u: A.do_send_back(c, actor=u, reason="补充调查"),
        "close": lambda c, u: A.do_close(c, actor=u),
        "request_review": lambda c, u: A.do_request_review(c, actor=u),
        "review": lambda c, u: A.do_review(c, actor=u, decision="uphold", reasons="理由"),
        "request_reexam": lambda c, u: A.do_request_reexam(c, actor=u),
        "reexamine": lambda c, u: A.do_reexamine(c, actor=u, decision="uphold", reasons="理由"),
        "finalize": lambda c, u: A.do_finalize(c, actor=u),
        "refuse_final": lambda c, u: A.do_refuse_final(c, actor=u, reason="同一事项已终结"),
    }


def test_the_action_specs_are_the_documented_workflow():
    actual = {str(s.action): (set(s.allowed_from), s.to) for s in specs()}
    assert actual == EXPECTED


def test_every_action_but_the_record_only_ones_has_a_spec():
    assert {s.action for s in specs()} == set(Action) - RECORD_ONLY_ACTIONS


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_action_is_refused_from_every_state_the_workflow_does_not_allow(cast, flow, action):
    root = User.objects.create_superuser("root", password="x", org=cast.bureau)
    RoleGrant.objects.create(user=root, role="leader", scope="all")  # sees everything (the grant, not the flag)
    case = flow.register()
    other = flow.register()
    call = _calls(cast, other)[action]
    allowed, _ = EXPECTED[action]
    for state in sorted(set(S.values) - {str(s) for s in allowed}):
        Case.objects.filter(pk=case.pk).update(status=state)
        events = CaseEvent.objects.filter(case=case).count()
        with pytest.raises(InvalidTransition) as exc:
            call(case, root)
        assert CJK.search(exc.value.message), exc.value.message
        assert Status(state).label in exc.value.message
        assert Action(action).label in exc.value.message
        assert CaseEvent.objects.filter(case=case).count() == events
        assert Case.objects.get(pk=case.pk).status == state


def test_a_stale_form_gets_a_conflict_and_changes_nothing(cast, flow):
    case = flow.register()
    opened_at = case.version
    A.do_forward(case, actor=cast.officer, to_org=cast.dept, expected_version=opened_at)
    case.refresh_from_db()
    # Someone else's form, opened before the forward, now tries to assign.
    with pytest.raises(Conflict) as exc:
        A.do_assign(case, actor=cast.officer, lead_org=cast.dept2, expected_version=opened_at)
    assert "他人" in exc.value.message
    case.refresh_from_db()
    assert case.status == S.FORWARDED and case.competent_org == cast.dept
    assert case.version == opened_at + 1


def test_the_current_version_is_accepted_and_each_action_bumps_it(cast, flow):
    case = flow.register()
    v = case.version
    case = A.do_assign(case, actor=cast.officer, lead_org=cast.dept, expected_version=str(v))
    assert case.version == v + 1
    case = A.do_sign_for(case, actor=cast.dept_officer, expected_version=v + 1)
    assert case.version == v + 2
