"""/cases: registration, reads and one POST per workflow action.

Endpoints stay thin: reads go through xinfang.cases.access, writes call the
same do_xxx action functions as the screens, and errors become JSON in
xinfang.api.errors.
"""

from dataclasses import asdict
from datetime import UTC
from typing import Any, Literal, cast

from django.utils import timezone
from django.utils.functional import Promise
from ninja import Field, FileEx, P, Query, Router, Schema, UploadedFile
from ninja import Status as HttpStatus
from pydantic import create_model

from xinfang.api import schemas as s
from xinfang.api.serializers import (
    attachment_dict,
    case_detail,
    case_summary,
    deadlines_of,
    event_dict,
)
from xinfang.cases import actions
from xinfang.cases.access import access_case, count_up_to, first_rows, scoped_cases
from xinfang.cases.actions.intake import visible_to_registrar
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.filters import NUMBER_NOT_ALLOWED, RATE_LIMITED_PREFIX, REVERSED_RANGE, Applied, CaseFilter
from xinfang.cases.filters import apply as apply_filter
from xinfang.cases.inputs import DAY_RANGE, BoundedDay, RowId
from xinfang.cases.models import Category
from xinfang.cases.spec import specs
from xinfang.cases.states import Channel, Importance, Kind, Status, Urgency
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Org, User
from xinfang.petitioners.access import usable_in_bulk
from xinfang.petitioners.lookups import LookupTooFrequent
from xinfang.petitioners.models import Petitioner

router = Router(tags=["信访件"])

ERRORS = {**s.ERRORS, 409: s.ErrorOut}
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

    同时返回登记提示（重复信访、下级已受理、已终结、代表超过5人、越级、检举控告回避），提示不阻止登记。
    检举控告件反映的是登记单位本身或其上级的，登记时即按回避规定转送有权处理的机关：
    此时不返回该件（case 为 null），只返回编号和转送去向（forwarded_to）。"""
    user = request.auth
    # A person listed twice is one petitioner (a representative if marked so once), as on the screen.
    links: dict[int, bool] = {}
    for link in body.petitioners:
        links[link.id] = links.get(link.id, False) or link.is_representative
    found = usable_in_bulk(user, list(links))
    # Unknown or out-of-scope ids stay as bare references: do_register refuses
    # them after its own role check, so the caller hears the right reason.
    petitioners = [(found.get(pk) or Petitioner(pk=pk), rep) for pk, rep in links.items()]
    category = None
    if body.category:
        category = Category.objects.filter(code=body.category, is_active=True).select_related("parent").first()
        if category is None:
            raise Invalid("内容分类不存在或已停用", field="category")
    received_at = body.received_at
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    repeat_of = _visible_case(user, body.repeat_of_id, "repeat_of_id", "原信访件") if body.repeat_of_id else None
    representatives = sum(links.values())
    accused_org = _org(body.accused_org_id, "accused_org_id", "被反映单位")
    accused_user = _user(body.accused_user_id, "accused_user_id", "被反映人")
    warnings = actions.intake_warnings(
        user,
        petitioner_ids=list(found.values()),  # the rows, whose ID number hashes the look-up uses
        category=category,
        place_code=body.place_code,
        person_count=body.person_count,
        representatives=representatives,
        kind=body.kind,
        accused_org=accused_org,
        accused_user=accused_user,
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
        accused_org=accused_org,
        accused_user=accused_user,
        sms_consent=[p.id for p in body.petitioners if p.sms_consent],
    )
    case = actions.do_register(reg, actor=user, repeat_of=repeat_of)
    out: dict[str, Any] = {
        "number": case.number,
        "case": None,
        "forwarded_to": None,
        "warnings": [asdict(w) for w in warnings],
    }
    if visible_to_registrar(user, case):
        # The case as registered, not read back: do_register left every field and related
        # row the detail shows on it (the stored moment of receipt is UTC, as a read gives it).
        case.received_at = case.received_at.astimezone(UTC)
        out["case"] = case_detail(case, user)
    else:
        # An accusation against the registering unit went up at registration (回避转送): the
        # registrar may not see it, so only its number and where it went are returned.
        out["forwarded_to"] = {"id": case.current_org_id, "name": case.current_org.name}
    return HttpStatus(201, out)


# ---------------------------------------------------------------- reads


class CaseFilters(Schema):
    status: list[Status] | None = Field(None, max_length=len(Status), description="状态（可重复传多个）")
    channel: Channel | None = None
    kind: Kind | None = None
    category: str | None = Field(None, max_length=12, description="内容分类代码（一级分类含其下级）")
    urgency: Urgency | None = None
    importance: Importance | None = None
    current_org: RowId | None = Field(None, description="当前办理单位 ID")
    unit: RowId | None = Field(
        None, description="承办单位 ID，含其下级单位（按有权处理单位，未确定时按当前办理单位；与统计口径一致）"
    )
    received_from: BoundedDay | None = Field(None, description=f"收件日期起（含），如 2025-01-01（{DAY_RANGE}）")
    received_to: BoundedDay | None = Field(None, description=f"收件日期止（含）（{DAY_RANGE}）")
    q: str | None = Field(
        None, max_length=100, description="编号、摘要或信访人姓名中的文字（身份证号码、电话请用 POST /cases/lookup）"
    )
    due: Literal["overdue", "due_soon", "paused", "provisional"] | None = Field(
        None,
        description="overdue=已超期；due_soon=临近到期（天数见 DUE_SOON_DAYS，默认3日）；paused=听证中止计时；"
        "provisional=暂定（涉及未载入节假日安排的年度）。听证中止计时的信访件既不算超期也不算临期",
    )
    ordering: Literal["due_date", "-due_date", "received_at", "-received_at"] = "-received_at"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=s.MAX_OFFSET)


SORTS = {"due_date": "due", "-due_date": "-due", "received_at": "received", "-received_at": "-received"}


def case_filter(f: CaseFilters) -> CaseFilter:
    """The API's list parameters as the one case filter the workbench uses too (cases.filters)."""
    if f.received_from and f.received_to and f.received_to < f.received_from:
        raise Invalid(REVERSED_RANGE, field="received_to")
    return CaseFilter(
        q=f.q or "",
        status=list(f.status or []),
        channel=f.channel or "",
        kind=f.kind or "",
        category=f.category or None,
        urgency=f.urgency or "",
        importance=f.importance or "",
        current_org=f.current_org,
        unit=f.unit,
        received_from=f.received_from,
        received_to=f.received_to,
        due=f.due or "",
        sort=SORTS[f.ordering],
    )


COUNT_AHEAD = 1000


@router.get("/cases", response={200: s.CaseListOut, **ERRORS}, summary="信访件列表", operation_id="list_cases")
def list_cases(request, filters: Query[CaseFilters]):
    """当前用户有权查看的信访件（分页），可按状态、渠道、性质、分类、紧急程度、当前单位、收件日期、文字和期限筛选。"""
    today = clock.today()
    qs = apply_filter(scoped_cases(request.auth), case_filter(filters), actor=request.auth, today=today)
    # Counted up to COUNT_AHEAD rows past this page, as the workbench caps its list: a full count of a
    # city's scope grows with every case ever registered, and a client paging on needs only "more".
    end = filters.offset + filters.limit
    count = count_up_to(qs, request.auth, end + COUNT_AHEAD + 1)
    exact = count <= end + COUNT_AHEAD
    page = first_rows(qs, request.auth, end).select_related("category__parent", "current_org", "handler")
    page = page[filters.offset : end]
    return {
        "count": count,
        "count_exact": exact,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [case_summary(c, today) for c in page],
    }


class LookupIn(Schema):
    number: str = Field(min_length=1, max_length=30, description="信访人的完整身份证号码或电话号码")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=s.MAX_OFFSET)


@router.post(
    "/cases/lookup",
    response={200: s.CaseListOut, **ERRORS, 429: s.ErrorOut},
    summary="按号码查找信访件",
    operation_id="lookup_cases",
)
def lookup_cases(request, body: LookupIn):
    """按信访人身份证号码或电话号码精确查找当前用户有权查看的信访件（按收件时间新→旧）。

    号码放在请求体中（不进入网址和访问日志）；仅可查看个人信息的角色（登记员、受理交办员、承办人、负责人）
    可用，每次查找记入安全审计记录。"""
    user = request.auth
    applied = Applied()
    f = CaseFilter(person_number=body.number, sort="-received")
    qs = apply_filter(scoped_cases(user), f, actor=user, request=request, applied=applied)
    if applied.hint == NUMBER_NOT_ALLOWED:
        raise NotAllowed(applied.hint)
    if applied.hint.startswith(RATE_LIMITED_PREFIX):
        raise LookupTooFrequent(applied.hint)
    if applied.hint:
        raise Invalid(applied.hint, field="number")
    today = clock.today()
    page = qs.select_related("category__parent", "current_org", "handler")[body.offset : body.offset + body.limit]
    return {
        "count": qs.count(),
        "limit": body.limit,
        "offset": body.offset,
        "items": [case_summary(c, today) for c in page],
    }


@router.get("/cases/{int:case_id}", response={200: s.CaseOut, **ERRORS}, summary="信访件详情", operation_id="get_case")
def get_case(request, case_id: s.CaseId):
    """无权查看与不存在一样返回 404 not_found。"""
    return _detail(request.auth, access_case(request.auth, case_id))


@router.get(
    "/cases/{int:case_id}/events",
    response={200: list[s.EventOut], **ERRORS},
    summary="办理记录",
    operation_id="list_case_events",
)
def list_events(request, case_id: s.CaseId):
    case = access_case(request.auth, case_id)
    return [event_dict(e) for e in case.events.select_related("actor", "actor_org").order_by("at", "pk")]


@router.get(
    "/cases/{int:case_id}/deadlines",
    response={200: list[s.DeadlineOut], **ERRORS},
    summary="期限",
    operation_id="list_case_deadlines",
)
def list_deadlines(request, case_id: s.CaseId):
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
def list_attachments(request, case_id: s.CaseId):
    """附件的元数据（文件名、类型、大小、上传人）；不含文件内容。"""
    return _attachments_of(access_case(request.auth, case_id))


@router.post(
    "/cases/{int:case_id}/attachments",
    response={201: list[s.AttachmentOut], **ERRORS},
    summary="补充附件",
    operation_id="add_case_attachments",
)
def upload_attachments(
    request,
    case_id: s.CaseId,
    files: FileEx[list[UploadedFile], P(min_length=1, max_length=s.MAX_FILES, description="文件")],
):
    """以 multipart/form-data 上传一个或多个文件（字段名 files），检查与登记时相同：按文件内容识别类型
    （仅限 jpg/png/gif/webp/tiff/pdf/doc/docx），单个文件不超过大小限制。

    当前办理、主办、交转办或登记单位的登记员、受理交办员、承办人或负责人可在信访件未终结时补充；
    不改变状态，记入办理记录（补充附件）。返回该件的全部附件。"""
    actions.do_add_attachments(case_id, actor=request.auth, files=files)
    return HttpStatus(201, _attachments_of(access_case(request.auth, case_id)))


# ---------------------------------------------------------------- actions
#
# One POST /cases/{id}/<path> per action spec (xinfang.cases.spec): the request
# schema is built from the spec's inputs, the values are turned into the action's
# arguments by the same inputs the case page uses, and the same do_* function is
# called, so the screens and the API cannot disagree about an action's inputs.


def _schema(spec):
    fields = {inp.api_key: inp.annotation() for inp in spec.inputs}
    name = "".join(part.title() for part in spec.action.split("_")) + "In"
    return create_model(name, __base__=s.ActionIn, **fields)


class LiveText(Promise):
    """Text computed each time the OpenAPI document is built (from the rules in force), never at import.

    A Promise, so the JSON encoder turns it into a string; always true, so
    django-ninja keeps it without evaluating it while registering routes.
    """

    def __init__(self, make):
        self.make = make

    def __bool__(self):
        return True

    def __str__(self):
        return self.make()


def _describe(spec):
    return LiveText(
        lambda: f"{spec.describe() or spec.label + '。'}\n\n返回更新后的信访件（含新版本号和可进行的操作）。"
    )


def _endpoint(spec):
    body_schema = _schema(spec)

    def endpoint(request, case_id: s.CaseId, body: body_schema):  # type: ignore[valid-type]
        user = request.auth
        access_case(user, case_id)  # out of scope answers 404 before any input is looked at
        try:
            kwargs = {inp.name: inp.from_api(getattr(body, inp.api_key), None, user) for inp in spec.inputs}
            # body_schema is an s.ActionIn subclass built at run time: mypy cannot see its fields.
            case = spec.func(case_id, actor=user, expected_version=cast(s.ActionIn, body).expected_version, **kwargs)
        except DomainError as err:
            # The action names its keyword (to_org); the caller sent the JSON field (to_org_id).
            err.field = next((i.api_key for i in spec.inputs if i.name == err.field), err.field)
            raise
        return _detail(user, case)

    endpoint.__name__ = f"case_{spec.action}"
    router.post(
        f"/cases/{{int:case_id}}/{spec.api_path}",
        response={200: s.CaseOut, **ERRORS},
        summary=spec.label,
        description=_describe(spec),
        operation_id=f"case_{spec.action}",
    )(endpoint)


for _spec in specs():
    _endpoint(_spec)
