from datetime import date

from xinfang.escalation.models import EscalationRule
from xinfang.notifications.models import Notification


def rule(code: str) -> EscalationRule:
    return EscalationRule.objects.get(rule_set__code="national-escalation", code=code)


def notes(r: EscalationRule):
    return Notification.objects.filter(dedupe__startswith=f"esc:{r.pk}:").order_by("user__username", "pk")


def supervision(case, cast, *, due: date, owed_by=None, report_on: date | None = None, **kwargs):
    from xinfang.supervision.models import SupervisionItem

    return SupervisionItem.objects.create(
        case=case,
        kind="listed",
        reason="群众反映强烈，挂牌督办",
        due_on=due,
        next_report_on=report_on,
        report_every_days=7 if report_on else None,
        owed_by_org=owed_by or cast.dept,
        issued_org=cast.bureau,
        issued_by=cast.supervisor,
        **kwargs,
    )


def urging(case, cast, *, reply_by: date, owed_by=None):
    from xinfang.supervision.models import UrgingSlip

    return UrgingSlip.objects.create(
        case=case,
        subject="办理期限将至，请抓紧办理",
        reply_by=reply_by,
        owed_by_org=owed_by or cast.dept,
        issued_org=cast.bureau,
        issued_by=cast.officer,
    )


def instruction(case, cast, *, commit_by: date):
    from xinfang.supervision.models import Instruction

    return Instruction.objects.create(
        case=case,
        text="请依法妥善处理，一周内报结果。",
        commit_by=commit_by,
        owed_by_org=cast.dept,
        issued_org=cast.county,
        issued_by=cast.leader,
    )
