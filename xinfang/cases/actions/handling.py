"""Acceptance, handling, extension, reply, delivery, evaluation and closure."""

from django.db import transaction
from django.utils import timezone

from xinfang.cases import deadlines, documents
from xinfang.cases import permissions as rules
from xinfang.cases.actions.base import finish, lock
from xinfang.cases.errors import Invalid
from xinfang.cases.inputs import Choice, Day, Moment, Number, Text, UserPick
from xinfang.cases.models import CaseOrg, Delivery, HandlingStep
from xinfang.cases.spec import action
from xinfang.cases.states import (
    Action,
    DeliveryMethod,
    Evaluation,
    EvaluationSource,
    Kind,
    Notice,
    ParticipantRole,
    RedirectChannel,
    ReplyDecision,
    Status,
    StepKind,
)
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import OrgKind, Role

S = Status


def superior_government(org):
    """The next government up: who reviews this org's decisions (art 35).

    A county department or township is reviewed by the county government it
    sits under, a county government by the city government above it.
    """
    if org is None:
        return None
    for ancestor in reversed(list(org.ancestors())):
        if ancestor.kind == OrgKind.GOVERNMENT:
            return ancestor
    return None


def handlers(case):
    """Who may be named handler: the competent org's active staff with the 承办人 role."""
    from xinfang.orgs.models import User

    return (
        User.objects.filter(org_id=case.competent_org_id, is_active=True, role_grants__role=Role.HANDLER)
        .distinct()
        .order_by("username")
    )


def _check_handler(case, handler):
    if handler is None:
        return
    if handler.org_id != case.competent_org_id or not handler.is_active or not handler.has_role(Role.HANDLER):
        raise Invalid("承办人须为主办单位的承办人", field="handler")


def _national_days(clock_code) -> int:
    from xinfang.clock.rules import national_default, rule_in

    return rule_in(national_default(clock.today()), clock_code).days


def _draft(name):
    return lambda case, actor: (case.reply_draft or {}).get(name) or None


def _draft_or_summary(case, actor):
    return (case.reply_draft or {}).get("request") or case.summary


def notice_choices(case):
    """The notices this case has produced (newest first), marked when already delivered."""
    produced = list(case.events.exclude(notice="").order_by("-at", "-pk").values_list("pk", "notice"))
    delivered = set(Delivery.objects.filter(case=case).values_list("event_id", flat=True))
    choices, seen = [], set()
    for pk, notice in produced:
        if notice in seen:
            continue
        seen.add(notice)
        label = Notice(notice).label + ("（已送达）" if pk in delivered else "")
        choices.append((notice, label))
    return choices or list(Notice.choices)


def first_undelivered(case):
    """The default notice to record: the newest one not yet delivered."""
    delivered = set(Delivery.objects.filter(case=case).values_list("event_id", flat=True))
    for pk, notice in case.events.exclude(notice="").order_by("-at", "-pk").values_list("pk", "notice"):
        if pk not in delivered:
            return notice
    return None


@action(
    Action.ACCEPT,
    from_=[S.TO_DECIDE],
    to=S.HANDLING,
    rule=rules.decide,
    todo=rules.decide_todo,
    order=50,
    primary=True,
    api_path="accept",
    inputs=[
        UserPick(
            "handler",
            "承办人（可稍后指定）",
            required=False,
            api_name="handler_id",
            api_doc="承办人 ID（主办单位的承办人）",
            offered=lambda case, actor: handlers(case),
        ),
        Text("note", "说明"),
    ],
    doc=lambda: f"受理并出具受理告知书；办理期限（全国默认{_national_days(Clock.HANDLING)}日）自受理起算。",
)
def do_accept(case, *, actor, handler=None, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.ACCEPT, expected_version=expected_version)
        _check_handler(case, handler)
        today = clock.today()
        deadlines.meet(case, Clock.ACCEPTANCE, clock.now())
        deadlines.meet(case, Clock.MISROUTING_OBJECTION, clock.now())
        case.accepted_on = today
        if handler is not None:
            case.handler = handler
        from xinfang.cases.actions.intake import _target_key

        deadlines.start(
            case, Clock.HANDLING, today, org=case.competent_org, target_key=_target_key(case, case.competent_org, today)
        )
        text = documents.acceptance_notice(case, actor.org, today)
        finish(
            case,
            actor,
            Action.ACCEPT,
            note=note,
            notice=Notice.ACCEPTANCE,
            document=text,
            data={"handler": handler.display_name if handler else ""},
        )
    return case


@action(
    Action.DECLINE,
    # A petition bureau may decline at registration, e.g. a matter a lower body has
    # already accepted and is handling within its period (条例 art 19(3)).
    from_=[S.REGISTERED, S.TO_DECIDE],
    to=S.DECLINED,
    rule=rules.decide,
    order=60,
    api_path="decline",
    inputs=[Text("reason", "不予受理理由（写入告知书）", required=True)],
    doc="不予受理并出具告知书（须写明理由）。信访部门对下级机关已受理、正在办理的同一事项可在登记后不予受理（第十九条第三款）。",
)
def do_decline(case, *, actor, reason, expected_version=None):
    if not (reason or "").strip():
        raise Invalid("请填写不予受理的理由", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.DECLINE, expected_version=expected_version)
        deadlines.meet(case, Clock.ROUTING, clock.now())
        deadlines.meet(case, Clock.ACCEPTANCE, clock.now())
        deadlines.cancel(case)
        case.decline_reason = reason.strip()
        text = documents.decline_notice(case, actor.org, clock.today(), case.decline_reason)
        finish(case, actor, Action.DECLINE, note=case.decline_reason, notice=Notice.DECLINE, document=text)
    return case


REFUSE_FINAL_REASON = (
    "信访人以同一事实和理由再次提出信访，该事项已经依法处理终结，"
    "依据《信访工作条例》第三十六条第三款，各级机关不再受理。"
)


@action(
    Action.REFUSE_FINAL,
    from_=[S.REGISTERED, S.TO_DECIDE],
    to=S.REFUSED,
    rule=rules.decide,
    order=65,
    api_path="refuse-final",
    inputs=[
        Text(
            "reason",
            "不再受理理由（写入告知书）",
            required=True,
            initial_from=lambda case, actor: REFUSE_FINAL_REASON,
        )
    ],
    doc="同一事项已复核终结或处理意见已终结，信访人仍以同一事实和理由提出的，不再受理（第三十六条第三款），出具告知书。",
)
def do_refuse_final(case, *, actor, reason, expected_version=None):
    if not (reason or "").strip():
        raise Invalid("请填写不再受理的理由", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.REFUSE_FINAL, expected_version=expected_version)
        deadlines.meet(case, Clock.ROUTING, clock.now())
        deadlines.meet(case, Clock.ACCEPTANCE, clock.now())
        deadlines.cancel(case)
        case.decline_reason = reason.strip()
        text = documents.refuse_final_notice(case, actor.org, clock.today(), case.decline_reason)
        finish(
            case,
            actor,
            Action.REFUSE_FINAL,
            note=case.decline_reason,
            notice=Notice.REFUSE_FINAL,
            document=text,
        )
    return case


@action(
    Action.REDIRECT,
    from_=[S.TO_DECIDE],
    to=S.REDIRECTED,
    rule=rules.decide,
    order=70,
    api_path="redirect",
    inputs=[Choice("channel", "导入的法定途径", enum=RedirectChannel), Text("note", "告知内容补充")],
    doc="导入诉讼、仲裁、行政复议等法定途径并告知。",
)
def do_redirect(case, *, actor, channel, note="", expected_version=None):
    if channel not in RedirectChannel.values:
        raise Invalid("请选择导入的法定途径", field="channel")
    with transaction.atomic():
        case = lock(case, actor, Action.REDIRECT, expected_version=expected_version)
        deadlines.meet(case, Clock.ACCEPTANCE, clock.now())
        deadlines.cancel(case)
        case.redirect_channel = channel
        label = RedirectChannel(channel).label
        text = documents.redirect_notice(case, actor.org, clock.today(), label, note)
        finish(case, actor, Action.REDIRECT, note=f"导入{label}途径。{note}", notice=Notice.REDIRECT, document=text)
    return case


@action(
    Action.ASSIGN_HANDLER,
    from_=[S.TO_DECIDE, S.HANDLING],
    rule=rules.assign_handler,
    todo=rules.assign_handler_todo,
    order=90,
    api_path="assign-handler",
    inputs=[
        UserPick("handler", "承办人", api_name="handler_id", api_doc="承办人 ID", offered=lambda c, a: handlers(c))
    ],
    doc="指定或更换承办人（主办单位的承办人）。",
)
def do_assign_handler(case, *, actor, handler, expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.ASSIGN_HANDLER, expected_version=expected_version)
        if handler is None:
            raise Invalid("请选择承办人", field="handler")
        _check_handler(case, handler)
        case.handler = handler
        finish(case, actor, Action.ASSIGN_HANDLER, note=f"承办人：{handler.display_name}")
    return case


@action(
    Action.RECORD_STEP,
    from_=[S.HANDLING, S.REVIEW_REQUESTED, S.REEXAM_REQUESTED],
    rule=rules.record_step,
    todo=rules.record_step_todo,
    order=100,
    api_path="steps",
    inputs=[
        Choice("kind", "办理方式", enum=StepKind, initial_from=lambda c, a: StepKind.INVESTIGATION),
        Day("happened_on", "日期", default_today=True),
        Text("description", "办理情况", required=True),
    ],
    doc="记录调查核实、调解、和解、听证等办理过程。",
)
def do_record_step(case, *, actor, kind, happened_on=None, description, expected_version=None):
    happened_on = happened_on or clock.today()  # the form's and the API's default
    if kind not in StepKind.values:
        raise Invalid("请选择办理方式", field="kind")
    if not (description or "").strip():
        raise Invalid("请填写办理情况", field="description")
    if happened_on > clock.today():
        raise Invalid("办理日期不能晚于今天", field="happened_on")
    with transaction.atomic():
        case = lock(case, actor, Action.RECORD_STEP, expected_version=expected_version)
        if happened_on < clock.local_date(case.received_at):
            raise Invalid("办理日期不能早于收件日期", field="happened_on")
        HandlingStep.objects.create(
            case=case, kind=kind, happened_on=happened_on, description=description.strip(), recorded_by=actor
        )
        finish(
            case,
            actor,
            Action.RECORD_STEP,
            note=f"{StepKind(kind).label}（{happened_on:%Y-%m-%d}）：{description.strip()}",
            data={"kind": kind, "on": happened_on.isoformat()},
        )
    return case


@action(
    Action.CO_REPORT,
    # A co-unit may still report after the lead unit replied: report_back waits for it.
    from_=[S.HANDLING, S.REPLIED],
    rule=rules.co_report,
    todo=rules.co_report_todo,
    order=110,
    primary=True,
    api_path="co-report",
    inputs=[Text("report", "协办情况", required=True)],
    doc="协办单位向主办单位反馈协办情况。",
)
def do_co_report(case, *, actor, report, expected_version=None):
    if not (report or "").strip():
        raise Invalid("请填写协办情况", field="report")
    with transaction.atomic():
        case = lock(case, actor, Action.CO_REPORT, expected_version=expected_version)
        CaseOrg.objects.filter(case=case, org=actor.org, role=ParticipantRole.CO, reported_at__isnull=True).update(
            reported_at=clock.now(), report=report.strip()
        )
        finish(case, actor, Action.CO_REPORT, note=report.strip())
    return case


@action(
    Action.REQUEST_EXTENSION,
    from_=[S.HANDLING],
    rule=rules.request_extension,
    todo=rules.request_extension_todo,
    order=120,
    api_path="extension/request",
    inputs=[
        Number(
            "days",
            lambda case, actor: f"延期天数（最长{rules.extension_cap(case)}日）",
            max_for=lambda case, actor: rules.extension_cap(case),
            initial_from=lambda case, actor: rules.extension_cap(case),
            api_doc_for=lambda: f"延期天数，1至本单位适用规则集的延期上限（{rules.extension_caps_in_force()}）",
        ),
        Text("reason", "延期理由（将告知信访人）", required=True),
    ],
    doc=lambda: f"申请延长办理期限（不超过适用规则集的延期上限：{rules.extension_caps_in_force()}）。",
)
def do_request_extension(case, *, actor, days, reason, expected_version=None):
    if not (reason or "").strip():
        raise Invalid("请填写延期理由（将告知信访人）", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_EXTENSION, expected_version=expected_version)
        cap = rules.extension_cap(case)  # from the rule set in force at the competent org (条例 art 34)
        if not 1 <= int(days) <= cap:
            raise Invalid(f"延期天数应为1至{cap}日", field="days")
        case.extension_requested_days = int(days)
        case.extension_reason = reason.strip()
        finish(case, actor, Action.REQUEST_EXTENSION, note=f"申请延期{days}日：{reason.strip()}")
    return case


@action(
    Action.APPROVE_EXTENSION,
    from_=[S.HANDLING],
    rule=rules.decide_extension,
    todo=rules.decide_extension_todo,
    order=130,
    primary=True,
    api_path="extension/approve",
    inputs=[Text("note", "审批意见")],
    doc="单位负责人批准延期，出具延期告知书。",
)
def do_approve_extension(case, *, actor, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.APPROVE_EXTENSION, expected_version=expected_version)
        days = case.extension_requested_days
        deadlines.extend(case, Clock.HANDLING, days, field="days")
        case.extension_days = days
        case.extension_requested_days = 0
        deadlines.sync(case, save=False)
        text = documents.extension_notice(case, actor.org, clock.today(), days, case.extension_reason, case.due_date)
        finish(
            case,
            actor,
            Action.APPROVE_EXTENSION,
            note=note or f"批准延期{days}日",
            notice=Notice.EXTENSION,
            document=text,
            data={"days": days},
        )
    return case


@action(
    Action.REJECT_EXTENSION,
    from_=[S.HANDLING],
    rule=rules.decide_extension,
    order=140,
    api_path="extension/reject",
    inputs=[Text("note", "不批准理由")],
    doc="单位负责人不批准延期申请。",
)
def do_reject_extension(case, *, actor, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.REJECT_EXTENSION, expected_version=expected_version)
        case.extension_requested_days = 0
        finish(case, actor, Action.REJECT_EXTENSION, note=note)
    return case


def _hearing_clock(case):
    return Clock.REEXAM_DECISION if case.status == Status.REEXAM_REQUESTED else Clock.HANDLING


def _hearing_day(case, day):
    day = day or clock.today()
    if day > clock.today():
        raise Invalid("听证日期不能晚于今天：听证开始、结束后再记录", field="day")
    if day < clock.local_date(case.received_at):
        raise Invalid("听证日期不能早于收件日期", field="day")
    return day


@action(
    Action.START_HEARING,
    from_=[S.HANDLING, S.REEXAM_REQUESTED],
    rule=rules.start_hearing,
    order=150,
    api_path="hearing/start",
    inputs=[Day("day", "听证开始日期", required=False, default_today=True), Text("note", "说明")],
    doc="听证开始，期限中止计算。",
    done="已记录听证开始，期限中止计算",
)
def do_start_hearing(case, *, actor, day=None, note="", expected_version=None):
    """Hearing time is not counted (art 36): the clock pauses until it ends."""
    with transaction.atomic():
        case = lock(case, actor, Action.START_HEARING, expected_version=expected_version)
        day = _hearing_day(case, day)
        deadlines.pause(case, _hearing_clock(case), day, field="day")
        case.hearing_open = True
        finish(
            case,
            actor,
            Action.START_HEARING,
            note=_dated(f"听证开始，{day:%Y-%m-%d}起期限中止计算", note),
            data={"on": day.isoformat()},
        )
    return case


@action(
    Action.END_HEARING,
    from_=[S.HANDLING, S.REEXAM_REQUESTED],
    rule=rules.end_hearing,
    todo=rules.end_hearing_todo,
    order=160,
    api_path="hearing/end",
    inputs=[Day("day", "听证结束日期", required=False, default_today=True), Text("note", "说明")],
    doc="听证结束，期限恢复计算。",
    done="已记录听证结束，期限恢复计算",
)
def do_end_hearing(case, *, actor, day=None, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.END_HEARING, expected_version=expected_version)
        day = _hearing_day(case, day)
        started = (
            case.events.filter(action=Action.START_HEARING).order_by("-seq").values_list("data", flat=True).first()
        )
        began = (started or {}).get("on", "")
        if began and day.isoformat() < began:
            raise Invalid(f"听证结束日期不能早于听证开始日期（{began}）", field="day")
        deadlines.resume(case, _hearing_clock(case), day, field="day")
        case.hearing_open = False
        finish(
            case,
            actor,
            Action.END_HEARING,
            note=_dated(f"听证结束，{day:%Y-%m-%d}次日起恢复计算期限", note),
            data={"on": day.isoformat()},
        )
    return case


def _dated(what, note):
    return f"{what}。{note}" if note else what


def _reply_fields(request, facts, decision, basis):
    if decision not in ReplyDecision.values:
        raise Invalid("请选择处理意见", field="decision")
    for name, value, label in (
        ("request", request, "信访请求"),
        ("facts", facts, "事实和理由"),
        ("basis", basis, "依据"),
    ):
        if not (value or "").strip():
            raise Invalid(f"请填写{label}", field=name)
    return {"request": request.strip(), "facts": facts.strip(), "decision": decision, "basis": basis.strip()}


@action(
    Action.DRAFT_REPLY,
    from_=[S.HANDLING],
    rule=rules.draft_reply,
    order=170,
    api_path="reply/draft",
    inputs=[
        Text("request", "一、信访请求", required=True, initial_from=_draft_or_summary),
        Text("facts", "二、事实和理由", required=True, rows=6, initial_from=_draft("facts")),
        Choice("decision", "三、处理意见", enum=ReplyDecision, required=True, initial_from=_draft("decision")),
        Text("basis", "四、依据", required=True, initial_from=_draft("basis")),
    ],
    doc="承办人拟写答复意见，待负责人签发。",
)
def do_draft_reply(case, *, actor, request, facts, decision, basis, expected_version=None):
    fields = _reply_fields(request, facts, decision, basis)
    with transaction.atomic():
        case = lock(case, actor, Action.DRAFT_REPLY, expected_version=expected_version)
        case.reply_draft = fields
        finish(case, actor, Action.DRAFT_REPLY, note="答复意见已拟写，待负责人签发", data=fields)
    return case


@action(
    Action.REPLY,
    from_=[S.HANDLING],
    to=S.REPLIED,
    rule=rules.reply,
    todo=rules.reply_todo,
    order=180,
    primary=True,
    api_path="reply",
    inputs=[
        Text("request", "一、信访请求", required=False, initial_from=_draft_or_summary),
        Text("facts", "二、事实和理由", required=False, rows=6, initial_from=_draft("facts")),
        Choice("decision", "三、处理意见", enum=ReplyDecision, required=False, initial_from=_draft("decision")),
        Text("basis", "四、依据", required=False, initial_from=_draft("basis")),
    ],
    doc="单位负责人签发书面答复意见（四项都不填时签发已拟写的草稿）。",
)
def do_reply(case, *, actor, request=None, facts=None, decision=None, basis=None, expected_version=None):
    """The unit head signs the written reply opinion (art 32); from a draft or directly."""
    given = [v for v in (request, facts, decision, basis) if v]
    draft = _reply_fields(request, facts, decision, basis) if given else None  # none given: the stored draft
    with transaction.atomic():
        case = lock(case, actor, Action.REPLY, expected_version=expected_version)
        fields = draft or case.reply_draft
        if not fields:
            raise Invalid("尚无答复意见草稿，请填写答复意见", field="request")
        fields = _reply_fields(fields["request"], fields["facts"], fields["decision"], fields["basis"])
        today = clock.today()
        deadlines.meet(case, Clock.HANDLING, clock.now())
        case.reply_decision = fields["decision"]
        case.reply_draft = None
        case.replied_on = today
        case.review_org = superior_government(case.competent_org)
        text = documents.reply_opinion(
            case,
            actor.org,
            today,
            request=fields["request"],
            facts=fields["facts"],
            decision_label=ReplyDecision(fields["decision"]).label,
            basis=fields["basis"],
        )
        finish(
            case,
            actor,
            Action.REPLY,
            note=ReplyDecision(fields["decision"]).label,
            notice=Notice.REPLY,
            document=text,
            data=fields,
        )
    return case


def _latest_notice_event(case, notice):
    return case.events.filter(notice=notice).order_by("-at", "-pk").first()


@action(
    Action.RECORD_DELIVERY,
    from_=[
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
    ],
    rule=rules.delivery,
    todo=rules.delivery_todo,
    order=190,
    primary=True,
    api_path="deliveries",
    inputs=[
        Choice(
            "notice",
            "送达的文书",
            enum=Notice,
            choices_for=lambda case, actor: notice_choices(case),
            initial_from=lambda case, actor: first_undelivered(case),
        ),
        Choice("method", "送达方式", enum=DeliveryMethod, initial_from=lambda c, a: DeliveryMethod.IN_PERSON),
        Moment("delivered_at", "送达时间"),
        Text("recipient", "签收人", max_length=50, single_line=True),
        Text("tracking_number", "邮件号（邮寄送达时填写）", max_length=50, single_line=True),
    ],
    doc="记录文书送达信访人；答复意见、复查意见送达后开始计算信访人申请复查、复核的期限。"
    "信访人在网上确认收到文书的，记为电子送达。",
    petitioner=True,
)
def do_record_delivery(
    case, *, actor, notice, method, delivered_at, recipient="", tracking_number="", proof=None, expected_version=None
):
    """Record that a notice reached the petitioner; delivery of a reply or review
    opinion starts the petitioner's 30-day window.

    A petitioner acting for themselves (the portal) can only confirm receipt:
    the method is 电子送达 and the moment is when they confirm. ``proof`` is
    an attachment of the case: the returned 送达回证.
    """
    actor = as_actor(actor)
    if actor.is_petitioner:
        method, delivered_at, recipient = DeliveryMethod.ELECTRONIC, clock.now(), actor.name
        tracking_number, proof = "", None
    if notice not in Notice.values:
        raise Invalid("请选择送达的文书", field="notice")
    if method not in DeliveryMethod.values:
        raise Invalid("请选择送达方式", field="method")
    tracking_number = (tracking_number or "").strip()
    recipient = (recipient or "").strip()
    if tracking_number and method != DeliveryMethod.POST:
        raise Invalid("只有邮寄送达需要填写邮件号", field="tracking_number")
    # Served by hand, the proof of service is the recipient's signature (or, when they refuse, the
    # person it was left with): a record without a name proves nothing.
    if method == DeliveryMethod.IN_PERSON and not recipient:
        raise Invalid("直接送达须填写签收人", field="recipient")
    if method == DeliveryMethod.LODGED and not recipient:
        raise Invalid("留置送达须填写受送达人", field="recipient")
    if proof is not None and proof.case_id != case.pk:
        raise Invalid("送达回证须是本件的附件", field="proof")
    if delivered_at > clock.now() + timezone.timedelta(minutes=5):
        raise Invalid("送达时间不能晚于当前时间", field="delivered_at")
    with transaction.atomic():
        case = lock(case, actor, Action.RECORD_DELIVERY, expected_version=expected_version)
        event = _latest_notice_event(case, notice)
        if event is None:
            raise Invalid(f"该件尚未制作《{Notice(notice).label}》", field="notice")
        if delivered_at < event.at - timezone.timedelta(minutes=5):
            raise Invalid("送达时间不能早于文书制作时间", field="delivered_at")
        if Delivery.objects.filter(case=case, event=event).exists():
            raise Invalid(f"《{Notice(notice).label}》的送达已记录", field="notice")
        Delivery.objects.create(
            case=case,
            notice=notice,
            event=event,
            method=method,
            delivered_at=delivered_at,
            recipient=recipient,
            tracking_number=tracking_number,
            proof=proof,
            recorded_by=actor.user,
            recorded_by_petitioner_id=actor.petitioner_id,
        )
        day = clock.local_date(delivered_at)
        if notice == Notice.REPLY:
            case.reply_delivered_on = day
            # Only claims run the review chain (DESIGN §3; 条例 art 31(6), 35).
            if case.review_org is not None and case.kind == Kind.CLAIM:
                deadlines.start(case, Clock.REVIEW_WINDOW, day, org=case.competent_org)
                _add_participants(case, case.review_org, ParticipantRole.REVIEWING)
        elif notice == Notice.REVIEW:
            case.review_delivered_on = day
            # A revoked opinion goes back to handling: nothing to re-examine yet.
            if case.reexam_org is not None and case.status == Status.REVIEWED:
                deadlines.start(case, Clock.REEXAM_WINDOW, day, org=case.review_org)
                _add_participants(case, case.reexam_org, ParticipantRole.REEXAMINING)
        when = timezone.localtime(delivered_at)
        finish(
            case,
            actor,
            Action.RECORD_DELIVERY,
            note=f"《{Notice(notice).label}》{DeliveryMethod(method).label}，{when:%Y-%m-%d %H:%M}"
            + (f"，邮件号{tracking_number}" if tracking_number else ""),
            # The postal number only when there is one: the history of every other delivery is unchanged.
            data={"notice": notice, "method": method, "recipient": recipient}
            | ({"tracking_number": tracking_number} if tracking_number else {}),
        )
    return case


def _add_participants(case, gov, role):
    """The reviewing government and its petition bureau both take part."""
    CaseOrg.objects.get_or_create(case=case, org=gov, role=role)
    for bureau in gov.children.filter(kind=OrgKind.PETITION_BUREAU):
        CaseOrg.objects.get_or_create(case=case, org=bureau, role=role)


@action(
    Action.EVALUATE,
    from_=[S.REPLIED, S.REPORTED, S.CLOSED],
    rule=rules.evaluate,
    todo=rules.evaluate_todo,
    order=200,
    primary=True,
    api_path="evaluate",
    inputs=[
        Choice("evaluation", "评价结果", enum=Evaluation, radio=True),
        Choice(
            "source",
            "评价方式",
            enum=EvaluationSource,
            required=False,
            initial_from=lambda c, a: EvaluationSource.FOLLOW_UP,
        ),
        Text("note", "说明"),
    ],
    doc="记录信访人对答复的评价（满意、基本满意、不满意）。",
    petitioner=True,  # the petitioner's own evaluation on the portal
)
def do_evaluate(case, *, actor, evaluation, source=EvaluationSource.FOLLOW_UP, note="", expected_version=None):
    if evaluation not in Evaluation.values:
        raise Invalid("请选择评价结果", field="evaluation")
    if source not in EvaluationSource.values:
        raise Invalid("请选择评价方式", field="source")
    with transaction.atomic():
        case = lock(case, actor, Action.EVALUATE, expected_version=expected_version)
        case.evaluation = evaluation
        case.evaluation_source = source
        finish(
            case,
            actor,
            Action.EVALUATE,
            note=f"{EvaluationSource(source).label}：{Evaluation(evaluation).label}。{note}".rstrip("。"),
            data={"evaluation": evaluation, "source": source},
        )
    return case


@action(
    Action.REPORT_BACK,
    from_=[S.REPLIED],
    to=S.REPORTED,
    rule=rules.report_back,
    todo=rules.report_back_todo,
    order=210,
    primary=True,
    api_path="report-back",
    inputs=[Text("note", "说明")],
    doc="交办件由主办单位向交办的信访部门报结。",
)
def do_report_back(case, *, actor, note="", expected_version=None):
    """报结: the lead unit reports the result to the assigning bureau."""
    with transaction.atomic():
        case = lock(case, actor, Action.REPORT_BACK, expected_version=expected_version)
        case.current_org = case.routing_org
        finish(case, actor, Action.REPORT_BACK, note=note)
    return case


def _close_or_report_up(case, actor, action, note):
    """Close, unless a bureau higher up assigned the case and is owed the result.

    Forwards (转送) owe nothing back and are skipped; the nearest assigning
    bureau becomes the one to confirm closure (审核办结) next.
    """
    chain = list(case.routing_chain)
    while chain and not chain[-1]["assigned"]:
        chain.pop()
    if not chain:
        case.routing_chain = []
        case.closed_on = clock.today()
        finish(case, actor, action, note=note)
        return
    from xinfang.orgs.models import Org

    upper = Org.objects.get(pk=chain.pop()["org"])
    case.routing_chain = chain
    case.routing_org = upper
    case.current_org = upper
    case.is_assigned = True
    lead = f"{note}。" if note else ""
    finish(
        case,
        actor,
        action,
        to_status=Status.REPORTED,
        note=f"{lead}报{upper.name}审核办结",
        data={"reported_to": upper.name},
    )


@action(
    Action.CONFIRM_CLOSURE,
    from_=[S.REPORTED],
    to=S.CLOSED,
    alternates=[S.REPORTED],  # reported on up the chain of bureaus that assigned it
    rule=rules.bureau_confirms,
    todo=rules.bureau_confirms_todo,
    order=220,
    primary=True,
    api_path="confirm-closure",
    inputs=[Text("note", "说明")],
    doc="交办的信访部门审核办结；上级信访部门交办的，报上级审核办结。",
)
def do_confirm_closure(case, *, actor, note="", expected_version=None):
    """审核办结: the assigning bureau accepts the lead unit's report."""
    with transaction.atomic():
        case = lock(case, actor, Action.CONFIRM_CLOSURE, expected_version=expected_version)
        _close_or_report_up(case, actor, Action.CONFIRM_CLOSURE, note)
    return case


@action(
    Action.SEND_BACK,
    from_=[S.REPORTED],
    to=S.HANDLING,
    rule=rules.bureau_confirms,
    order=230,
    api_path="send-back",
    inputs=[Text("reason", "补办要求", required=True)],
    doc="交办的信访部门退回补办。",
)
def do_send_back(case, *, actor, reason, expected_version=None):
    """补办: the assigning bureau returns the case for more work."""
    if not (reason or "").strip():
        raise Invalid("请填写补办要求", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.SEND_BACK, expected_version=expected_version)
        case.current_org = case.competent_org
        # Handling resumes under the original (already met) clock's period; a
        # fresh handling deadline from today keeps the lead unit accountable.
        deadlines.cancel(case, Clock.REVIEW_WINDOW)
        deadlines.start(case, Clock.HANDLING, clock.today(), org=case.competent_org)
        case.reply_delivered_on = None
        case.evaluation = ""
        case.evaluation_source = ""
        finish(case, actor, Action.SEND_BACK, note=reason.strip())
    return case


@action(
    Action.CLOSE,
    from_=[S.REPLIED],
    to=S.CLOSED,
    alternates=[S.REPORTED],
    rule=rules.close,
    todo=rules.close_todo,
    order=240,
    primary=True,
    api_path="close",
    inputs=[Text("note", "说明")],
    doc="非交办件在答复送达后办结。",
)
def do_close(case, *, actor, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.CLOSE, expected_version=expected_version)
        _close_or_report_up(case, actor, Action.CLOSE, note)
    return case
