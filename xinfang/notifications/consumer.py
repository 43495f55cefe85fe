"""The notifications consumer of the case-event outbox (``cases.outbox``).

It runs inside the outbox's transaction for the entry, so what it writes
(consent rows, notifications, deliveries) commits together with the entry's
"done" mark: an event is turned into notifications once, never lost.

* **Registration**: the petitioners who consented to SMS notices
  (the event's ``sms_consent`` data) get a ``SmsConsent`` row.
* **The notices the law owes the petitioner** (受理、不予受理、延期、答复: an
  event with one of those ``notice`` codes): kind ``notice.<code>`` to every
  petitioner on the case; ``notify`` sends the SMS only to those who consented.
* **A case routed to a unit** (交办/转送): kind ``case.routed`` to the receiving
  unit's petition officers, when the case is still there.
* **A handler named** (受理 or 指定承办人): kind ``case.handler`` to the handler.

Events older than ``NOTIFY_EVENT_MAX_AGE_DAYS`` (a restored backup, imported
history, the demo's past) record consent but notify no one.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from xinfang.cases.states import Action, Notice, TrackedAction
from xinfang.core import clock
from xinfang.notifications.models import NotificationKind, SmsConsent
from xinfang.notifications.services import notify

NAME = "notifications"
DESCRIPTION = "通知：法定告知短信、交转办和承办提醒"

PETITIONER_NOTICES = frozenset({Notice.ACCEPTANCE, Notice.DECLINE, Notice.EXTENSION, Notice.REPLY})


def on_case_event(event) -> None:
    case = event.case
    if event.action == Action.REGISTER:
        record_consent(event)
    if event.at < clock.now() - timedelta(days=settings.NOTIFY_EVENT_MAX_AGE_DAYS):
        return
    if event.notice in PETITIONER_NOTICES:
        _petitioner_notice(event, case)
    if event.action in (Action.ASSIGN, Action.FORWARD):
        _routed(event, case)
    if _names_current_handler(event, case) and _on("case.handler"):
        notify(
            "case.handler",
            case=case,
            users=[case.handler_id],
            dedupe=f"event:{event.pk}:handler",
            context={"actor": event.actor_name},
        )


def _names_current_handler(event, case) -> bool:
    """The event named the case's handler, and no later event named another.

    The handler is read from the case when the entry is consumed, so an
    acceptance that named no one, or a naming since superseded, must not
    tell today's handler a second time (or tell them of someone else's).
    """
    if event.action not in (Action.ACCEPT, Action.ASSIGN_HANDLER) or not case.handler_id:
        return False
    if event.action == Action.ACCEPT and not (event.data or {}).get("handler"):
        return False
    later = case.events.filter(pk__gt=event.pk, action__in=[Action.ACCEPT, Action.ASSIGN_HANDLER])
    return not any(e.action == Action.ASSIGN_HANDLER or (e.data or {}).get("handler") for e in later)


def _on(code: str) -> bool:
    """The kind exists and is active (an administrator switches a kind off with 启用)."""
    return NotificationKind.objects.filter(code=code, is_active=True).exists()


def record_consent(event) -> int:
    """The SmsConsent rows of a registration event (idempotent)."""
    ids = [int(i) for i in (event.data or {}).get("sms_consent", []) if str(i).isdigit()]
    if not ids:
        return 0
    rows = [
        SmsConsent(case_id=event.case_id, petitioner_id=pid, consented=True, recorded_at=event.at, event=event)
        for pid in ids
    ]
    SmsConsent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _ensure_consent(case) -> None:
    """Should the registration's entry not have run yet (it is retrying), take consent from its event."""
    if SmsConsent.objects.filter(case=case).exists():
        return
    register = case.events.filter(action=Action.REGISTER).order_by("pk").first()
    if register is not None:
        record_consent(register)


def _petitioner_notice(event, case) -> None:
    code = f"notice.{event.notice}"
    if not _on(code):
        return
    _ensure_consent(case)
    petitioners = list(case.case_petitioners.values_list("petitioner_id", flat=True))
    notify(
        code,
        case=case,
        petitioners=petitioners,
        dedupe=f"event:{event.pk}:notice",
        context={"notice": Notice(event.notice).label, "org_name": getattr(event.actor_org, "name", "")},
    )


def _routed(event, case) -> None:
    # Supervision's history entries (TrackedAction) do not move the case: a listing
    # recorded after the routing is no reason to stay silent.
    latest = case.events.exclude(action__in=TrackedAction.values).order_by("-pk").values_list("pk", flat=True).first()
    if latest != event.pk or not _on("case.routed"):
        return  # the case has moved on since: the unit has nothing waiting
    from xinfang.orgs.models import Role, User

    officers = (
        User.objects.filter(org=case.current_org, is_active=True, role_grants__role=Role.PETITION_OFFICER)
        .exclude(pk=case.accused_user_id)
        .values_list("pk", flat=True)
    )
    notify(
        "case.routed",
        case=case,
        users=list(officers),
        dedupe=f"event:{event.pk}:routed",
        context={"action": Action(event.action).label, "actor": event.actor_name, "from_org": _org_name(event)},
    )


def _org_name(event) -> str:
    return getattr(event.actor_org, "name", "") if event.actor_org_id else ""
