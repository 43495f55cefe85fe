"""Request and response shapes of /api/v1/ (shown in the OpenAPI document)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, P, PathEx, Schema

from xinfang.cases.inputs import DAY_RANGE, MAX_ID, TEXT_MAX, BoundedMoment, RowId
from xinfang.cases.states import (
    Channel,
    Importance,
    Kind,
    Status,
    Urgency,
)


def _choices(enum) -> str:
    return "；".join(f"{value}={label}" for value, label in enum.choices)


# ---------------------------------------------------------------- errors


class FieldErrorOut(Schema):
    field: str | None = Field(description="出错的字段")
    message: str = Field(description="中文说明")
    type: str = Field(description="错误类型，如 missing、string_too_long、nul_character")


class ErrorOut(Schema):
    code: str = Field(
        description="稳定的错误代码，如 bad_request、not_found、not_allowed、conflict、invalid、validation_error"
    )
    message: str = Field(description="中文说明，可直接展示给用户")
    field: str | None = Field(None, description="出错的字段（如有）")
    errors: list[FieldErrorOut] | None = Field(None, description="validation_error 时逐项列出的错误")


# The statuses any operation may answer besides its own: 400 (not JSON, too large, too many
# fields or files), 401, 403, 404, 422; actions add 409 and number look-ups 429.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# ---------------------------------------------------------------- parameters

# A case id in the path: one that cannot name a case (0, beyond 2^63-1) answers 404 not_found.
CaseId = PathEx[int, P(ge=1, le=MAX_ID, description="信访件 ID")]
NotificationId = PathEx[int, P(ge=1, le=MAX_ID, description="消息 ID")]
# Paging: far beyond any real list, well inside what a database's OFFSET takes.
MAX_OFFSET = 10**9
# Files in one upload; more is refused with 400 before any is read (settings.DATA_UPLOAD_MAX_NUMBER_FILES).
MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES


# ---------------------------------------------------------------- references


class OrgRef(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    name: str = Field(description="姓名")


class CategoryRef(Schema):
    code: str
    name: str = Field(description="分类名称（含上级分类）")


class ActionLink(Schema):
    action: str = Field(description="操作代码")
    label: str = Field(description="操作名称")
    method: str = "POST"
    path: str = Field(description="调用该操作的接口路径")


class CasePetitionerOut(Schema):
    id: int
    name: str
    id_masked: str = Field(description="身份证号码（已脱敏）")
    is_representative: bool = Field(description="是否为代表")


class DeadlineOut(Schema):
    id: int
    clock: str = Field(description="期限代码")
    clock_label: str = Field(description="期限名称")
    org: OrgRef = Field(description="责任机构")
    start: date = Field(description="起算日（当天不计入）")
    rule: str = Field(description="计算规则，如“15 个自然日”")
    due_date: date = Field(description="法定期限")
    target_date: date | None = Field(description="本地承诺期限")
    extension_days: int
    paused: bool = Field(description="中止计算中（如听证）")
    provisional: bool = Field(description="涉及尚未载入节假日安排的年度，为暂定结果")
    status: str
    status_label: str
    met_at: date | None
    days_left: int | None = Field(description="距法定期限的天数（仅未完成的期限；负数为已逾期）")


class CaseSummaryOut(Schema):
    id: int
    number: str = Field(description="信访件编号")
    version: int = Field(description="版本号：提交操作时作为 expected_version 传回，防止覆盖他人的更新")
    status: str = Field(description=_choices(Status))
    status_label: str
    channel: str
    channel_label: str
    kind: str
    kind_label: str
    category: CategoryRef | None
    urgency: str
    urgency_label: str
    importance: str
    importance_label: str
    summary: str = Field(description="内容摘要")
    received_at: datetime = Field(description="收件时间")
    current_org: OrgRef = Field(description="当前办理单位")
    handler: UserRef | None = Field(description="承办人")
    due_date: date | None = Field(description="当前法定期限")
    due_clock: str = Field(description="当前期限代码")
    due_clock_label: str
    due_provisional: bool
    target_date: date | None = Field(description="本地承诺期限")
    window_until: date | None = Field(description="信访人申请复查/复核的期限")
    days_left: int | None = Field(description="距当前法定期限的天数（负数为已逾期）")
    due_state: str = Field(
        description="overdue=已超期；due_soon=临近到期；ok=期限内；paused=听证中止计时；空=没有进行中的期限"
    )
    overdue: bool = Field(description="已超期（听证中止计时的不算）")


class CaseOut(CaseSummaryOut):
    content: str = Field(description="信访内容")
    person_count: int
    place_code: str
    place_name: str
    is_collective: bool
    is_skip_level: bool
    referring_org: OrgRef | None
    referring_ref: str
    leader_instruction: str
    accused_name: str
    accused_org: OrgRef | None
    registered_org: OrgRef
    registered_at: datetime
    routing_org: OrgRef | None = Field(description="交转办单位")
    competent_org: OrgRef | None = Field(description="主办单位（有权处理机关）")
    co_orgs: list[OrgRef] = Field(description="协办单位")
    review_org: OrgRef | None = Field(description="复查机关")
    reexam_org: OrgRef | None = Field(description="复核机关")
    is_assigned: bool = Field(description="交办件（须报结）")
    repeat_of: int | None
    accepted_on: date | None
    decline_reason: str
    redirect_channel: str
    extension_days: int
    extension_requested_days: int
    extension_reason: str
    hearing_open: bool
    reply_decision: str
    reply_draft: dict[str, Any] | None
    replied_on: date | None
    reply_delivered_on: date | None
    evaluation: str
    evaluation_source: str
    closed_on: date | None
    review_decision: str
    review_delivered_on: date | None
    reexam_decision: str
    final_on: date | None
    petitioners: list[CasePetitionerOut]
    deadlines: list[DeadlineOut]
    available_actions: list[ActionLink] = Field(description="当前用户可以对该件进行的操作")


class CaseListOut(Schema):
    count: int = Field(description="符合条件的件数；本页之后超过 1000 件时只数到第 1001 件，此时 count_exact 为 false")
    count_exact: bool = Field(True, description="count 是否为全部件数（false：至少有 count 件，翻页可继续取）")
    limit: int
    offset: int
    items: list[CaseSummaryOut]


class IntakeWarningOut(Schema):
    code: str = Field(
        description="repeat=同一事项在办 / accepted_below=下级已受理（第十九条第三款） / "
        "final=已终结（第三十六条第三款） / closed=已办结 / accused_self=检举控告回避 / "
        "too_many_representatives=代表超过5人 / skip_level=越级"
    )
    message: str
    case_id: int | None = Field(None, description="相关信访件 ID（仅当前用户有权查看时）")
    case_number: str = Field("", description="相关信访件编号（仅当前用户有权查看时）")
    offers: list[str] = Field(
        default_factory=list,
        description="可选的处理：repeat=关联为重复件；merge=并入原件；decline=不予受理；refuse_final=不再受理",
    )


class RegisteredOut(Schema):
    number: str = Field(description="信访件编号")
    case: CaseOut | None = Field(description="登记的信访件；按回避规定转送、本单位不能查看时为 null")
    forwarded_to: OrgRef | None = Field(description="按回避规定转送的机关（检举控告件反映本单位或其上级时）")
    warnings: list[IntakeWarningOut] = Field(description="登记时的提示（不阻止登记）")


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    at: datetime
    actor_kind: str = Field(
        description="staff=工作人员；petitioner=信访人；system=系统（如期限届满自动终结）；integration=外部系统"
    )
    actor_label: str = Field(description="操作人的称呼，如“王建国”“系统（期限届满自动终结）”")
    actor: UserRef | None
    actor_org: OrgRef | None
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    note: str
    notice: str = Field(description="本步制作的文书代码")
    notice_label: str
    document: str = Field(description="文书内容")
    data: dict[str, Any]


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="上传时的文件名")
    content_type: str = Field(description="按文件内容识别的类型（非文件名或客户端声明）")
    size: int = Field(description="字节数")
    sha256: str
    uploaded_at: datetime
    uploaded_by: UserRef | None


# ---------------------------------------------------------------- registration


class PetitionerLink(Schema):
    id: RowId = Field(description="信访人 ID（先用 GET /petitioners 查找或 POST /petitioners 登记）")
    is_representative: bool = Field(False, description="是否为代表")
    sms_consent: bool = Field(False, description="信访人同意以短信接收受理、不予受理、延期和答复的告知")


class RegisterIn(Schema):
    petitioners: list[PetitionerLink] = Field(
        min_length=1, max_length=200, description="信访人（至少1人，至多200人；集体访的总人数填 person_count）"
    )
    channel: Channel = Field(description=_choices(Channel))
    received_at: BoundedMoment = Field(description=f"收件时间（不含时区时按北京时间；{DAY_RANGE}）")
    kind: Kind = Field(description=_choices(Kind))
    category: str | None = Field(None, max_length=12, description="内容分类代码")
    urgency: Urgency = Field(Urgency.NORMAL, description=_choices(Urgency))
    importance: Importance = Field(Importance.NORMAL, description=_choices(Importance))
    person_count: int = Field(1, ge=1, le=100000, description="人数")
    place_code: str = Field("", max_length=12, description="问题属地行政区划代码")
    place_name: str = Field("", max_length=100)
    summary: str = Field(min_length=1, max_length=200, description="内容摘要")
    content: str = Field("", max_length=TEXT_MAX, description="信访内容")
    referring_org_id: RowId | None = Field(None, description="上级交办件的交办上级机构 ID")
    referring_ref: str = Field("", max_length=60, description="上级交办文号")
    leader_instruction: str = Field("", max_length=TEXT_MAX, description="领导批示")
    accused_name: str = Field("", max_length=100, description="被反映人或单位（检举控告类必填其一）")
    accused_org_id: RowId | None = Field(None, description="被反映单位的机构 ID")
    accused_user_id: RowId | None = Field(None, description="被反映人（本系统用户）ID")
    repeat_of_id: RowId | None = Field(None, description="按重复信访关联的原信访件 ID")


# ---------------------------------------------------------------- actions


MAX_VERSION = 2**31 - 1  # Case.version is a PositiveIntegerField


class ActionIn(Schema):
    expected_version: int | None = Field(
        None, ge=1, le=MAX_VERSION, description="打开表单时的版本号；与当前版本不一致时返回 409 conflict，不做任何更改"
    )


# ---------------------------------------------------------------- petitioners


class PetitionerOut(Schema):
    id: int
    kind: str
    name: str
    id_masked: str = Field(description="身份证号码（已脱敏）")
    uscc: str = Field(description="统一社会信用代码（单位）")
    phones: list[str] = Field(description="电话（已脱敏）")
    org: OrgRef = Field(description="登记单位")


class PetitionerSearchOut(Schema):
    kind: str = Field(description="查询被理解为：id_number / phone / uscc / name / invalid / empty")
    hint: str
    count: int
    items: list[PetitionerOut]


class PetitionerSearchIn(Schema):
    q: str = Field(min_length=1, max_length=100, description="身份证号码、电话、统一社会信用代码或姓名")
    limit: int = Field(20, ge=1, le=100)


class PetitionerIn(Schema):
    kind: Literal["person", "organisation"] = "person"
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field("", max_length=30, description="身份证号码（个人）")
    phones: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        default_factory=list, max_length=5, description="联系电话，最多5个"
    )
    address: str = Field("", max_length=200)
    division_code: str = Field("", max_length=12)
    uscc: str = Field("", max_length=40, description="统一社会信用代码（单位）")
    legal_representative: str = Field("", max_length=50)
