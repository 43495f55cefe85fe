"""Who may take which action on a case, decided by role and org.

`check(user, action, case)` returns None when allowed and otherwise the
reason in Chinese, so the same rule both guards the action and decides which
buttons the case page shows.
"""

from xinfang.cases.states import ENDED_STATES, TRANSITIONS, Action, Kind, ParticipantRole, Status
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import OrgKind, Role

R = Role


def acts_for(user, org) -> bool:
    """Staff of `org`, or of the petition bureau that works on that government's behalf."""
    if org is None or user.org_id is None:
        return False
    if user.org_id == org.pk:
        return True
    return user.org.kind == OrgKind.PETITION_BUREAU and user.org.parent_id == org.pk


def _role(user, *roles) -> bool:
    return user.is_active and user.has_role(*roles)


def _pending_co_units(case) -> list:
    return [p for p in case.participants.all() if p.role == ParticipantRole.CO and p.reported_at is None]


def check(user, action: str, case) -> str | None:
    """None if allowed; otherwise why not, in Chinese. ``user`` is a staff user or an Actor."""
    user = as_actor(user)
    allowed_from, _to = TRANSITIONS[action]
    if case.status not in allowed_from:
        return f"当前状态为“{case.get_status_display()}”，不能{Action(action).label}"
    rule = _RULES[action]
    return rule(user, case)


def _officer_at_current(user, case, *extra_roles):
    if user.org_id != case.current_org_id:
        return "该信访件当前不在本单位办理"
    if not _role(user, R.PETITION_OFFICER, *extra_roles):
        return "只有本单位受理交办员可以办理此项"
    return None


def _route(user, case):
    if not case.current_org.is_petition_bureau and case.status == Status.REGISTERED:
        return "只有信访部门可以交转办"
    return _officer_at_current(user, case)


def _merge(user, case):
    return _officer_at_current(user, case)


def _sign(user, case):
    if user.org_id != case.current_org_id:
        return "该信访件不是转交本单位的"
    if not _role(user, R.PETITION_OFFICER, R.UNIT_HEAD):
        return "只有本单位受理交办员或负责人可以签收或退回"
    return None


def _decide(user, case):
    return _officer_at_current(user, case)


def _assign_handler(user, case):
    if user.org_id != case.competent_org_id and user.org_id != case.current_org_id:
        return "只有主办单位可以指定承办人"
    if not _role(user, R.UNIT_HEAD, R.PETITION_OFFICER):
        return "只有单位负责人或受理交办员可以指定承办人"
    return None


def _lead_staff(user, case, *roles):
    if user.org_id != case.competent_org_id:
        return "只有主办单位可以办理此项"
    if not _role(user, *roles):
        labels = "、".join(Role(r).label for r in roles)
        return f"只有主办单位的{labels}可以办理此项"
    return None


def _record_step(user, case):
    if case.status == Status.REVIEW_REQUESTED:
        return (
            None
            if acts_for(user, case.review_org) and _role(user, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)
            else "只有复查机关可以记录复查过程"
        )
    if case.status == Status.REEXAM_REQUESTED:
        return (
            None
            if acts_for(user, case.reexam_org) and _role(user, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)
            else "只有复核机关可以记录复核过程"
        )
    return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)


def _co_report(user, case):
    pending = [p for p in _pending_co_units(case) if p.org_id == user.org_id]
    if not pending:
        return "本单位不是该件的协办单位，或已反馈"
    if not _role(user, R.HANDLER, R.UNIT_HEAD, R.PETITION_OFFICER):
        return "只有协办单位的承办人或负责人可以反馈"
    return None


def _request_extension(user, case):
    if case.extension_requested_days:
        return "已有待审批的延期申请"
    if case.extension_days:
        return "该件已延期，不能再次延期（最长30日）"
    return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)


def _decide_extension(user, case):
    if not case.extension_requested_days:
        return "没有待审批的延期申请"
    return _lead_staff(user, case, R.UNIT_HEAD)


def _hearing(open_: bool):
    def rule(user, case):
        if case.hearing_open == open_:
            return "听证已经开始" if open_ else "没有进行中的听证"
        if case.status == Status.REEXAM_REQUESTED:
            if acts_for(user, case.reexam_org) and _role(user, R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER):
                return None
            return "只有复核机关可以组织听证"
        return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)

    return rule


def _draft_reply(user, case):
    return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)


def _reply(user, case):
    return _lead_staff(user, case, R.UNIT_HEAD)


def _delivery(user, case):
    if not _role(user, R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD):
        return "只有登记员、受理交办员、承办人或负责人可以记录送达"
    orgs = {case.current_org_id, case.competent_org_id, case.routing_org_id, case.registered_org_id}
    if user.org_id in orgs or acts_for(user, case.review_org) or acts_for(user, case.reexam_org):
        return None
    return "本单位不是该件的办理单位"


def _evaluate(user, case):
    if case.reply_delivered_on is None:
        return "答复意见尚未送达信访人，不能评价"
    if case.evaluation:
        return "该件已评价"
    if user.org_id not in {case.competent_org_id, case.routing_org_id, case.registered_org_id}:
        return "只有办理单位或交办单位可以记录评价"
    if not _role(user, R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD):
        return "只有登记员、受理交办员、承办人或负责人可以记录评价"
    return None


def _report_back(user, case):
    if not case.is_assigned:
        return "该件不是交办件，无需报结"
    if case.reply_delivered_on is None:
        return "答复意见尚未送达信访人，不能报结"
    pending = _pending_co_units(case)
    if pending:
        names = "、".join(p.org.name for p in pending)
        return f"协办单位（{names}）尚未反馈办理结果"
    return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)


def _bureau_confirms(user, case):
    if user.org_id != case.routing_org_id:
        return "只有交办的信访部门可以审核办结"
    if not _role(user, R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER):
        return "只有交办单位的受理交办员、负责人或领导可以审核"
    return None


def _close(user, case):
    if case.is_assigned:
        return "交办件须报结，由交办单位审核办结"
    if case.reply_delivered_on is None:
        return "答复意见尚未送达信访人，不能办结"
    return _lead_staff(user, case, R.HANDLER, R.UNIT_HEAD)


def _window_open(case, today=None) -> str | None:
    today = today or clock.today()
    if case.window_until is None:
        return "答复意见尚未送达，申请期限未开始"
    if today > case.window_until:
        return f"申请期限已于{case.window_until:%Y年%m月%d日}届满"
    return None


def _request_review(user, case):
    if case.kind != Kind.CLAIM:
        return "仅申诉求决类信访事项可以申请复查"
    if case.review_org is None:
        return "未找到上一级复查机关"
    reason = _window_open(case)
    if reason:
        return reason
    if not (acts_for(user, case.review_org) and _role(user, R.REGISTRAR, R.PETITION_OFFICER)):
        return "只有复查机关（或其信访部门）的登记员、受理交办员可以登记复查申请"
    return None


def _review(user, case):
    if not (acts_for(user, case.review_org) and _role(user, R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER)):
        return "只有复查机关可以作出复查意见"
    return None


def _request_reexam(user, case):
    if case.reexam_org is None:
        return "未找到上一级复核机关"
    if case.review_delivered_on is None:
        return "复查意见尚未送达，申请期限未开始"
    reason = _window_open(case)
    if reason:
        return reason
    if not (acts_for(user, case.reexam_org) and _role(user, R.REGISTRAR, R.PETITION_OFFICER)):
        return "只有复核机关（或其信访部门）的登记员、受理交办员可以登记复核申请"
    return None


def _reexamine(user, case):
    if not (acts_for(user, case.reexam_org) and _role(user, R.PETITION_OFFICER, R.UNIT_HEAD, R.LEADER)):
        return "只有复核机关可以作出复核意见"
    return None


def _finalize(user, case):
    if case.window_until is None or clock.today() <= case.window_until:
        return "信访人申请期限尚未届满，不能终结"
    if user.is_system:
        return None  # the scheduled lapse sweep
    if user.org_id not in {case.competent_org_id, case.routing_org_id} or not _role(
        user, R.PETITION_OFFICER, R.UNIT_HEAD
    ):
        return "只有办理单位或交办单位可以终结"
    return None


_RULES = {
    Action.FORWARD: _route,
    Action.ASSIGN: _route,
    Action.MERGE_AS_REPEAT: _merge,
    Action.SIGN_FOR: _sign,
    Action.RETURN: _sign,
    Action.ACCEPT: _decide,
    Action.DECLINE: _decide,
    Action.REDIRECT: _decide,
    Action.ASSIGN_HANDLER: _assign_handler,
    Action.RECORD_STEP: _record_step,
    Action.CO_REPORT: _co_report,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _decide_extension,
    Action.REJECT_EXTENSION: _decide_extension,
    Action.START_HEARING: _hearing(True),
    Action.END_HEARING: _hearing(False),
    Action.DRAFT_REPLY: _draft_reply,
    Action.REPLY: _reply,
    Action.RECORD_DELIVERY: _delivery,
    Action.EVALUATE: _evaluate,
    Action.REPORT_BACK: _report_back,
    Action.CONFIRM_CLOSURE: _bureau_confirms,
    Action.SEND_BACK: _bureau_confirms,
    Action.CLOSE: _close,
    Action.REQUEST_REVIEW: _request_review,
    Action.REVIEW: _review,
    Action.REQUEST_REEXAM: _request_reexam,
    Action.REEXAMINE: _reexamine,
    Action.FINALIZE: _finalize,
}

assert set(_RULES) == set(TRANSITIONS), "every transition needs a permission rule"


def available_actions(user, case) -> list[str]:
    return [a for a in TRANSITIONS if check(user, a, case) is None]


def can_attach(user, case) -> str | None:
    """Who may add attachments to an existing case (补充附件); None if allowed, else why not.

    Not a transition (it changes no state): staff of an org now taking part in
    the case's handling, while the case has not ended.
    """
    user = as_actor(user)
    if case.status in ENDED_STATES:
        return f"当前状态为“{case.get_status_display()}”，不能补充附件"
    orgs = {case.current_org_id, case.competent_org_id, case.routing_org_id, case.registered_org_id} - {None}
    # The reviewing and re-examining bodies receive the petitioner's request letters.
    if user.org_id not in orgs and not acts_for(user, case.review_org) and not acts_for(user, case.reexam_org):
        return "本单位不是该件的办理单位，不能补充附件"
    if not _role(user, R.REGISTRAR, R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD):
        return "只有登记员、受理交办员、承办人或负责人可以补充附件"
    return None
