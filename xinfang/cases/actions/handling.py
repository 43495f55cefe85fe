"""Acceptance, handling, extension, reply, delivery, evaluation and closure."""

from django.db import transaction
from django.utils import timezone

from xinfang.cases import deadlines, documents
from xinfang.cases.actions.base import finish, lock
from xinfang.cases.errors import Invalid
from xinfang.cases.models import CaseOrg, Delivery, HandlingStep
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
from xinfang.orgs.models import OrgKind, Role

MAX_EXTENSION_DAYS = 30  # 条例 art 34


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


def _check_handler(case, handler):
    if handler is None:
        return
    if handler.org_id != case.competent_org_id or not handler.has_role(Role.HANDLER, Role.UNIT_HEAD):
        raise Invalid("承办人须为主办单位的承办人员", field="handler")


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


def do_decline(case, *, actor, reason, expected_version=None):
    if not (reason or "").strip():
        raise Invalid("请填写不予受理的理由", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.DECLINE, expected_version=expected_version)
        deadlines.meet(case, Clock.ACCEPTANCE, clock.now())
        deadlines.cancel(case)
        case.decline_reason = reason.strip()
        text = documents.decline_notice(case, actor.org, clock.today(), case.decline_reason)
        finish(case, actor, Action.DECLINE, note=case.decline_reason, notice=Notice.DECLINE, document=text)
    return case


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


def do_assign_handler(case, *, actor, handler, expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.ASSIGN_HANDLER, expected_version=expected_version)
        if handler is None:
            raise Invalid("请选择承办人", field="handler")
        _check_handler(case, handler)
        case.handler = handler
        finish(case, actor, Action.ASSIGN_HANDLER, note=f"承办人：{handler.display_name}")
    return case


def do_record_step(case, *, actor, kind, happened_on, description, expected_version=None):
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


def do_request_extension(case, *, actor, days, reason, expected_version=None):
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise Invalid(f"延期天数应为1至{MAX_EXTENSION_DAYS}日", field="days")
    if not (reason or "").strip():
        raise Invalid("请填写延期理由（将告知信访人）", field="reason")
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_EXTENSION, expected_version=expected_version)
        case.extension_requested_days = int(days)
        case.extension_reason = reason.strip()
        finish(case, actor, Action.REQUEST_EXTENSION, note=f"申请延期{days}日：{reason.strip()}")
    return case


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


def do_end_hearing(case, *, actor, day=None, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.END_HEARING, expected_version=expected_version)
        day = _hearing_day(case, day)
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


def do_draft_reply(case, *, actor, request, facts, decision, basis, expected_version=None):
    fields = _reply_fields(request, facts, decision, basis)
    with transaction.atomic():
        case = lock(case, actor, Action.DRAFT_REPLY, expected_version=expected_version)
        case.reply_draft = fields
        finish(case, actor, Action.DRAFT_REPLY, note="答复意见已拟写，待负责人签发", data=fields)
    return case


def do_reply(case, *, actor, request=None, facts=None, decision=None, basis=None, expected_version=None):
    """The unit head signs the written reply opinion (art 32); from a draft or directly."""
    draft = None
    if decision is None and request is None:
        draft = None  # taken from the stored draft below
    else:
        draft = _reply_fields(request, facts, decision, basis)
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


def do_record_delivery(case, *, actor, notice, method, delivered_at, recipient="", expected_version=None):
    """Record that a notice reached the petitioner; delivery of a reply or review
    opinion starts the petitioner's 30-day window."""
    if notice not in Notice.values:
        raise Invalid("请选择送达的文书", field="notice")
    if method not in DeliveryMethod.values:
        raise Invalid("请选择送达方式", field="method")
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
            recorded_by=actor,
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
            note=f"《{Notice(notice).label}》{DeliveryMethod(method).label}，{when:%Y-%m-%d %H:%M}",
            data={"notice": notice, "method": method, "recipient": recipient},
        )
    return case


def _add_participants(case, gov, role):
    """The reviewing government and its petition bureau both take part."""
    CaseOrg.objects.get_or_create(case=case, org=gov, role=role)
    for bureau in gov.children.filter(kind=OrgKind.PETITION_BUREAU):
        CaseOrg.objects.get_or_create(case=case, org=bureau, role=role)


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


def do_confirm_closure(case, *, actor, note="", expected_version=None):
    """审核办结: the assigning bureau accepts the lead unit's report."""
    with transaction.atomic():
        case = lock(case, actor, Action.CONFIRM_CLOSURE, expected_version=expected_version)
        _close_or_report_up(case, actor, Action.CONFIRM_CLOSURE, note)
    return case


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


def do_close(case, *, actor, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.CLOSE, expected_version=expected_version)
        _close_or_report_up(case, actor, Action.CLOSE, note)
    return case
