"""Routing by the petition bureau, and the receiving org's sign-for or return."""

from django.db import transaction

from xinfang.cases import deadlines, documents
from xinfang.cases import permissions as rules
from xinfang.cases.access import scoped_cases
from xinfang.cases.actions.base import finish, lock
from xinfang.cases.errors import Invalid
from xinfang.cases.inputs import CasePick, OrgPick, Text
from xinfang.cases.models import CaseOrg
from xinfang.cases.routing_policy import accused_note, check_target, targets
from xinfang.cases.spec import action
from xinfang.cases.states import Action, ParticipantRole, Status
from xinfang.clock.models import Clock
from xinfang.core import clock

S = Status


def _route(case, actor, action, target, *, co_orgs=(), note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, action, expected_version=expected_version)
        assign = action == Action.ASSIGN
        check_target(
            case,
            actor,
            action,
            target,
            field="lead_org" if assign else "to_org",
            label="主办单位" if assign else "接收单位",
        )
        if target is not None and any(o.pk == target.pk for o in co_orgs):
            raise Invalid("主办单位不能同时作为协办单位", field="co_orgs")
        for co in co_orgs:
            check_target(case, actor, action, co, field="co_orgs", label="协办单位")
        today = clock.today()
        deadlines.meet(case, Clock.ROUTING, clock.now())
        case.current_org = target
        case.competent_org = target
        case.is_assigned = assign
        case.handler = None
        CaseOrg.objects.get_or_create(
            case=case, org=target, role=ParticipantRole.LEAD if assign else ParticipantRole.COMPETENT
        )
        for co in co_orgs:
            CaseOrg.objects.get_or_create(case=case, org=co, role=ParticipantRole.CO)
        # The receiving org's clocks run from its receipt, which is today.
        deadlines.start(case, Clock.MISROUTING_OBJECTION, today, org=target)
        deadlines.start(case, Clock.ACCEPTANCE, today, org=target)
        letter = documents.routing_letter(case, actor.org, target, today, assign=assign, note=note, co_orgs=co_orgs)
        finish(
            case, actor, action, note=note, document=letter, data={"to": target.name, "co": [o.name for o in co_orgs]}
        )
    return case


def _offer(act):
    return lambda case, actor: targets(case, actor, act)


def _note_for(case, actor):
    return accused_note(case)


@action(
    Action.FORWARD,
    from_=[S.REGISTERED],
    to=S.FORWARDED,
    rule=rules.route,
    todo=rules.route_todo,
    order=20,
    api_path="forward",
    inputs=[
        OrgPick(
            "to_org",
            "接收单位（有权处理机关）",
            form_name="org",
            api_name="to_org_id",
            api_doc="接收单位（有权处理机关）ID：本级政府所属单位，或其他地区、上级的有权处理机关（跨区域转送）",
            offered=_offer(Action.FORWARD),
        ),
        Text("note", "转送说明"),
    ],
    note=_note_for,
    doc="转送有权处理机关（无需报结）。可转送本级政府所属单位，也可跨区域转送其他地区或上级的有权处理机关；"
    "检举控告件不得转送被反映单位。",
)
def do_forward(case, *, actor, to_org, note="", expected_version=None):
    """转送: send to the competent org; nothing is reported back."""
    return _route(case, actor, Action.FORWARD, to_org, note=note, expected_version=expected_version)


@action(
    Action.ASSIGN,
    from_=[S.REGISTERED],
    to=S.ASSIGNED,
    rule=rules.route,
    todo=rules.route_todo,
    order=10,
    primary=True,
    api_path="assign",
    inputs=[
        OrgPick("lead_org", "主办单位", form_name="org", api_name="lead_org_id", offered=_offer(Action.ASSIGN)),
        OrgPick(
            "co_orgs",
            "协办单位（可多选）",
            required=False,
            multiple=True,
            api_name="co_org_ids",
            offered=_offer(Action.ASSIGN),
        ),
        Text("note", "交办要求"),
    ],
    note=_note_for,
    doc="交办本级政府所属的主办单位（可加协办单位），承办单位须报结；检举控告件不得交办被反映单位。",
)
def do_assign(case, *, actor, lead_org, co_orgs=(), note="", expected_version=None):
    """交办: send to a lead unit (and co-units) that must report the result back."""
    return _route(case, actor, Action.ASSIGN, lead_org, co_orgs=co_orgs, note=note, expected_version=expected_version)


@action(
    Action.MERGE_AS_REPEAT,
    from_=[S.REGISTERED, S.TO_DECIDE],
    to=S.MERGED,
    rule=rules.merge,
    order=80,
    api_path="merge",
    inputs=[
        CasePick("original", "所并原信访件编号", api_name="original_id", api_doc="所并原信访件 ID"),
        Text("note", "说明"),
    ],
    doc="按重复信访并入在办的原件。",
)
def do_merge_as_repeat(case, *, actor, original, note="", expected_version=None):
    """Merge as a repeat of an open case on the same matter (重复信访; art 19(3))."""
    with transaction.atomic():
        case = lock(case, actor, Action.MERGE_AS_REPEAT, expected_version=expected_version)
        if original is None or original.pk == case.pk:
            raise Invalid("请选择所并的原信访件", field="original")
        if not scoped_cases(actor).filter(pk=original.pk).exists():
            # Same answer as a missing case: merging must not reveal what the actor cannot see.
            raise Invalid("所选原信访件不存在", field="original")
        if not original.is_open:
            raise Invalid("所选原信访件已结束，不能合并", field="original")
        case.repeat_of = original
        deadlines.cancel(case)
        finish(
            case,
            actor,
            Action.MERGE_AS_REPEAT,
            note=note or f"并入{original.number}",
            data={"original": original.number},
        )
    return case


@action(
    Action.SIGN_FOR,
    from_=[S.FORWARDED, S.ASSIGNED],
    to=S.TO_DECIDE,
    alternates=[S.REGISTERED],
    rule=rules.sign,
    todo=rules.sign_todo,
    order=30,
    primary=True,
    api_path="sign-for",
    inputs=[Text("note", "说明")],
    doc="签收转送或交办到本单位的信访件。信访部门签收上级交转的信访件后，由本级继续交转办。",
)
def do_sign_for(case, *, actor, note="", expected_version=None):
    """签收. A competent org then decides acceptance; a lower petition bureau
    that receives a case from the bureau above routes it on in its own area."""
    with transaction.atomic():
        case = lock(case, actor, Action.SIGN_FOR, expected_version=expected_version)
        deadlines.meet(case, Clock.MISROUTING_OBJECTION, clock.now())
        bureau = case.current_org
        if not bureau.is_petition_bureau:
            finish(case, actor, Action.SIGN_FOR, note=note)
            return case
        deadlines.cancel(case, Clock.ACCEPTANCE)
        if case.routing_org_id is not None:  # None: forwarded away from the accused, nothing owed back
            case.routing_chain = [*case.routing_chain, {"org": case.routing_org_id, "assigned": case.is_assigned}]
        upper = case.routing_org
        case.routing_org = bureau
        case.competent_org = None
        case.is_assigned = False
        CaseOrg.objects.get_or_create(case=case, org=bureau, role=ParticipantRole.ROUTING)
        # The lower bureau's own 15 routing days run from its receipt (art 22).
        deadlines.start(case, Clock.ROUTING, clock.today(), org=bureau)
        finish(
            case,
            actor,
            Action.SIGN_FOR,
            to_status=Status.REGISTERED,
            note=note or f"签收{upper.name if upper else '上级'}交转的信访件，由本级继续交转办",
        )
    return case


@action(
    Action.RETURN,
    from_=[S.FORWARDED, S.ASSIGNED],
    to=S.REGISTERED,
    rule=rules.return_,
    order=40,
    api_path="return",
    inputs=[Text("reason", "退回理由", required=True)],
    doc="认为不属本单位职责，退回交转办单位（5个工作日内）。",
)
def do_return(case, *, actor, reason, expected_version=None):
    """退回: the receiving org says the case is misrouted (within 5 working days)."""
    if not (reason or "").strip():
        raise Invalid("请填写退回理由", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.RETURN, expected_version=expected_version)
        late = any(
            d.due_date < clock.today() for d in deadlines.open_deadlines(case).filter(clock=Clock.MISROUTING_OBJECTION)
        )
        deadlines.meet(case, Clock.MISROUTING_OBJECTION, clock.now())
        deadlines.cancel(case, Clock.ACCEPTANCE)
        router = case.routing_org
        case.current_org = router
        case.competent_org = None
        case.is_assigned = False
        # The bureau must route again; its 15 days run afresh from the return.
        deadlines.start(case, Clock.ROUTING, clock.today(), org=router)
        note = reason.strip() + ("（已超过5个工作日异议期限）" if late else "")
        finish(case, actor, Action.RETURN, note=note, data={"late": late})
    return case
