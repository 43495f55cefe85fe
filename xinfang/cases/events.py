"""The one way a case's history is written.

``record`` writes the ``CaseEvent`` and, in the same transaction, one
outbox entry per registered consumer (``cases.outbox``): notifications,
webhooks, search indexing and statistics rollups read events from there, so
nothing that happened can be missed by them or seen before it committed.
Actions (``cases.actions``), registration and attachments all call it; a
repository test keeps ``CaseEvent.objects.create`` out of every other module.
"""

from __future__ import annotations

from datetime import datetime

from xinfang.cases import outbox
from xinfang.cases.models import CaseEvent
from xinfang.core import clock
from xinfang.orgs.actors import Actor, ActorKind, as_actor


def record(
    case,
    action: str,
    *,
    actor,
    note: str = "",
    notice: str = "",
    document: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one event to ``case``'s history (inside the action's transaction)."""
    who: Actor = as_actor(actor)
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        actor_kind=who.kind,
        actor=who.user if who.is_staff_member else None,
        actor_org=who.org,
        actor_petitioner_id=who.petitioner_id if who.kind == ActorKind.PETITIONER else None,
        actor_name="" if who.kind == ActorKind.STAFF else who.name,
        at=at or clock.now(),
        from_status=from_status,
        to_status=case.status if to_status is None else to_status,
        note=note,
        notice=notice,
        document=document,
        data=data or {},
    )
    outbox.enqueue(event)
    return event
