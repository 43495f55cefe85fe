"""Who may take which action on a case, decided by role and org.

Each rule comes in two forms that must agree (a test compares them on every
case of a generated county and every demo role):

* ``rule(actor, case)`` returns None when allowed and otherwise the reason in
  Chinese; the action spec (``cases.spec``) checks the state first, then
  this. The same answer guards the action and decides the case page's
  buttons and its "why not" list.
* ``todo(actor)`` returns the cases (beyond the state) where the rule lets
  this actor act, as a filter, or None when it never can (no such role):
  the workbench's to-do tabs are built from these.

Also here: where a case may be routed (``routing_targets``) and how long an
extension may be (``extension_cap``), which the actions enforce and the
forms only offer.
"""

from __future__ import annotations

from django.db.models import Q

from xinfang.cases import predicates as P
from xinfang.cases.states import ENDED_STATES, Kind, ParticipantRole, Status
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import OrgKind, Role

R = Role
NONE = Q(pk__in=[])


# --- who the actor is --------------------------------------------------------------------


def acts_for(actor, org) -> bool:
    """Staff of ``org``, or of the petition bureau that works on that government's behalf."""
    if org is None or actor.org_id is None:
        return False
    if actor.org_id == org.pk:
        return True
    return actor.org.kind == OrgKind.PETITION_BUREAU and actor.org.parent_id == org.pk


def acting_org_ids(actor) -> list[int]:
    """The org and, for a petition bureau, the government it acts for (``acts_for`` as ids)."""
    org = actor.org
    if org is None:
        return []
    ids = [org.pk]
    if org.kind == OrgKind.PETITION_BUREAU and org.parent_id:
        ids.append(org.parent_id)
    return ids


def _role(actor, *roles) -> bool:
    return actor.is_active and actor.has_role(*roles)


def _labels(roles) -> str:
    return "、".join(Role(r).label for r in roles)


# --- the rules, each with its todo ------------------------------------------------------------


def _officer_at_current(actor, case, *extra):
    if actor.org_id != case.current_org_id:
        return "该信访件当前不在本单位办理"
    if not _role(actor, R.PETITION_OFFICER, *extra):
        return "只有本单位受理交办员可以办理此项"
    return None


def _officer_at_current_todo(actor, *extra):
    if actor.org_id is None or not _role(actor, R.PETITION_OFFICER, *extra):
        return None
    return Q(current_org=actor.org_id)


def route(actor, case):
    if not case.current_org.is_petition_bureau and case.status == Status.REGISTERED:
        return "只有信访部门可以交转办"
    return _officer_at_current(actor, case)


def route_todo(actor):
    if actor.org is None or actor.org.kind != OrgKind.PETITION_BUREAU:
        return None
    return _officer_at_current_todo(actor)


def merge(actor, case):
    return _officer_at_current(actor, case)


def merge_todo(actor):
    return _officer_at_current_todo(actor)


def sign(actor, case):
    if actor.org_id != case.current_org_id:
        return "该信访件不是转交本单位的"
    if not _role(actor, R.PETITION_OFFICER, R.UNIT_HEAD):
        return "只有本单位受理交办员或负责人可以签收或退回"
    return None


def return_(actor, case):
    reason = sign(actor, case)
    if reason:
        return reason
    if case.routing_org_id is None:
        # Forwarded away from the accused at registration: there is nobody it could go back to.
        return "该件系检举控告回避转送，不能退回；如不属本单位职责，请签收后转送有权处理的机关"
    return None


def sign_todo(actor):
    if actor.org_id is None or not _role(actor, R.PETITION_OFFICER, R.UNIT_HEAD):
        return None
    return Q(current_org=actor.org_id)


def decide(actor, case):
    return _officer_at_current(actor, case)


def decide_todo(actor):
    return _officer_at_current_todo(actor)


def assign_handler(actor, case):
    if actor.org_id != case.competent_org_id and actor.org_id != case.current_org_id:
        return "只有主办单位可以指定承办人"
    if not _role(actor, R.UNIT_HEAD, R.PETITION_OFFICER):
        return "只有单位负责人或受理交办员可以指定承办人"
    return None


def assign_handler_todo(actor):
    if actor.org_id is None or not _role(actor, R.UNIT_HEAD, R.PETITION_OFFICER):
        return None
    return Q(competent_org=actor.org_id) | Q(current_org=actor.org_id)


def _lead_staff(actor, case, *roles):
    if actor.org_id != case.competent_org_id:
        return "只有主办单位可以办理此项"
    if not _role(actor, *roles):
        return f"只有主办单位的{_labels(roles)}可以办理此项"
    return None


def _lead_staff_todo(actor, *roles):
    if actor.org_id is None or not _role(actor, *roles):
        return None
    # A handler without an office role works on the cases assigned to them personally.
    if only_own_cases(actor):
        return Q(competent_org=actor.org_id, handler=actor.pk)
    return Q(competent_org=actor.org_id)


def only_own_cases(actor) -> bool:
    """A handler without an office role: their to-do is the cases assigned to them personally."""
    return actor.has_role(R.HANDLER) and not actor.has_role(R.UNIT_HEAD, R.PETITION_OFFICER, R.REGISTRAR, R.LEADER)


_REVIEW_STAFF = (R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)


def record_step(actor, case):
    if case.status == Status.REVIEW_REQUESTED:
        if acts_for(actor, case.review_org) and _role(actor, *_REVIEW_STAFF):
            return None
        return "只有复查机关可以记录复查过程"
    if case.status == Status.REEXAM_REQUESTED:
        if acts_for(actor, case.reexam_org) and _role(actor, *_REVIEW_STAFF):
            return None
        return "只有复核机关可以记录复核过程"
    return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)


def record_step_todo(actor):
    lead = _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)
    handling = Q(status=Status.HANDLING) & lead if lead is not None else NONE
    if not _role(actor, *_REVIEW_STAFF) or actor.org_id is None:
        return handling if lead is not None else None
    acting = acting_org_ids(actor)
    return (
        handling
        | Q(status=Status.REVIEW_REQUESTED, review_org__in=acting)
        | Q(status=Status.REEXAM_REQUESTED, reexam_org__in=acting)
    )


def co_report(actor, case):
    pending = [p for p in P.pending_co_units(case) if p.org_id == actor.org_id]
    if not pending:
        return "本单位不是该件的协办单位，或已反馈"
    if not _role(actor, R.HANDLER, R.UNIT_HEAD, R.PETITION_OFFICER):
        return "只有协办单位的承办人或负责人可以反馈"
    return None


def co_report_todo(actor):
    if actor.org_id is None or not _role(actor, R.HANDLER, R.UNIT_HEAD, R.PETITION_OFFICER):
        return None
    from xinfang.cases.models import CaseOrg

    # The unit's unreported co-unit rows (a partial index holds only those), not every
    # participant row of the unit: see predicates.InSelect.
    owed = CaseOrg.objects.filter(org=actor.org_id, role=ParticipantRole.CO, reported_at=None).values("case_id")
    return Q(pk__in_select=owed)


def request_extension(actor, case):
    if P.EXTENSION_PENDING(case):
        return "已有待审批的延期申请"
    if P.EXTENDED(case):
        return f"该件已延期，不能再次延期（最长{extension_cap(case)}日）"
    return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)


def request_extension_todo(actor):
    lead = _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)
    return None if lead is None else lead & ~P.EXTENSION_PENDING.q() & ~P.EXTENDED.q()


def decide_extension(actor, case):
    if not P.EXTENSION_PENDING(case):
        return "没有待审批的延期申请"
    return _lead_staff(actor, case, R.UNIT_HEAD)


def decide_extension_todo(actor):
    lead = _lead_staff_todo(actor, R.UNIT_HEAD)
    return None if lead is None else lead & P.EXTENSION_PENDING.q()


_REEXAM_HEARING = (R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER)


def _hearing(open_: bool):
    def rule(actor, case):
        if P.HEARING_OPEN(case) == open_:
            return "听证已经开始" if open_ else "没有进行中的听证"
        if case.status == Status.REEXAM_REQUESTED:
            if acts_for(actor, case.reexam_org) and _role(actor, *_REEXAM_HEARING):
                return None
            return "只有复核机关可以组织听证"
        return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)

    def todo(actor):
        state = ~P.HEARING_OPEN.q() if open_ else P.HEARING_OPEN.q()
        parts = []
        lead = _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)
        if lead is not None:
            parts.append(Q(status=Status.HANDLING) & lead)
        if actor.org_id is not None and _role(actor, *_REEXAM_HEARING):
            parts.append(Q(status=Status.REEXAM_REQUESTED, reexam_org__in=acting_org_ids(actor)))
        if not parts:
            return None
        either = parts[0]
        for part in parts[1:]:
            either |= part
        return state & either

    return rule, todo


start_hearing, start_hearing_todo = _hearing(True)
end_hearing, end_hearing_todo = _hearing(False)


def draft_reply(actor, case):
    return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)


def draft_reply_todo(actor):
    return _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)


def reply(actor, case):
    return _lead_staff(actor, case, R.UNIT_HEAD)


def reply_todo(actor):
    return _lead_staff_todo(actor, R.UNIT_HEAD)


_DELIVERY_ROLES = (R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)


def delivery(actor, case):
    if not _role(actor, *_DELIVERY_ROLES):
        return "只有登记员、受理交办员、承办人或负责人可以记录送达"
    orgs = {case.current_org_id, case.competent_org_id, case.routing_org_id, case.registered_org_id}
    if actor.org_id in orgs or acts_for(actor, case.review_org) or acts_for(actor, case.reexam_org):
        return None
    return "本单位不是该件的办理单位"


def delivery_todo(actor):
    """Owed now: the lead unit's signed reply that has not reached the petitioner yet.

    Other notices (acceptance, extension, review) are delivered too, but the
    reply is what holds the case up (no evaluation, report or closure before it).
    """
    if actor.org_id is None or not _role(actor, *_DELIVERY_ROLES):
        return None
    return Q(status=Status.REPLIED, competent_org=actor.org_id) & ~P.REPLY_DELIVERED.q()


_EVALUATE_ROLES = (R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)


def evaluate(actor, case):
    if not P.REPLY_DELIVERED(case):
        return "答复意见尚未送达信访人，不能评价"
    if P.EVALUATED(case):
        return "该件已评价"
    if actor.org_id not in {case.competent_org_id, case.routing_org_id, case.registered_org_id}:
        return "只有办理单位或交办单位可以记录评价"
    if not _role(actor, *_EVALUATE_ROLES):
        return "只有登记员、受理交办员、承办人或负责人可以记录评价"
    return None


def evaluate_todo(actor):
    if actor.org_id is None or not _role(actor, *_EVALUATE_ROLES):
        return None
    org = actor.org_id
    owed = P.REPLY_DELIVERED.q() & Q(evaluation="")
    if only_own_cases(actor):
        # A handler's scope is their own cases: ask for those alone (case_handler_idx), not for the unit's
        # whole 待评价 set, which grows for ever and which the scope would then throw away.
        return Q(handler=actor.pk, competent_org=org) & owed
    # Each branch leads with an indexed equality (case_eval_*_idx).
    return (
        Q(competent_org=org, evaluation="") & owed
        | Q(routing_org=org, evaluation="") & owed
        | Q(registered_org=org, evaluation="") & owed
    )


def report_back(actor, case):
    if not P.REPORT_OWED(case):
        return "该件不是交办件，无需报结"
    if not P.REPLY_DELIVERED(case):
        return "答复意见尚未送达信访人，不能报结"
    pending = P.pending_co_units(case)
    if pending:
        names = "、".join(p.org.name for p in pending)
        return f"协办单位（{names}）尚未反馈办理结果"
    return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)


def report_back_todo(actor):
    lead = _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)
    if lead is None:
        return None
    return lead & P.REPORT_OWED.q() & P.REPLY_DELIVERED.q() & ~P.CO_REPORTS_PENDING.q()


_CONFIRM_ROLES = (R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER)


def bureau_confirms(actor, case):
    if actor.org_id != case.routing_org_id:
        return "只有交办的信访部门可以审核办结"
    if not _role(actor, *_CONFIRM_ROLES):
        return "只有交办单位的受理交办员、负责人或领导可以审核"
    return None


def bureau_confirms_todo(actor):
    if actor.org_id is None or not _role(actor, *_CONFIRM_ROLES):
        return None
    return Q(routing_org=actor.org_id)


def close(actor, case):
    if P.REPORT_OWED(case):
        return "交办件须报结，由交办单位审核办结"
    if not P.REPLY_DELIVERED(case):
        return "答复意见尚未送达信访人，不能办结"
    return _lead_staff(actor, case, R.HANDLER, R.UNIT_HEAD)


def close_todo(actor):
    lead = _lead_staff_todo(actor, R.HANDLER, R.UNIT_HEAD)
    return None if lead is None else lead & ~P.REPORT_OWED.q() & P.REPLY_DELIVERED.q()


def request_review(actor, case):
    # The window is judged against the day the request was received (the
    # action's received_on), not today: a letter that arrived in time and is
    # registered late is still in time (条例 art 35 counts from the request).
    if case.kind != Kind.CLAIM:
        return "仅申诉求决类信访事项可以申请复查"
    if case.review_org is None:
        return "未找到上一级复查机关"
    if not P.WINDOW_STARTED(case):
        return "答复意见尚未送达，申请期限未开始"
    if not (acts_for(actor, case.review_org) and _role(actor, R.REGISTRAR, R.PETITION_OFFICER)):
        return "只有复查机关（或其信访部门）的登记员、受理交办员可以登记复查申请"
    return None


_DECIDE_REVIEW = (R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER)


def review(actor, case):
    if not (acts_for(actor, case.review_org) and _role(actor, *_DECIDE_REVIEW)):
        return "只有复查机关可以作出复查意见"
    return None


def review_todo(actor):
    if actor.org_id is None or not _role(actor, *_DECIDE_REVIEW):
        return None
    return Q(review_org__in=acting_org_ids(actor))


def request_reexam(actor, case):
    if case.reexam_org is None:
        return "未找到上一级复核机关"
    if not P.REVIEW_DELIVERED(case):
        return "复查意见尚未送达，申请期限未开始"
    if not P.WINDOW_STARTED(case):
        return "复查意见尚未送达，申请期限未开始"
    if not (acts_for(actor, case.reexam_org) and _role(actor, R.REGISTRAR, R.PETITION_OFFICER)):
        return "只有复核机关（或其信访部门）的登记员、受理交办员可以登记复核申请"
    return None


def reexamine(actor, case):
    if not (acts_for(actor, case.reexam_org) and _role(actor, *_DECIDE_REVIEW)):
        return "只有复核机关可以作出复核意见"
    return None


def reexamine_todo(actor):
    if actor.org_id is None or not _role(actor, *_DECIDE_REVIEW):
        return None
    return Q(reexam_org__in=acting_org_ids(actor))


def finalize(actor, case):
    if case.window_until is None or clock.today() <= case.window_until:
        return "信访人申请期限尚未届满，不能终结"
    if actor.is_system:
        return None  # the scheduled lapse sweep
    if actor.org_id not in {case.competent_org_id, case.routing_org_id} or not _role(
        actor, R.PETITION_OFFICER, R.UNIT_HEAD
    ):
        return "只有办理单位或交办单位可以终结"
    return None


# --- not a transition: adding attachments ------------------------------------------------------


def can_attach(actor, case) -> str | None:
    """Who may add attachments to an existing case (补充附件); None if allowed, else why not.

    Not a transition (it changes no state): staff of an org now taking part in
    the case's handling, while the case has not ended.
    """
    actor = as_actor(actor)
    if case.status in ENDED_STATES:
        return f"当前状态为“{case.get_status_display()}”，不能补充附件"
    orgs = {case.current_org_id, case.competent_org_id, case.routing_org_id, case.registered_org_id} - {None}
    # The reviewing and re-examining bodies receive the petitioner's request letters.
    if actor.org_id not in orgs and not acts_for(actor, case.review_org) and not acts_for(actor, case.reexam_org):
        return "本单位不是该件的办理单位，不能补充附件"
    if not _role(actor, R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD):
        return "只有登记员、受理交办员、承办人或负责人可以补充附件"
    return None


# --- the rules that shape inputs ------------------------------------------------------------------


def extension_cap(case) -> int:
    """The longest extension of the handling period at the case's competent org (条例 art 34: 30 days)."""
    from xinfang.clock.models import Clock
    from xinfang.clock.rules import rule_for

    org = case.competent_org or case.current_org
    return rule_for(org, Clock.EXTENSION, case.accepted_on or clock.today()).days


def rule_days(org, clock_code, on=None) -> int:
    """The statutory period of ``clock_code`` at ``org`` (for the texts that print it)."""
    from xinfang.clock.rules import rule_for

    return rule_for(org, clock_code, on or clock.today()).days


def extension_caps_in_force() -> str:
    """The extension caps of the rule sets in force today, for the API's documentation."""
    from xinfang.clock.models import Clock, ClockRule, RuleSet

    today = clock.today()
    rows = (
        ClockRule.objects.filter(clock=Clock.EXTENSION, rule_set__in=RuleSet.objects.in_effect(today))
        .select_related("rule_set")
        .order_by("-rule_set__is_national_default", "rule_set__name")
    )
    parts = [f"{r.rule_set.name}{r.days}日" for r in rows]
    return "；".join(parts) or "未配置"
