"""The history entry of an app above cases (supervision, urging, instructions, escalation).

Those apps keep their own rows and rules; what they do to a case is told in
its history like any action: under the case's row lock, the version moved on
(the version counts the events, and open action forms notice), one event
through ``events.record`` (so the hash chain and the outbox see it).
"""

from django.db import transaction

from xinfang.cases import events
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.states import TrackedAction


def record_for_app(case: Case, action: str, *, actor, note: str = "", data: dict | None = None) -> CaseEvent:
    """Append a ``TrackedAction`` event to ``case``, which the caller holds locked (``access_case(for_write=True)``)."""
    if action not in TrackedAction.values:
        raise ValueError(f"{action} is not an app's history action (cases.states.TrackedAction)")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_for_app must run inside the action's transaction")
    case.version += 1
    case.save(update_fields=["version", "updated_at"])
    return events.record(case, action, actor=actor, from_status=case.status, note=note, data=data)
