"""What every action does: lock, check (its spec), change, record the event (which fills the outbox)."""

import logging

from django.db import transaction

from xinfang.cases import deadlines, events
from xinfang.cases.access import access_case
from xinfang.cases.errors import Conflict, InvalidTransition, NotAllowed
from xinfang.cases.spec import spec_for
from xinfang.orgs.actors import as_actor

log = logging.getLogger("xinfang.notify")

# The API says this; the case page adds that the typed text was kept (it re-renders the form).
STALE = "该信访件已被他人更新，请刷新后核对再办理"


def lock(case_or_id, actor, action, *, expected_version=None):
    """Re-read the case under a row lock, through the access layer, and check the action.

    Must be called inside transaction.atomic(). A stale `expected_version`
    means someone else acted since the form was opened.
    """
    actor = as_actor(actor)  # refuses None: every action names who acts
    case_id = getattr(case_or_id, "pk", case_or_id)
    case = access_case(actor, case_id, for_write=True)
    if expected_version is not None and int(expected_version) != case.version:
        raise Conflict(STALE)
    spec = spec_for(action)
    reason = spec.check(actor, case)
    if case.status not in spec.allowed_from:
        raise InvalidTransition(reason or "当前状态不能进行此操作")
    if reason:
        raise NotAllowed(reason)
    case._from_status = case.status
    return case


def finish(case, actor, action, *, note="", notice="", document="", data=None, at=None, sync=True, to_status=None):
    """Apply the spec's target state (or a declared alternate), bump the version, write the event."""
    spec = spec_for(action)
    default_to = spec.to
    if to_status is not None and to_status != default_to:
        if to_status not in spec.alternates:
            raise ValueError(f"{action} may not lead to {to_status}")
    else:
        to_status = default_to
    if to_status is not None:
        case.status = to_status
    case.version += 1
    if sync:
        deadlines.sync(case, save=False)
    case.save()
    event = events.record(
        case,
        action,
        actor=actor,
        at=at,
        from_status=getattr(case, "_from_status", ""),
        note=note,
        notice=notice,
        document=document,
        data=data,
    )
    number, status = case.number, case.status
    transaction.on_commit(lambda: log.info("case %s: %s -> %s", number, action, status))
    return event
