"""/cases: registration, reads and one POST per workflow action.

Endpoints stay thin: reads go through xinfang.cases.access, writes call the
same do_xxx action functions as the screens, and errors become JSON in
xinfang.api.errors.
"""

from dataclasses import asdict
from datetime import date, timedelta
from typing import Literal

from django.db.models import F, Q
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja import Status as HttpStatus

from xinfang.api import schemas as s
from xinfang.api.serializers import (
    ACTION_PATHS,
    attachment_dict,
    case_detail,
    case_summary,
    deadlines_of,
    event_dict,
)
from xinfang.cases import actions
from xinfang.cases.access import access_case, scoped_cases
from xinfang.cases.attachments import add_attachments
from xinfang.cases.errors import Invalid
from xinfang.cases.models import Category
from xinfang.cases.states import OPEN_STATES, RECORD_ONLY_ACTIONS, Action, Channel, Importance, Kind, Status, Urgency
from xinfang.core import clock
from xinfang.orgs.models import Org, User
from xinfang.petitioners.access import scoped_petitioners
from xinfang.petitioners.models import Petitioner

router = Router(tags=["信访件"])

ERRORS = {401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
DUE_SOON_DAYS = 3
DETAIL_RELATED = (
    "category__parent",
    "current_org",
    "handler",
    "referring_org",
    "accused_org",
    "registered_org",
    "routing_org",
    "competent_org",
    "review_org",
    "reexam_org",
)


# ---------------------------------------------------------------- lookups


def _org(pk, field, label):
    if pk is None:
        return None
    org = Org.objects.filter(pk=pk, is_active=True).first()
    if org is None:
        raise Invalid(f"{label}不存在或已停用", field=field)
    return org


def _user(pk, field, label):
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).select_related("org").first()
    if user is None:
        raise Invalid(f"{label}不存在或已停用", field=field)
    return user


def _visible_case(user, pk, field, label):
    from django.http import Http404

    try:
        return access_case(user, pk)
    except Http404:
        raise Invalid(f"{label}不存在或无权查看", field=field) from None


def _detail(user, case):
    fresh = scoped_cases(user).select_related(*DETAIL_RELATED).filter(pk=case.pk).first()
    return case_detail(fresh or case, user)


# ---------------------------------------------------------------- registration


@router.post("/cases", response={201: s.RegisteredOut, **ERRORS}, summary="登记信访件", operation_id="register_case")
def register_case(request, body: s.RegisterIn):
    """在当前用户所在单位登记信访件。信访部门登记后待交转办；其他有权处理机关直接登记的，进入待受理。

    同时返回登记提示（重复信访、下级已受理、代表超过5人、越级），提示不阻止登记。"""
    user = request.auth
    ids = [p.id for p in body.petitioners]
    found = scoped_petitioners(user).in_bulk(ids)
    # Unknown or out-of-scope ids stay as bare references: do_register refuses
    # them after its own role check, so the caller hears the right reason.
    petitioners = [(found.get(p.id) or Petitioner(pk=p.id), p.is_representative) for p in body.petitioners]
    category = None
    if body.category:
        category = Category.objects.filter(code=body.category, is_active=True).select_related("parent").first()
        if category is None:
            raise Invalid("内容分类不存在或已停用", field="category")
    received_at = body.received_at
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    repeat_of = _visible_case(user, body.repeat_of_id, "repeat_of_id", "原信访件") if body.repeat_of_id else None
    representatives = sum(1 for p in body.petitioners if p.is_representative)
    warnings = actions.intake_warnings(
        user,
        petitioner_ids=list(found),
        category=category,
        place_code=body.place_code,
        person_count=body.person_count,
        representatives=representatives,
    )
    reg = actions.Registration(
        channel=body.channel,
        received_at=received_at,
        kind=body.kind,
        summary=body.summary,
        content=body.content,
        petitioners=petitioners,
        person_count=body.person_count,
        category=category,
        urgency=body.urgency,
        importance=body.importance,
        place_code=body.place_code,
        place_name=body.place_name,
        referring_org=_org(body.referring_org_id, "referring_org_id", "交办上级"),
        referring_ref=body.referring_ref,
        leader_instruction=body.leader_instruction,
        accused_name=body.accused_name,
        accused_org=_org(body.accused_org_id, "accused_org_id", "被反映单位"),
        accused_user=_user(body.accused_user_id, "accused_user_id", "被反映人"),
    )
    case = actions.do_register(reg, actor=user, repeat_of=repeat_of)
    return HttpStatus(201, {"case": _detail(user, case), "warnings": [asdict(w) for w in warnings]})


# ---------------------------------------------------------------- reads


class CaseFilters(Schema):
    status: list[Status] | None = Field(None, description="状态（可重复传多个）")
    channel: Channel | None = None
    kind: Kind | None = None
    category: str | None = Field(None, description="内容分类代码（一级分类含其下级）")
    urgency: Urgency | None = None
    importance: Importance | None = None
    current_org: int | None = Field(None, description="当前办理单位 ID")
    received_from: date | None = Field(None, description="收件日期起（含），如 2025-01-01")
    received_to: date | None = Field(None, description="收件日期止（含）")
    q: str | None = Field(None, max_length=100, description="摘要或编号中的文字")
    due: Literal["overdue", "due_soon"] | None = Field(None, description="overdue=已逾期；due_soon=3日内到期")
    ordering: Literal["due_date", "-due_date", "received_at", "-received_at"] = "-received_at"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


def filter_cases(qs, f: CaseFilters, today):
    if f.status:
        qs = qs.filter(status__in=f.status)
    for name in ("channel", "kind", "urgency", "importance"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.current_org:
        qs = qs.filter(current_org_id=f.current_org)
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.q and f.q.strip():
        text = f.q.strip()
        qs = qs.filter(Q(summary__icontains=text) | Q(number__icontains=text))
    if f.due == "overdue":
        qs = qs.filter(status__in=OPEN_STATES, due_date__lt=today)
    elif f.due == "due_soon":
        qs = qs.filter(status__in=OPEN_STATES, due_date__gte=today, due_date__lte=today + timedelta(DUE_SOON_DAYS))
    field = f.ordering.lstrip("-")
    if f.ordering.startswith("-"):
        order = F(field).desc(nulls_last=True)
    else:
        order = F(field).asc(nulls_last=True)
    return qs.order_by(order, "-pk")


@router.get("/cases", response={200: s.CaseListOut, **ERRORS}, summary="信访件列表", operation_id="list_cases")
def list_cases(request, filters: Query[CaseFilters]):
    """当前用户有权查看的信访件（分页），可按状态、渠道、性质、分类、紧急程度、当前单位、收件日期、文字和期限筛选。"""
    today = clock.today()
    qs = filter_cases(scoped_cases(request.auth), filters, today)
    count = qs.count()
    page = qs.select_related("category__parent", "current_org", "handler")[
        filters.offset : filters.offset + filters.limit
    ]
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [case_summary(c, today) for c in page],
    }


@router.get("/cases/{int:case_id}", response={200: s.CaseOut, **ERRORS}, summary="信访件详情", operation_id="get_case")
def get_case(request, case_id: int):
    """无权查看与不存在一样返回 404 not_found。"""
    return _detail(request.auth, access_case(request.auth, case_id))


@router.get(
    "/cases/{int:case_id}/events",
    response={200: list[s.EventOut], **ERRORS},
    summary="办理记录",
    operation_id="list_case_events",
)
def list_events(request, case_id: int):
    case = access_case(request.auth, case_id)
    return [event_dict(e) for e in case.events.select_related("actor", "actor_org").order_by("at", "pk")]


@router.get(
    "/cases/{int:case_id}/deadlines",
    response={200: list[s.DeadlineOut], **ERRORS},
    summary="期限",
    operation_id="list_case_deadlines",
)
def list_deadlines(request, case_id: int):
    return deadlines_of(access_case(request.auth, case_id))


# ---------------------------------------------------------------- attachments


def _attachments_of(case):
    return [attachment_dict(a) for a in case.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")]


@router.get(
    "/cases/{int:case_id}/attachments",
    response={200: list[s.AttachmentOut], **ERRORS},
    summary="附件列表",
    operation_id="list_case_attachments",
)
def list_attachments(request, case_id: int):
    """附件的元数据（文件名、类型、大小、上传人）；不含文件内容。"""
    return _attachments_of(access_case(request.auth, case_id))


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: list[s.AttachmentOut], **ERRORS},
    summary="补充附件",
    operation_id="add_case_attachments",
)
def upload_attachments(request, case_id: int, files: File[list[UploadedFile]]):
    """以 multipart/form-data 上传一个或多个文件（字段名 files），检查与登记时相同：按文件内容识别类型
    （仅限 jpg/png/gif/webp/tiff/pdf/doc/docx），单个文件不超过大小限制。

    当前办理、主办、交转办或登记单位的登记员、受理交办员、承办人或负责人可在信访件未终结时补充；
    不改变状态，记入办理记录（补充附件）。返回该件的全部附件。"""
    add_attachments(case_id, actor=request.auth, files=files)
    return HttpStatus(201, _attachments_of(access_case(request.auth, case_id)))


# ---------------------------------------------------------------- actions


def _action(action, body_schema, call, description=""):
    """One POST /cases/{id}/<path> per action, calling do_xxx with expected_version."""

    def endpoint(request, case_id: int, body: body_schema):
        user = request.auth
        case = call(user, case_id, body)
        return _detail(user, case)

    label = Action(action).label
    endpoint.__name__ = f"case_{action}"
    endpoint.__doc__ = (description or f"{label}。") + "\n\n返回更新后的信访件（含新版本号和可进行的操作）。"
    router.post(
        f"/cases/{{int:case_id}}/{ACTION_PATHS[action]}",
        response={200: s.CaseOut, **ERRORS},
        summary=label,
        operation_id=f"case_{action}",
    )(endpoint)


def _v(body):
    return {"expected_version": body.expected_version}


_action(
    Action.FORWARD,
    s.ForwardIn,
    lambda u, pk, b: actions.do_forward(
        pk, actor=u, to_org=_org(b.to_org_id, "to_org_id", "接收单位"), note=b.note, **_v(b)
    ),
    "转送有权处理机关（无需报结）。接收单位可以是任何启用的机构。",
)
_action(
    Action.ASSIGN,
    s.AssignIn,
    lambda u, pk, b: actions.do_assign(
        pk,
        actor=u,
        lead_org=_org(b.lead_org_id, "lead_org_id", "主办单位"),
        co_orgs=[_org(o, "co_org_ids", "协办单位") for o in b.co_org_ids],
        note=b.note,
        **_v(b),
    ),
    "交办主办单位（可加协办单位），承办单位须报结。",
)
_action(
    Action.MERGE_AS_REPEAT,
    s.MergeIn,
    lambda u, pk, b: actions.do_merge_as_repeat(
        pk, actor=u, original=_visible_case(u, b.original_id, "original_id", "原信访件"), note=b.note, **_v(b)
    ),
    "按重复信访并入在办的原件。",
)
_action(Action.SIGN_FOR, s.NoteIn, lambda u, pk, b: actions.do_sign_for(pk, actor=u, note=b.note, **_v(b)))
_action(
    Action.RETURN,
    s.ReasonIn,
    lambda u, pk, b: actions.do_return(pk, actor=u, reason=b.reason, **_v(b)),
    "认为不属本单位职责，退回交转办单位（5个工作日内）。",
)
_action(
    Action.ACCEPT,
    s.AcceptIn,
    lambda u, pk, b: actions.do_accept(
        pk, actor=u, handler=_user(b.handler_id, "handler_id", "承办人"), note=b.note, **_v(b)
    ),
    "受理并出具受理告知书；办理期限（60日）自受理起算。",
)
_action(
    Action.DECLINE,
    s.ReasonIn,
    lambda u, pk, b: actions.do_decline(pk, actor=u, reason=b.reason, **_v(b)),
    "不予受理并出具告知书（须写明理由）。",
)
_action(
    Action.REDIRECT,
    s.RedirectIn,
    lambda u, pk, b: actions.do_redirect(pk, actor=u, channel=b.channel, note=b.note, **_v(b)),
    "导入诉讼、仲裁、行政复议等法定途径并告知。",
)
_action(
    Action.ASSIGN_HANDLER,
    s.HandlerIn,
    lambda u, pk, b: actions.do_assign_handler(
        pk, actor=u, handler=_user(b.handler_id, "handler_id", "承办人"), **_v(b)
    ),
)
_action(
    Action.RECORD_STEP,
    s.StepIn,
    lambda u, pk, b: actions.do_record_step(
        pk, actor=u, kind=b.kind, happened_on=b.happened_on, description=b.description, **_v(b)
    ),
    "记录调查核实、调解、和解、听证等办理过程。",
)
_action(
    Action.CO_REPORT,
    s.CoReportIn,
    lambda u, pk, b: actions.do_co_report(pk, actor=u, report=b.report, **_v(b)),
    "协办单位向主办单位反馈协办情况。",
)
_action(
    Action.REQUEST_EXTENSION,
    s.ExtensionRequestIn,
    lambda u, pk, b: actions.do_request_extension(pk, actor=u, days=b.days, reason=b.reason, **_v(b)),
    "申请延长办理期限（不超过30日）。",
)
_action(
    Action.APPROVE_EXTENSION,
    s.NoteIn,
    lambda u, pk, b: actions.do_approve_extension(pk, actor=u, note=b.note, **_v(b)),
    "单位负责人批准延期，出具延期告知书。",
)
_action(
    Action.REJECT_EXTENSION, s.NoteIn, lambda u, pk, b: actions.do_reject_extension(pk, actor=u, note=b.note, **_v(b))
)
_action(
    Action.START_HEARING,
    s.HearingIn,
    lambda u, pk, b: actions.do_start_hearing(pk, actor=u, day=b.day, note=b.note, **_v(b)),
    "听证开始，期限中止计算。",
)
_action(
    Action.END_HEARING,
    s.HearingIn,
    lambda u, pk, b: actions.do_end_hearing(pk, actor=u, day=b.day, note=b.note, **_v(b)),
    "听证结束，期限恢复计算。",
)
_action(
    Action.DRAFT_REPLY,
    s.ReplyFieldsIn,
    lambda u, pk, b: actions.do_draft_reply(
        pk, actor=u, request=b.request, facts=b.facts, decision=b.decision, basis=b.basis, **_v(b)
    ),
    "承办人拟写答复意见，待负责人签发。",
)
_action(
    Action.REPLY,
    s.ReplyIn,
    lambda u, pk, b: actions.do_reply(
        pk, actor=u, request=b.request, facts=b.facts, decision=b.decision, basis=b.basis, **_v(b)
    ),
    "单位负责人签发书面答复意见（四项都不填时签发已拟写的草稿）。",
)
_action(
    Action.RECORD_DELIVERY,
    s.DeliveryIn,
    lambda u, pk, b: actions.do_record_delivery(
        pk,
        actor=u,
        notice=b.notice,
        method=b.method,
        delivered_at=timezone.make_aware(b.delivered_at) if timezone.is_naive(b.delivered_at) else b.delivered_at,
        recipient=b.recipient,
        **_v(b),
    ),
    "记录文书送达信访人；答复意见、复查意见送达后开始计算信访人申请复查、复核的期限。",
)
_action(
    Action.EVALUATE,
    s.EvaluateIn,
    lambda u, pk, b: actions.do_evaluate(pk, actor=u, evaluation=b.evaluation, source=b.source, note=b.note, **_v(b)),
)
_action(
    Action.REPORT_BACK,
    s.NoteIn,
    lambda u, pk, b: actions.do_report_back(pk, actor=u, note=b.note, **_v(b)),
    "交办件由主办单位向交办的信访部门报结。",
)
_action(
    Action.CONFIRM_CLOSURE,
    s.NoteIn,
    lambda u, pk, b: actions.do_confirm_closure(pk, actor=u, note=b.note, **_v(b)),
    "交办的信访部门审核办结。",
)
_action(
    Action.SEND_BACK,
    s.ReasonIn,
    lambda u, pk, b: actions.do_send_back(pk, actor=u, reason=b.reason, **_v(b)),
    "交办的信访部门退回补办。",
)
_action(
    Action.CLOSE,
    s.NoteIn,
    lambda u, pk, b: actions.do_close(pk, actor=u, note=b.note, **_v(b)),
    "非交办件在答复送达后办结。",
)
_action(
    Action.REQUEST_REVIEW,
    s.RequestReviewIn,
    lambda u, pk, b: actions.do_request_review(pk, actor=u, received_on=b.received_on, note=b.note, **_v(b)),
    "复查机关登记信访人的复查申请（答复送达后30日内）。",
)
_action(
    Action.REVIEW,
    s.DecisionIn,
    lambda u, pk, b: actions.do_review(pk, actor=u, decision=b.decision, reasons=b.reasons, **_v(b)),
    "复查机关作出复查意见。",
)
_action(
    Action.REQUEST_REEXAM,
    s.RequestReviewIn,
    lambda u, pk, b: actions.do_request_reexam(pk, actor=u, received_on=b.received_on, note=b.note, **_v(b)),
    "复核机关登记信访人的复核申请（复查意见送达后30日内）。",
)
_action(
    Action.REEXAMINE,
    s.DecisionIn,
    lambda u, pk, b: actions.do_reexamine(pk, actor=u, decision=b.decision, reasons=b.reasons, **_v(b)),
    "复核机关作出复核意见，信访事项终结。",
)
_action(
    Action.FINALIZE,
    s.NoteIn,
    lambda u, pk, b: actions.do_finalize(pk, actor=u, note=b.note, **_v(b)),
    "信访人申请期限届满未申请的，处理意见终结。",
)

assert {a for a in ACTION_PATHS} == set(Action) - RECORD_ONLY_ACTIONS, "every action needs an endpoint"
