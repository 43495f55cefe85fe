"""Turning cases, events, deadlines and petitioners into API dicts."""

from xinfang.cases import deadlines as case_deadlines
from xinfang.cases.actions.intake import as_registered
from xinfang.cases.due import due_state
from xinfang.cases.spec import available_actions, spec_for
from xinfang.cases.states import Action, ParticipantRole, Status
from xinfang.clock.models import Clock, DeadlineStatus
from xinfang.core import clock

API_ROOT = "/api/v1"


def org_ref(org):
    return {"id": org.pk, "name": org.name} if org is not None else None


def user_ref(user):
    return {"id": user.pk, "name": user.display_name} if user is not None else None


def _label(enum, value):
    try:
        return enum(value).label if value else ""
    except ValueError:
        return value


def _days_left(due, today):
    return (due - today).days if due else None


def case_summary(case, today=None) -> dict:
    today = today or clock.today()
    category = case.category
    return {
        "id": case.pk,
        "number": case.number,
        "version": case.version,
        "status": case.status,
        "status_label": case.get_status_display(),
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "category": {"code": category.code, "name": str(category)} if category else None,
        "urgency": case.urgency,
        "urgency_label": case.get_urgency_display(),
        "importance": case.importance,
        "importance_label": case.get_importance_display(),
        "summary": case.summary,
        "received_at": case.received_at,
        "current_org": org_ref(case.current_org),
        "handler": user_ref(case.handler),
        "due_date": case.due_date,
        "due_clock": case.due_clock,
        "due_clock_label": _label(Clock, case.due_clock),
        "due_provisional": case.due_provisional,
        "target_date": case.target_date,
        "window_until": case.window_until,
        "days_left": _days_left(case.due_date, today),
        "due_state": due_state(case, today).state,
        "overdue": due_state(case, today).overdue,
    }


def deadline_dict(d, today=None) -> dict:
    today = today or clock.today()
    return {
        "id": d.pk,
        "clock": d.clock,
        "clock_label": d.get_clock_display(),
        "org": org_ref(d.org),
        "start": d.start,
        "rule": d.describe_rule(),
        "due_date": d.due_date,
        "target_date": d.target_date,
        "extension_days": d.extension_days,
        "paused": d.paused,
        "provisional": d.provisional,
        "status": d.status,
        "status_label": d.get_status_display(),
        "met_at": d.met_at,
        "days_left": _days_left(d.due_date, today) if d.status == DeadlineStatus.OPEN else None,
    }


def deadlines_of(case, today=None) -> list[dict]:
    today = today or clock.today()
    rows = as_registered(case, "deadlines")
    if rows is None:
        rows = case_deadlines.case_deadlines(case).select_related("org")
    return [deadline_dict(d, today) for d in rows]


def action_links(user, case) -> list[dict]:
    return [
        {
            "action": a,
            "label": Action(a).label,
            "method": "POST",
            "path": f"{API_ROOT}/cases/{case.pk}/{spec_for(a).api_path}",
        }
        for a in available_actions(user, case)
    ]


def case_detail(case, user) -> dict:
    today = clock.today()
    data = case_summary(case, today)
    participants = as_registered(case, "participants")
    if participants is None:
        participants = list(case.participants.select_related("org"))
    links = as_registered(case, "case_petitioners")
    if links is None:
        links = list(case.case_petitioners.select_related("petitioner").order_by("pk"))
    data.update(
        content=case.content,
        person_count=case.person_count,
        place_code=case.place_code,
        place_name=case.place_name,
        is_collective=case.is_collective,
        is_skip_level=case.is_skip_level,
        referring_org=org_ref(case.referring_org),
        referring_ref=case.referring_ref,
        leader_instruction=case.leader_instruction,
        accused_name=case.accused_name,
        accused_org=org_ref(case.accused_org),
        registered_org=org_ref(case.registered_org),
        registered_at=case.registered_at,
        routing_org=org_ref(case.routing_org),
        competent_org=org_ref(case.competent_org),
        co_orgs=[org_ref(p.org) for p in participants if p.role == ParticipantRole.CO],
        review_org=org_ref(case.review_org),
        reexam_org=org_ref(case.reexam_org),
        is_assigned=case.is_assigned,
        repeat_of=case.repeat_of_id,
        accepted_on=case.accepted_on,
        decline_reason=case.decline_reason,
        redirect_channel=case.redirect_channel,
        extension_days=case.extension_days,
        extension_requested_days=case.extension_requested_days,
        extension_reason=case.extension_reason,
        hearing_open=case.hearing_open,
        reply_decision=case.reply_decision,
        reply_draft=case.reply_draft,
        replied_on=case.replied_on,
        reply_delivered_on=case.reply_delivered_on,
        evaluation=case.evaluation,
        evaluation_source=case.evaluation_source,
        closed_on=case.closed_on,
        review_decision=case.review_decision,
        review_delivered_on=case.review_delivered_on,
        reexam_decision=case.reexam_decision,
        final_on=case.final_on,
        petitioners=[
            {
                "id": link.petitioner_id,
                "name": link.petitioner.name,
                "id_masked": link.petitioner.id_masked,
                "is_representative": link.is_representative,
            }
            for link in links
        ],
        deadlines=deadlines_of(case, today),
        available_actions=action_links(user, case),
    )
    return data


def event_dict(e) -> dict:
    return {
        "id": e.pk,
        "action": e.action,
        "action_label": e.get_action_display(),  # the workflow's and the apps' (TrackedAction) labels
        "at": e.at,
        "actor_kind": e.actor_kind,
        "actor_label": e.actor_display,
        "actor": user_ref(e.actor),
        "actor_org": org_ref(e.actor_org),
        "from_status": e.from_status,
        "from_status_label": _label(Status, e.from_status),
        "to_status": e.to_status,
        "to_status_label": _label(Status, e.to_status),
        "note": e.note,
        "notice": e.notice,
        "notice_label": e.get_notice_display() if e.notice else "",
        "document": e.document,
        "data": e.data or {},
    }


def attachment_dict(a) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": a.uploaded_at,
        "uploaded_by": user_ref(a.uploaded_by),
    }


def petitioner_dict(p) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": p.name,
        "id_masked": p.id_masked,
        "uscc": p.uscc,
        "phones": [phone.masked for phone in p.phones.all()],
        "org": org_ref(p.org),
    }
