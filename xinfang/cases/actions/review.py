"""The petitioner's review (复查) and re-examination (复核), and finality (终结)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from xinfang.cases import deadlines, documents
from xinfang.cases import permissions as rules
from xinfang.cases.actions.base import finish, lock
from xinfang.cases.actions.handling import superior_government
from xinfang.cases.errors import Invalid
from xinfang.cases.inputs import Choice, Day, Text
from xinfang.cases.spec import action
from xinfang.cases.states import Action, Notice, ReviewDecision, Status
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.orgs.actors import Actor

S = Status


def _received_on(case, day, *, delivered_on: date | None, opinion: str, request: str) -> date:
    """The day the petitioner's request arrived, checked: it decides the window (条例 art 35, 36).

    Not before the opinion reached the petitioner, not after today, and
    within the window counted from that delivery, whenever the clerk
    registers it.
    """
    today = clock.today()
    day = day or today
    if day > today:
        raise Invalid(f"收到申请日期不能晚于今天（{today:%Y年%m月%d日}）", field="received_on")
    if delivered_on and day < delivered_on:
        raise Invalid(f"收到申请日期不能早于{opinion}送达日期（{delivered_on:%Y年%m月%d日}）", field="received_on")
    if case.window_until and day > case.window_until:
        raise Invalid(
            f"{request}申请期限已于{case.window_until:%Y年%m月%d日}届满，{day:%Y年%m月%d日}收到的申请已超过期限",
            field="received_on",
        )
    return day


def _window_help(case, actor) -> str:
    if case.window_until is None:
        return ""
    return f"申请期限至{case.window_until:%Y年%m月%d日}（以收到申请的日期为准）"


@action(
    Action.REQUEST_REVIEW,
    from_=[S.REPLIED, S.REPORTED, S.CLOSED],
    to=S.REVIEW_REQUESTED,
    rule=rules.request_review,
    order=250,
    api_path="review/request",
    inputs=[
        Day("received_on", "收到申请日期", default_today=True, help="以信访人的申请到达复查机关的日期为准"),
        Text("note", "申请事项"),
    ],
    note=_window_help,
    doc="复查机关登记信访人的复查申请（答复意见送达后的申请期限内收到的，以收到日期为准）。",
    petitioner=True,  # or the petitioner asks on the portal, received that day
)
def do_request_review(case, *, actor, received_on=None, note="", expected_version=None):
    """Register the petitioner's request for review, received within the window after the reply's delivery."""
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_REVIEW, expected_version=expected_version)
        day = _received_on(
            case, received_on, delivered_on=case.reply_delivered_on, opinion="处理意见书", request="复查"
        )
        deadlines.meet(case, Clock.REVIEW_WINDOW, clock.now())
        deadlines.start(case, Clock.REVIEW_DECISION, day, org=case.review_org)
        case.current_org = case.review_org
        text = f"收到复查申请日期：{day:%Y-%m-%d}"
        finish(
            case,
            actor,
            Action.REQUEST_REVIEW,
            note=f"{text}。{note}" if note else text,
            data={"received_on": day.isoformat()},
        )
    return case


def _decision(decision, reasons):
    if decision not in ReviewDecision.values:
        raise Invalid("请选择复查（复核）结论", field="decision")
    if not (reasons or "").strip():
        raise Invalid("请填写理由", field="reasons")
    return ReviewDecision(decision).label


def _decision_inputs(label):
    return [
        Choice("decision", "结论", enum=ReviewDecision, api_doc=f"{label}结论"),
        Text("reasons", "理由", required=True, rows=5),
    ]


@action(
    Action.REVIEW,
    from_=[S.REVIEW_REQUESTED],
    to=S.REVIEWED,
    alternates=[S.HANDLING],  # a review that revokes the opinion orders the original org to handle it again
    rule=rules.review,
    todo=rules.review_todo,
    order=260,
    primary=True,
    api_path="review",
    inputs=_decision_inputs("复查"),
    doc="复查机关作出复查意见。",
)
def do_review(case, *, actor, decision, reasons, expected_version=None):
    label = _decision(decision, reasons)
    with transaction.atomic():
        case = lock(case, actor, Action.REVIEW, expected_version=expected_version)
        deadlines.meet(case, Clock.REVIEW_DECISION, clock.now())
        case.review_decision = decision
        case.reexam_org = superior_government(case.review_org)
        text = documents.review_opinion(
            case,
            case.review_org,
            clock.today(),
            decision_label=label,
            reasons=reasons.strip(),
            redo=decision == ReviewDecision.REVOKE,
        )
        to_status = None
        if decision == ReviewDecision.REVOKE:
            # 责令重新处理: the original org handles it again and owes a new
            # written reply, which the petitioner may again ask to review.
            to_status = Status.HANDLING
            case.current_org = case.competent_org
            case.reply_decision = ""
            case.replied_on = None
            case.reply_delivered_on = None
            case.evaluation = ""
            case.evaluation_source = ""
            case.closed_on = None
            deadlines.start(case, Clock.HANDLING, clock.today(), org=case.competent_org)
        finish(
            case,
            actor,
            Action.REVIEW,
            note=f"{label}：{reasons.strip()}",
            notice=Notice.REVIEW,
            document=text,
            data={"decision": decision},
            to_status=to_status,
        )
    return case


@action(
    Action.REQUEST_REEXAM,
    from_=[S.REVIEWED],
    to=S.REEXAM_REQUESTED,
    rule=rules.request_reexam,
    order=270,
    api_path="reexam/request",
    inputs=[
        Day("received_on", "收到申请日期", default_today=True, help="以信访人的申请到达复核机关的日期为准"),
        Text("note", "申请事项"),
    ],
    note=_window_help,
    doc="复核机关登记信访人的复核申请（复查意见送达后的申请期限内收到的，以收到日期为准）。",
    petitioner=True,  # or the petitioner asks on the portal, received that day
)
def do_request_reexam(case, *, actor, received_on=None, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_REEXAM, expected_version=expected_version)
        day = _received_on(
            case, received_on, delivered_on=case.review_delivered_on, opinion="复查意见书", request="复核"
        )
        deadlines.meet(case, Clock.REEXAM_WINDOW, clock.now())
        deadlines.start(case, Clock.REEXAM_DECISION, day, org=case.reexam_org)
        case.current_org = case.reexam_org
        text = f"收到复核申请日期：{day:%Y-%m-%d}"
        finish(
            case,
            actor,
            Action.REQUEST_REEXAM,
            note=f"{text}。{note}" if note else text,
            data={"received_on": day.isoformat()},
        )
    return case


@action(
    Action.REEXAMINE,
    from_=[S.REEXAM_REQUESTED],
    to=S.FINAL,
    rule=rules.reexamine,
    todo=rules.reexamine_todo,
    order=280,
    primary=True,
    api_path="reexam",
    inputs=_decision_inputs("复核"),
    doc="复核机关作出复核意见，信访事项终结。",
)
def do_reexamine(case, *, actor, decision, reasons, expected_version=None):
    """The re-examination opinion is final (art 36)."""
    label = _decision(decision, reasons)
    with transaction.atomic():
        case = lock(case, actor, Action.REEXAMINE, expected_version=expected_version)
        deadlines.meet(case, Clock.REEXAM_DECISION, clock.now())
        deadlines.cancel(case)
        case.reexam_decision = decision
        case.final_on = clock.today()
        text = documents.reexam_opinion(
            case, case.reexam_org, clock.today(), decision_label=label, reasons=reasons.strip()
        )
        finish(
            case,
            actor,
            Action.REEXAMINE,
            note=f"{label}：{reasons.strip()}",
            notice=Notice.REEXAM,
            document=text,
            data={"decision": decision},
        )
    return case


@action(
    Action.FINALIZE,
    from_=[S.REPLIED, S.REPORTED, S.CLOSED, S.REVIEWED],
    to=S.FINAL,
    rule=rules.finalize,
    order=290,
    api_path="finalize",
    inputs=[Text("note", "说明")],
    system=True,
    doc="信访人申请期限届满未申请的，处理意见终结。",
)
def do_finalize(case, *, actor, note="", expected_version=None):
    """终结 when the petitioner's window lapsed without a request (by staff, or the sweep as the system)."""
    with transaction.atomic():
        case = lock(case, actor, Action.FINALIZE, expected_version=expected_version)
        deadlines.cancel(case)
        case.final_on = clock.today()
        reason = note or f"信访人未在期限（{case.window_until:%Y年%m月%d日}）内申请，处理意见终结"
        if case.status == Status.REVIEWED:
            reason = note or f"信访人未在期限（{case.window_until:%Y年%m月%d日}）内申请复核，复查意见终结"
        finish(case, actor, Action.FINALIZE, note=reason)
    return case


LAPSE_SWEEP = Actor.system("期限届满自动终结")


def finalize_lapsed() -> int:
    """Idempotent sweep: every case whose petitioner window lapsed, a grace period ago, becomes final.

    The grace (settings.LAPSE_GRACE_DAYS) leaves room to register a request
    that arrived in time but reached the clerk late (a letter posted on the
    last day): the window is judged by the day the request was received, so
    the case must still be open when it is registered. Staff may finalize by
    hand as soon as the window has passed (do_finalize checks that).
    """
    from xinfang.cases.models import Case

    cutoff = clock.today() - timedelta(days=settings.LAPSE_GRACE_DAYS)
    ids = list(
        Case.objects.filter(
            window_until__lt=cutoff,
            status__in=[Status.REPLIED, Status.REPORTED, Status.CLOSED, Status.REVIEWED],
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        try:
            do_finalize(pk, actor=LAPSE_SWEEP)
            done += 1
        except Exception:  # noqa: BLE001 — one bad case must not stop the sweep
            import logging

            logging.getLogger("xinfang.cases").exception("finalize failed for case %s", pk)
    return done
