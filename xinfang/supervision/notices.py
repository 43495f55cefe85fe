"""The notifications of supervision, urging and instructions (kinds seeded by this app's migration).

Every recipient list goes through ``recipients.exclude_accused``: an
accusation's items never notify the accused unit or person. The dedupe keys
name the item and what happened, so a retried action notifies no one twice.
"""

from __future__ import annotations

from xinfang.notifications import notify
from xinfang.orgs.models import Role
from xinfang.supervision.models import UrgingTarget
from xinfang.supervision.recipients import exclude_accused, unit_recipients, unit_staff

SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.PETITION_OFFICER, Role.UNIT_HEAD, Role.LEADER)


def _send(kind, case, users, *, dedupe, context, actor) -> int:
    users = exclude_accused(case, users)
    if not users:
        return 0
    return notify(kind, case=case, users=users, context=context, dedupe=dedupe, actor=actor)


def _issuers(item) -> list[int]:
    """Who is told on the supervising side: the person who issued it, else the org's supervising staff."""
    if item.issued_by_id:
        return [item.issued_by_id]
    return unit_staff(item.issued_org, *SUPERVISOR_ROLES)


def _opened_context(item) -> dict:
    return {
        "issued_org": item.issued_org.name,
        "kind": item.get_kind_display(),
        "reason": item.reason,
        "due_on": f"{item.due_on:%Y-%m-%d}",
        "report_every_days": item.report_every_days or "",
        "next_report_on": f"{item.next_report_on:%Y-%m-%d}" if item.next_report_on else "",
    }


def supervision_opened(item, *, actor) -> int:
    case = item.case
    if item.owed_by_org_id == item.issued_org_id:
        return 0  # listed while the listing bureau still holds the case: told when the case moves (consumer)
    return _send(
        "supervision.opened",
        case,
        unit_recipients(case, item.owed_by_org),
        dedupe=f"supervision:{item.pk}:opened:{item.owed_by_org_id}",
        context=_opened_context(item),
        actor=actor,
    )


def supervision_escalated(item, *, actor) -> int:
    """The higher level's item: its supervising staff and the supervised unit are both told."""
    case = item.case
    sent = _send(
        "supervision.opened",
        case,
        unit_recipients(case, item.owed_by_org),
        dedupe=f"supervision:{item.pk}:opened:{item.owed_by_org_id}",
        context=_opened_context(item),
        actor=actor,
    )
    return sent + _send(
        "supervision.opened",
        case,
        unit_staff(item.issued_org, *SUPERVISOR_ROLES),
        dedupe=f"supervision:{item.pk}:escalated",
        context=_opened_context(item),
        actor=actor,
    )


def supervision_reported(item, report, *, actor) -> int:
    return _send(
        "supervision.reported",
        item.case,
        _issuers(item),
        dedupe=f"supervision:{item.pk}:report:{report.pk}",
        context={"org": report.org.name, "report_kind": report.get_kind_display(), "text": report.text},
        actor=actor,
    )


def supervision_continued(item, note, *, actor) -> int:
    return _send(
        "supervision.continued",
        item.case,
        unit_recipients(item.case, item.owed_by_org),
        dedupe=f"supervision:{item.pk}:continued:v{item.version}",
        context={"issued_org": item.issued_org.name, "due_on": f"{item.due_on:%Y-%m-%d}", "note": note},
        actor=actor,
    )


def urging_issued(slip, *, actor) -> int:
    if slip.target == UrgingTarget.CO_FEEDBACK:
        # A co-unit's part has no named handler on the case: all who may report it are told.
        users = unit_staff(slip.owed_by_org, Role.PETITION_OFFICER, Role.UNIT_HEAD, Role.HANDLER)
    else:
        users = unit_recipients(slip.case, slip.owed_by_org)
    return _send(
        "urging.issued",
        slip.case,
        users,
        dedupe=f"urging:{slip.pk}:issued",
        context={"issued_org": slip.issued_org.name, "subject": slip.subject, "reply_by": f"{slip.reply_by:%Y-%m-%d}"},
        actor=actor,
    )


def urging_answered(slip, *, actor) -> int:
    return _send(
        "urging.answered",
        slip.case,
        [slip.issued_by_id],
        dedupe=f"urging:{slip.pk}:answered",
        context={"org": slip.owed_by_org.name, "reply": slip.reply},
        actor=actor,
    )


def instruction_recorded(instruction, *, actor) -> int:
    case = instruction.case
    users = unit_recipients(case, instruction.owed_by_org)
    if instruction.to_user_id:
        users = [instruction.to_user_id, *users]
    return _send(
        "instruction.recorded",
        case,
        users,
        dedupe=f"instruction:{instruction.pk}:recorded",
        context={
            "leader": instruction.issued_by.display_name if instruction.issued_by_id else instruction.issued_org.name,
            "text": instruction.text,
            "commit_by": f"{instruction.commit_by:%Y-%m-%d}",
        },
        actor=actor,
    )


def instruction_reported(instruction, *, actor) -> int:
    return _send(
        "instruction.reported",
        instruction.case,
        [instruction.issued_by_id],
        dedupe=f"instruction:{instruction.pk}:reported",
        context={"org": instruction.owed_by_org.name, "report": instruction.report},
        actor=actor,
    )
