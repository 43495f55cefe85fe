"""Every write to supervision items, urging slips and instructions (the page and the API call these).

Each action: a transaction; the case locked through the access layer
(``access_case(for_write=True)``: out of scope is a 404) and then the item
(``select_for_update``); the rule (``rules``, refused as ``NotAllowed``) and
the input (``Invalid``), in Chinese; the change; one case event
(``cases.actions.record_for_app``, which keeps the hash chain and the
outbox); and the notifications, in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.http import Http404

from xinfang.cases.access import access_case, accused_may_not_receive
from xinfang.cases.actions import record_for_app
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseOrg
from xinfang.cases.states import ParticipantRole
from xinfang.cases.states import TrackedAction as T
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import Org, User
from xinfang.supervision import notices, rules
from xinfang.supervision.models import (
    Instruction,
    InstructionStatus,
    ReportKind,
    SupervisionItem,
    SupervisionKind,
    SupervisionReport,
    SupervisionStatus,
    UrgingSlip,
    UrgingStatus,
    UrgingTarget,
)

MAX_TEXT = 4000
MAX_CADENCE = 90


def _check(reason: str | None) -> None:
    if reason:
        raise NotAllowed(reason)


def _text(value, field: str, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{label}", field=field)
    if len(value) > MAX_TEXT:
        raise Invalid(f"{label}不能超过{MAX_TEXT}字", field=field)
    return value


def _future(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise Invalid(f"请填写{label}", field=field)
    if value < clock.today():
        raise Invalid(f"{label}不能早于今天", field=field)
    return value


def _cadence(value) -> int | None:
    if value in (None, "", 0):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise Invalid("反馈周期须为天数", field="report_every_days") from None
    if not 1 <= days <= MAX_CADENCE:
        raise Invalid(f"反馈周期须在1至{MAX_CADENCE}日之间", field="report_every_days")
    return days


def _org(who) -> Org:
    """The acting staff member's org (the rules refuse staff without one before this is asked)."""
    if who.org is None:
        raise NotAllowed("您的账号未关联单位，不能进行此项操作")
    return who.org


def _user(who) -> User:
    if who.user is None:
        raise NotAllowed("只有工作人员可以进行此项操作")
    return who.user


def _locked(model, case, item_id, missing: str):
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise Http404(missing) from None
    item = (
        model.objects.select_for_update(of=("self",))
        .filter(case=case, pk=pk)
        .select_related("owed_by_org", "issued_org")
        .first()
    )
    if item is None:
        raise Http404(missing)
    return item


def _case_id(case):
    return getattr(case, "pk", case)


def _supervising_row(case, org) -> None:
    """The supervising org takes part in the case, so it keeps seeing it (the access layer reads these rows)."""
    CaseOrg.objects.get_or_create(case=case, org=org, role=ParticipantRole.SUPERVISING)


# --- supervision -----------------------------------------------------------------------------------


def do_open_supervision(
    case,
    *,
    actor,
    kind: str,
    reason: str,
    due_on: date,
    report_every_days=None,
    listing_rule=None,
    issued_org: Org | None = None,
) -> SupervisionItem:
    """开展督办 (立案、发函、挂牌督办或现场督查) on a case in the actor's scope.

    The system opens listed items by rule (``listing``), naming the listing
    org as ``issued_org``; staff supervise as their own org.
    """
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        if who.is_system:
            if issued_org is None:
                raise ValueError("the system opens supervision for a named org")
        else:
            _check(rules.open_supervision(who, case))
            issued_org = _org(who)
        if kind not in SupervisionKind.values:
            raise Invalid("请选择督办方式", field="kind")
        reason = _text(reason, "reason", "督办事由")
        due_on = _future(due_on, "due_on", "办结期限")
        every = _cadence(report_every_days)
        today = clock.today()
        item = SupervisionItem.objects.create(
            case=case,
            kind=kind,
            reason=reason,
            due_on=due_on,
            report_every_days=every,
            next_report_on=min(today + timedelta(days=every), due_on) if every else None,
            listing_rule=listing_rule,
            owed_by_org=rules.holder(case),
            issued_org=issued_org,
            issued_by=who.user if who.is_staff_member else None,
        )
        _supervising_row(case, issued_org)
        record_for_app(
            case,
            T.SUPERVISION_OPEN,
            actor=who,
            note=f"{item.get_kind_display()}：{reason}（督办单位{issued_org.name}，办结期限{due_on:%Y-%m-%d}）",
            data={
                "item": item.pk,
                "kind": kind,
                "due_on": due_on.isoformat(),
                "rule": getattr(listing_rule, "pk", None),
            },
        )
        notices.supervision_opened(item, actor=who)
    return item


def do_report_supervision(case, item_id, *, actor, kind: str, text: str) -> SupervisionReport:
    """督办反馈: the supervised unit reports progress (the next report falls due a cadence later) or the result."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        item = _locked(SupervisionItem, case, item_id, "督办事项不存在")
        _check(rules.report_supervision(who, item))
        if kind not in ReportKind.values:
            raise Invalid("请选择反馈类型", field="kind")
        text = _text(text, "text", "反馈内容")
        report = SupervisionReport.objects.create(item=item, kind=kind, text=text, by=_user(who), org=_org(who))
        changed = []
        if kind == ReportKind.FINAL and item.next_report_on is not None:
            item.next_report_on = None  # the result is in: no more progress reports are owed
            changed.append("next_report_on")
        elif kind == ReportKind.PROGRESS and item.report_every_days:
            nxt = min(clock.today() + timedelta(days=item.report_every_days), item.due_on)
            if nxt != item.next_report_on:
                item.next_report_on = nxt
                changed.append("next_report_on")
        if changed:
            item.version += 1
            item.save(update_fields=[*changed, "version"])
        record_for_app(
            case,
            T.SUPERVISION_REPORT,
            actor=who,
            note=f"{report.get_kind_display()}：{text}",
            data={"item": item.pk, "report": report.pk, "kind": kind},
        )
        notices.supervision_reported(item, report, actor=who)
    return report


def do_conclude_supervision(case, item_id, *, actor, outcome: str = "") -> SupervisionItem:
    """督办办结 by the supervising side."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        item = _locked(SupervisionItem, case, item_id, "督办事项不存在")
        _check(rules.supervise(who, item))
        item.outcome = _text(outcome, "outcome", "办结意见", required=False)
        item.status = SupervisionStatus.CONCLUDED
        item.closed_at = clock.now()
        item.save(update_fields=["outcome", "status", "closed_at"])
        record_for_app(
            case,
            T.SUPERVISION_CONCLUDE,
            actor=who,
            note=f"{item.get_kind_display()}办结" + (f"：{item.outcome}" if item.outcome else ""),
            data={"item": item.pk},
        )
    return item


def do_continue_supervision(case, item_id, *, actor, due_on: date, note: str = "") -> SupervisionItem:
    """继续督办: a new due date (the version moves on, so reminders for it are sent afresh)."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        item = _locked(SupervisionItem, case, item_id, "督办事项不存在")
        _check(rules.supervise(who, item))
        due_on = _future(due_on, "due_on", "新的办结期限")
        if due_on == item.due_on:
            raise Invalid("新的办结期限与原期限相同", field="due_on")
        note = _text(note, "note", "继续督办意见", required=False)
        previous = item.due_on
        item.due_on = due_on
        if item.report_every_days:
            item.next_report_on = min(clock.today() + timedelta(days=item.report_every_days), due_on)
        item.version += 1
        item.save(update_fields=["due_on", "next_report_on", "version"])
        record_for_app(
            case,
            T.SUPERVISION_CONTINUE,
            actor=who,
            note=f"继续督办，办结期限改为{due_on:%Y-%m-%d}" + (f"：{note}" if note else ""),
            # What its 督办函 (documents.texts) is frozen from: the old and new dates and the opinion.
            data={
                "item": item.pk,
                "due_on": due_on.isoformat(),
                "previous_due_on": previous.isoformat(),
                "note": note,
                "version": item.version,
            },
        )
        notices.supervision_continued(item, note, actor=who)
    return item


def do_escalate_supervision(case, item_id, *, actor, note: str = "") -> SupervisionItem:
    """提级督办: hand the item to the petition bureau one level up, which opens its own item."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        item = _locked(SupervisionItem, case, item_id, "督办事项不存在")
        if not who.is_system:
            _check(rules.supervise(who, item))
        elif not item.is_open:
            raise NotAllowed(f"督办事项{item.get_status_display()}")
        higher = rules.higher_bureau(item.issued_org)
        if higher is None:
            raise NotAllowed("没有上一级信访部门，不能提级督办")
        note = _text(note, "note", "提级理由", required=False)
        item.status = SupervisionStatus.ESCALATED
        item.closed_at = clock.now()
        item.save(update_fields=["status", "closed_at"])
        new = SupervisionItem.objects.create(
            case=case,
            kind=item.kind,
            reason=item.reason + (f"\n提级理由：{note}" if note else ""),
            due_on=max(item.due_on, clock.today()),
            report_every_days=item.report_every_days,
            next_report_on=item.next_report_on,
            listing_rule=item.listing_rule,
            owed_by_org=item.owed_by_org,
            issued_org=higher,
            issued_by=None,
            escalated_from=item,
        )
        _supervising_row(case, higher)
        record_for_app(
            case,
            T.SUPERVISION_ESCALATE,
            actor=who,
            note=f"提请{higher.name}督办" + (f"：{note}" if note else ""),
            # The new item's due date, as 开展督办 records it: its 督办函 (documents.texts) is frozen from it.
            data={"item": item.pk, "new_item": new.pk, "to_org": higher.pk, "due_on": new.due_on.isoformat()},
        )
        notices.supervision_escalated(new, actor=who)
    return new


# --- urging ----------------------------------------------------------------------------------------


def do_issue_urging(
    case,
    *,
    actor,
    subject: str,
    reply_by: date,
    target: str = UrgingTarget.HOLDING,
    co_org: Org | None = None,
    deadline=None,
) -> UrgingSlip:
    """发出催办单 to the unit holding the case, or (a lead unit) to a co-unit for its feedback."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        if target == UrgingTarget.CO_FEEDBACK:
            _check(rules.urge_co_unit(who, case))
            co = (
                CaseOrg.objects.filter(case=case, role=ParticipantRole.CO, org=getattr(co_org, "pk", co_org))
                .select_related("org")
                .first()
                if co_org is not None
                else None
            )
            if co is None:
                raise Invalid("请选择本件的协办单位", field="co_org")
            if co.reported_at is not None:
                raise Invalid(f"{co.org.name}已反馈协办情况", field="co_org")
            owed = co.org
        elif target == UrgingTarget.HOLDING:
            _check(rules.issue_urging(who, case))
            owed = rules.holder(case)
        else:
            raise Invalid("请选择催办对象", field="target")
        subject = _text(subject, "subject", "催办事项")
        reply_by = _future(reply_by, "reply_by", "答复期限")
        if deadline is not None and getattr(deadline, "owner_id", None) != case.pk:
            raise Invalid("所催期限不属于本件", field="deadline")
        slip = UrgingSlip.objects.create(
            case=case,
            target=target,
            subject=subject,
            reply_by=reply_by,
            deadline=deadline,
            owed_by_org=owed,
            issued_org=_org(who),
            issued_by=who.user,
        )
        record_for_app(
            case,
            T.URGING_ISSUE,
            actor=who,
            note=f"向{owed.name}发出催办单：{subject}（{reply_by:%Y-%m-%d}前答复）",
            data={"slip": slip.pk, "to_org": owed.pk, "reply_by": reply_by.isoformat(), "target": target},
        )
        notices.urging_issued(slip, actor=who)
    return slip


def do_answer_urging(case, slip_id, *, actor, reply: str) -> UrgingSlip:
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        slip = _locked(UrgingSlip, case, slip_id, "催办单不存在")
        _check(rules.answer_urging(who, slip))
        slip.reply = _text(reply, "reply", "答复内容")
        slip.status = UrgingStatus.ANSWERED
        slip.replied_at = slip.closed_at = clock.now()
        slip.replied_by = who.user
        slip.save(update_fields=["reply", "status", "replied_at", "closed_at", "replied_by"])
        record_for_app(case, T.URGING_ANSWER, actor=who, note=f"答复催办：{slip.reply}", data={"slip": slip.pk})
        notices.urging_answered(slip, actor=who)
    return slip


def do_withdraw_urging(case, slip_id, *, actor, note: str = "") -> UrgingSlip:
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        slip = _locked(UrgingSlip, case, slip_id, "催办单不存在")
        _check(rules.withdraw_urging(who, slip))
        note = _text(note, "note", "撤回理由", required=False)
        slip.status = UrgingStatus.WITHDRAWN
        slip.closed_at = clock.now()
        slip.save(update_fields=["status", "closed_at"])
        note = "撤回催办单" + (f"：{note}" if note else "")
        record_for_app(case, T.URGING_WITHDRAW, actor=who, note=note, data={"slip": slip.pk})
    return slip


# --- leader instructions ---------------------------------------------------------------------------


def do_record_instruction(
    case, *, actor, text: str, to_org: Org | None, commit_by: date, to_user: User | None = None
) -> Instruction:
    """领导批示: the text, the unit (and person) to act, the date to report back by."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        _check(rules.record_instruction(who, case))
        text = _text(text, "text", "批示内容")
        reason = rules.instruct_org(who, to_org)
        if reason:
            raise Invalid(reason, field="to_org")
        assert to_org is not None
        if accused_may_not_receive(case, to_org) or (to_user is not None and to_user.pk == case.accused_user_id):
            raise Invalid("检举控告件不得交由被反映单位或被反映人落实", field="to_org")
        if to_user is not None and (to_user.org_id != to_org.pk or not to_user.is_active):
            raise Invalid("落实责任人须为被批示单位的工作人员", field="to_user")
        commit_by = _future(commit_by, "commit_by", "落实期限")
        instruction = Instruction.objects.create(
            case=case,
            text=text,
            owed_by_org=to_org,
            to_user=to_user,
            commit_by=commit_by,
            issued_org=_org(who),
            issued_by=who.user,
        )
        record_for_app(
            case,
            T.INSTRUCTION_RECORD,
            actor=who,
            note=f"{text}（请{to_org.name}于{commit_by:%Y-%m-%d}前报告落实情况）",
            data={"instruction": instruction.pk, "to_org": to_org.pk, "commit_by": commit_by.isoformat()},
        )
        notices.instruction_recorded(instruction, actor=who)
    return instruction


def do_report_instruction(case, instruction_id, *, actor, report: str) -> Instruction:
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        instruction = _locked(Instruction, case, instruction_id, "批示不存在")
        _check(rules.report_instruction(who, instruction))
        instruction.report = _text(report, "report", "落实情况")
        instruction.status = InstructionStatus.REPORTED
        instruction.reported_at = clock.now()
        instruction.reported_by = who.user
        instruction.save(update_fields=["report", "status", "reported_at", "reported_by"])
        record_for_app(
            case,
            T.INSTRUCTION_REPORT,
            actor=who,
            note=f"批示落实情况：{instruction.report}",
            data={"instruction": instruction.pk},
        )
        notices.instruction_reported(instruction, actor=who)
    return instruction


def do_close_instruction(case, instruction_id, *, actor, note: str = "") -> Instruction:
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, _case_id(case), for_write=True)
        instruction = _locked(Instruction, case, instruction_id, "批示不存在")
        _check(rules.close_instruction(who, instruction))
        note = _text(note, "note", "办结意见", required=False)
        instruction.status = InstructionStatus.CLOSED
        instruction.closed_at = clock.now()
        instruction.save(update_fields=["status", "closed_at"])
        record_for_app(
            case,
            T.INSTRUCTION_CLOSE,
            actor=who,
            note="批示办结" + (f"：{note}" if note else ""),
            data={"instruction": instruction.pk},
        )
    return instruction
