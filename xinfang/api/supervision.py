"""/cases/{id}/supervision, /urging, /instructions: 督办、催办、领导批示 through the same actions as the case page.

Reads go through the access layer (a case outside the caller's scope is a
404, like a missing one); writes call ``xinfang.supervision.actions``, so a
refusal is the page's refusal: 403 not_allowed (role or org), 422 invalid
(a value, with its field), 404 not_found (the case or the item).
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, P, PathEx, Router, Schema
from ninja import Status as HttpStatus

from xinfang.api import schemas as s
from xinfang.api.serializers import org_ref, user_ref
from xinfang.cases.access import access_case
from xinfang.cases.errors import Invalid
from xinfang.cases.inputs import MAX_ID, BoundedDay, RowId
from xinfang.clock.models import Deadline
from xinfang.orgs.models import Org, User
from xinfang.supervision import actions
from xinfang.supervision.actions import MAX_CADENCE, MAX_TEXT
from xinfang.supervision.models import (
    Instruction,
    ReportKind,
    SupervisionItem,
    SupervisionKind,
    UrgingSlip,
    UrgingTarget,
)

router = Router(tags=["督办催办"])

ItemId = PathEx[int, P(ge=1, le=MAX_ID, description="督办事项 ID")]
SlipId = PathEx[int, P(ge=1, le=MAX_ID, description="催办单 ID")]
InstructionId = PathEx[int, P(ge=1, le=MAX_ID, description="批示 ID")]


def _text(description: str):
    return Field(min_length=1, max_length=MAX_TEXT, description=description)


def _note(description: str):
    return Field("", max_length=MAX_TEXT, description=description)


# ---------------------------------------------------------------- shapes


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    org: s.OrgRef
    by: s.UserRef
    at: datetime


class SupervisionOut(Schema):
    id: int
    kind: str = Field(description=s._choices(SupervisionKind))
    kind_label: str
    status: str = Field(description="open=督办中；concluded=已办结；escalated=已提级督办")
    status_label: str
    reason: str
    due_on: date
    report_every_days: int | None
    next_report_on: date | None
    owed_by_org: s.OrgRef = Field(description="被督办单位")
    issued_org: s.OrgRef = Field(description="督办单位")
    issued_by: s.UserRef | None
    listing_rule: str | None = Field(description="按规则挂牌督办时的规则名称")
    escalated_from_id: int | None
    outcome: str
    version: int = Field(description="期限每次变动加一")
    opened_at: datetime
    closed_at: datetime | None
    reports: list[ReportOut]


class UrgingOut(Schema):
    id: int
    target: str = Field(description=s._choices(UrgingTarget))
    status: str = Field(description="open=待答复；answered=已答复；withdrawn=已撤回")
    status_label: str
    subject: str
    reply_by: date
    deadline_id: int | None
    owed_by_org: s.OrgRef = Field(description="被催办单位")
    issued_org: s.OrgRef
    issued_by: s.UserRef | None
    reply: str
    replied_at: datetime | None
    replied_by: s.UserRef | None
    opened_at: datetime
    closed_at: datetime | None


class InstructionOut(Schema):
    id: int
    status: str = Field(description="open=待落实；reported=已报告落实情况；closed=已办结")
    status_label: str
    text: str
    to_org: s.OrgRef = Field(description="落实单位")
    to_user: s.UserRef | None
    commit_by: date
    issued_org: s.OrgRef
    issued_by: s.UserRef | None
    report: str
    reported_at: datetime | None
    opened_at: datetime
    closed_at: datetime | None


class CaseSupervisionOut(Schema):
    supervision: list[SupervisionOut]
    urging: list[UrgingOut]
    instructions: list[InstructionOut]


def _supervision(item: SupervisionItem) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "status": item.status,
        "status_label": item.get_status_display(),
        "reason": item.reason,
        "due_on": item.due_on,
        "report_every_days": item.report_every_days,
        "next_report_on": item.next_report_on,
        "owed_by_org": org_ref(item.owed_by_org),
        "issued_org": org_ref(item.issued_org),
        "issued_by": user_ref(item.issued_by),
        "listing_rule": item.listing_rule.name if item.listing_rule is not None else None,
        "escalated_from_id": item.escalated_from_id,
        "outcome": item.outcome,
        "version": item.version,
        "opened_at": item.opened_at,
        "closed_at": item.closed_at,
        "reports": [
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "text": r.text,
                "org": org_ref(r.org),
                "by": user_ref(r.by),
                "at": r.at,
            }
            for r in item.reports.select_related("org", "by").order_by("at", "pk")
        ],
    }


def _urging(slip: UrgingSlip) -> dict:
    return {
        "id": slip.pk,
        "target": slip.target,
        "status": slip.status,
        "status_label": slip.get_status_display(),
        "subject": slip.subject,
        "reply_by": slip.reply_by,
        "deadline_id": slip.deadline_id,
        "owed_by_org": org_ref(slip.owed_by_org),
        "issued_org": org_ref(slip.issued_org),
        "issued_by": user_ref(slip.issued_by),
        "reply": slip.reply,
        "replied_at": slip.replied_at,
        "replied_by": user_ref(slip.replied_by),
        "opened_at": slip.opened_at,
        "closed_at": slip.closed_at,
    }


def _instruction(ins: Instruction) -> dict:
    return {
        "id": ins.pk,
        "status": ins.status,
        "status_label": ins.get_status_display(),
        "text": ins.text,
        "to_org": org_ref(ins.owed_by_org),
        "to_user": user_ref(ins.to_user),
        "commit_by": ins.commit_by,
        "issued_org": org_ref(ins.issued_org),
        "issued_by": user_ref(ins.issued_by),
        "report": ins.report,
        "reported_at": ins.reported_at,
        "opened_at": ins.opened_at,
        "closed_at": ins.closed_at,
    }


def _refreshed(model, pk):
    return model.objects.select_related("owed_by_org", "issued_org", "issued_by").filter(pk=pk).first()


def _org(pk: int | None, field: str, label: str) -> Org | None:
    if pk is None:
        return None
    org = Org.objects.filter(pk=pk, is_active=True).first()
    if org is None:
        raise Invalid(f"{label}不存在", field=field)
    return org


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise Invalid("落实责任人不存在", field=field)
    return user


# ---------------------------------------------------------------- reading


@router.get(
    "/cases/{int:case_id}/supervision",
    response={200: CaseSupervisionOut, **s.ERRORS},
    summary="信访件的督办、催办和批示",
    operation_id="case_supervision",
)
def case_supervision(request, case_id: s.CaseId):
    """本件的督办事项（含反馈）、催办单和领导批示，新→旧。"""
    case = access_case(request.auth, case_id)
    related = ("owed_by_org", "issued_org", "issued_by")
    return {
        "supervision": [
            _supervision(i) for i in SupervisionItem.objects.filter(case=case).select_related(*related, "listing_rule")
        ],
        "urging": [_urging(u) for u in UrgingSlip.objects.filter(case=case).select_related(*related, "replied_by")],
        "instructions": [
            _instruction(i) for i in Instruction.objects.filter(case=case).select_related(*related, "to_user")
        ],
    }


# ---------------------------------------------------------------- supervision


class OpenIn(Schema):
    kind: SupervisionKind = Field(description=s._choices(SupervisionKind))
    reason: str = _text("督办事由")
    due_on: BoundedDay = Field(description="办结期限（不早于今天）")
    report_every_days: int | None = Field(None, ge=1, le=MAX_CADENCE, description="进展反馈周期（日）")


class ReportIn(Schema):
    kind: ReportKind = Field(description=s._choices(ReportKind))
    text: str = _text("反馈内容")


class ConcludeIn(Schema):
    outcome: str = _note("办结意见")


class ContinueIn(Schema):
    due_on: BoundedDay = Field(description="新的办结期限（不早于今天）")
    note: str = _note("继续督办意见")


class NoteIn(Schema):
    note: str = _note("说明")


@router.post(
    "/cases/{int:case_id}/supervision",
    response={201: SupervisionOut, **s.ERRORS},
    summary="开展督办",
    operation_id="open_supervision",
)
def open_supervision(request, case_id: s.CaseId, body: OpenIn):
    """督查员、领导，或与承办单位同级以上的信访部门，对本人可查看的在办信访件开展督办（立案、发函、挂牌督办、现场督查）。
    被督办单位为当前承办单位；其受理交办员、负责人和承办人收到通知。"""
    item = actions.do_open_supervision(
        case_id,
        actor=request.auth,
        kind=body.kind,
        reason=body.reason,
        due_on=body.due_on,
        report_every_days=body.report_every_days,
    )
    return HttpStatus(201, _supervision(_refreshed(SupervisionItem, item.pk)))


@router.post(
    "/cases/{int:case_id}/supervision/{int:item_id}/reports",
    response={201: SupervisionOut, **s.ERRORS},
    summary="督办反馈",
    operation_id="report_supervision",
)
def report_supervision(request, case_id: s.CaseId, item_id: ItemId, body: ReportIn):
    """被督办单位的受理交办员、承办人或负责人反馈办理进展（progress）或办理结果（final）。"""
    actions.do_report_supervision(case_id, item_id, actor=request.auth, kind=body.kind, text=body.text)
    return HttpStatus(201, _supervision(_refreshed(SupervisionItem, item_id)))


@router.post(
    "/cases/{int:case_id}/supervision/{int:item_id}/conclude",
    response={200: SupervisionOut, **s.ERRORS},
    summary="督办办结",
    operation_id="conclude_supervision",
)
def conclude_supervision(request, case_id: s.CaseId, item_id: ItemId, body: ConcludeIn):
    """督办单位办结督办事项。"""
    actions.do_conclude_supervision(case_id, item_id, actor=request.auth, outcome=body.outcome)
    return _supervision(_refreshed(SupervisionItem, item_id))


@router.post(
    "/cases/{int:case_id}/supervision/{int:item_id}/continue",
    response={200: SupervisionOut, **s.ERRORS},
    summary="继续督办",
    operation_id="continue_supervision",
)
def continue_supervision(request, case_id: s.CaseId, item_id: ItemId, body: ContinueIn):
    """督办单位继续督办，另定办结期限（version 加一）。"""
    actions.do_continue_supervision(case_id, item_id, actor=request.auth, due_on=body.due_on, note=body.note)
    return _supervision(_refreshed(SupervisionItem, item_id))


@router.post(
    "/cases/{int:case_id}/supervision/{int:item_id}/escalate",
    response={201: SupervisionOut, **s.ERRORS},
    summary="提级督办",
    operation_id="escalate_supervision",
)
def escalate_supervision(request, case_id: s.CaseId, item_id: ItemId, body: NoteIn):
    """督办单位提请上一级信访部门督办：原事项为“已提级督办”，返回上一级新开的督办事项。"""
    new = actions.do_escalate_supervision(case_id, item_id, actor=request.auth, note=body.note)
    return HttpStatus(201, _supervision(_refreshed(SupervisionItem, new.pk)))


# ---------------------------------------------------------------- urging


class UrgeIn(Schema):
    target: UrgingTarget = Field(UrgingTarget.HOLDING, description=s._choices(UrgingTarget))
    co_org_id: RowId | None = Field(None, description="催促协办反馈时：协办单位的机构 ID")
    subject: str = _text("催办事项")
    reply_by: BoundedDay = Field(description="答复期限（不早于今天）")
    deadline_id: RowId | None = Field(None, description="所催的本件期限 ID（见 /cases/{id}/deadlines）")


class AnswerIn(Schema):
    reply: str = _text("答复内容")


@router.post(
    "/cases/{int:case_id}/urging",
    response={201: UrgingOut, **s.ERRORS},
    summary="发出催办单",
    operation_id="issue_urging",
)
def issue_urging(request, case_id: s.CaseId, body: UrgeIn):
    """受理交办员或督查员向承办单位发出催办单（target=holding）；主办单位催促协办单位反馈（target=co_feedback）。"""
    case = access_case(request.auth, case_id)
    deadline = None
    if body.deadline_id is not None:
        deadline = Deadline.objects.filter(pk=body.deadline_id, owner_id=case.pk).first()
        if deadline is None:
            raise Invalid("所催期限不属于本件", field="deadline_id")
    slip = actions.do_issue_urging(
        case,
        actor=request.auth,
        subject=body.subject,
        reply_by=body.reply_by,
        target=body.target,
        co_org=_org(body.co_org_id, "co_org_id", "协办单位") if body.target == UrgingTarget.CO_FEEDBACK else None,
        deadline=deadline,
    )
    return HttpStatus(201, _urging(_refreshed(UrgingSlip, slip.pk)))


@router.post(
    "/cases/{int:case_id}/urging/{int:slip_id}/answer",
    response={200: UrgingOut, **s.ERRORS},
    summary="答复催办",
    operation_id="answer_urging",
)
def answer_urging(request, case_id: s.CaseId, slip_id: SlipId, body: AnswerIn):
    """被催办单位的受理交办员、承办人或负责人答复催办单。"""
    actions.do_answer_urging(case_id, slip_id, actor=request.auth, reply=body.reply)
    return _urging(_refreshed(UrgingSlip, slip_id))


@router.post(
    "/cases/{int:case_id}/urging/{int:slip_id}/withdraw",
    response={200: UrgingOut, **s.ERRORS},
    summary="撤回催办单",
    operation_id="withdraw_urging",
)
def withdraw_urging(request, case_id: s.CaseId, slip_id: SlipId, body: NoteIn):
    """发出催办单的单位撤回尚未答复的催办单。"""
    actions.do_withdraw_urging(case_id, slip_id, actor=request.auth, note=body.note)
    return _urging(_refreshed(UrgingSlip, slip_id))


# ---------------------------------------------------------------- instructions


class InstructIn(Schema):
    text: str = _text("批示内容")
    to_org_id: RowId = Field(description="落实单位的机构 ID（本级及下级单位）")
    to_user_id: RowId | None = Field(None, description="落实责任人（落实单位的工作人员）ID")
    commit_by: BoundedDay = Field(description="落实期限（不早于今天）")


class InstructionReportIn(Schema):
    report: str = _text("落实情况")


@router.post(
    "/cases/{int:case_id}/instructions",
    response={201: InstructionOut, **s.ERRORS},
    summary="领导批示",
    operation_id="record_instruction",
)
def record_instruction(request, case_id: s.CaseId, body: InstructIn):
    """领导对本人可查看的在办信访件作出批示，指定落实单位（及责任人）和落实期限；检举控告件不得交被反映单位或被反映人落实。"""
    ins = actions.do_record_instruction(
        case_id,
        actor=request.auth,
        text=body.text,
        to_org=_org(body.to_org_id, "to_org_id", "落实单位"),
        to_user=_user(body.to_user_id, "to_user_id"),
        commit_by=body.commit_by,
    )
    return HttpStatus(201, _instruction(_refreshed(Instruction, ins.pk)))


@router.post(
    "/cases/{int:case_id}/instructions/{int:instruction_id}/report",
    response={200: InstructionOut, **s.ERRORS},
    summary="报告批示落实情况",
    operation_id="report_instruction",
)
def report_instruction(request, case_id: s.CaseId, instruction_id: InstructionId, body: InstructionReportIn):
    """落实单位的受理交办员、承办人、负责人或落实责任人报告落实情况。"""
    actions.do_report_instruction(case_id, instruction_id, actor=request.auth, report=body.report)
    return _instruction(_refreshed(Instruction, instruction_id))


@router.post(
    "/cases/{int:case_id}/instructions/{int:instruction_id}/close",
    response={200: InstructionOut, **s.ERRORS},
    summary="批示办结",
    operation_id="close_instruction",
)
def close_instruction(request, case_id: s.CaseId, instruction_id: InstructionId, body: NoteIn):
    """作出批示的领导办结批示。"""
    actions.do_close_instruction(case_id, instruction_id, actor=request.auth, note=body.note)
    return _instruction(_refreshed(Instruction, instruction_id))
