"""The petitioner's review (复查) and re-examination (复核), and finality (终结)."""

from django.db import transaction

from xinfang.cases import deadlines, documents
from xinfang.cases.actions.base import finish, lock
from xinfang.cases.actions.handling import superior_government
from xinfang.cases.errors import Invalid
from xinfang.cases.states import Action, Notice, ReviewDecision, Status
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.orgs.actors import Actor


def do_request_review(case, *, actor, received_on=None, note="", expected_version=None):
    """Register the petitioner's request for review, within 30 days of the reply's delivery."""
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_REVIEW, expected_version=expected_version)
        day = received_on or clock.today()
        if case.window_until and day > case.window_until:
            raise Invalid(f"复查申请期限已于{case.window_until:%Y年%m月%d日}届满", field="received_on")
        deadlines.meet(case, Clock.REVIEW_WINDOW, clock.now())
        deadlines.start(case, Clock.REVIEW_DECISION, day, org=case.review_org)
        case.current_org = case.review_org
        finish(case, actor, Action.REQUEST_REVIEW, note=note, data={"received_on": day.isoformat()})
    return case


def _decision(decision, reasons):
    if decision not in ReviewDecision.values:
        raise Invalid("请选择复查（复核）结论", field="decision")
    if not (reasons or "").strip():
        raise Invalid("请填写理由", field="reasons")
    return ReviewDecision(decision).label


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


def do_request_reexam(case, *, actor, received_on=None, note="", expected_version=None):
    with transaction.atomic():
        case = lock(case, actor, Action.REQUEST_REEXAM, expected_version=expected_version)
        day = received_on or clock.today()
        if case.window_until and day > case.window_until:
            raise Invalid(f"复核申请期限已于{case.window_until:%Y年%m月%d日}届满", field="received_on")
        deadlines.meet(case, Clock.REEXAM_WINDOW, clock.now())
        deadlines.start(case, Clock.REEXAM_DECISION, day, org=case.reexam_org)
        case.current_org = case.reexam_org
        finish(case, actor, Action.REQUEST_REEXAM, note=note, data={"received_on": day.isoformat()})
    return case


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
    """Idempotent sweep: every case whose petitioner window has lapsed becomes final.

    "Today" is the current local date, the same one do_finalize checks the
    window against, so the sweep and the action can never disagree.
    """
    from xinfang.cases.models import Case

    today = clock.today()
    ids = list(
        Case.objects.filter(
            window_until__lt=today,
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
