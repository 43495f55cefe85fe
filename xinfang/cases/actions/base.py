"""What every action does: lock, check, change, record, notify on commit."""

import logging

from django.db import transaction

from xinfang.cases import deadlines
from xinfang.cases.access import access_case
from xinfang.cases.errors import Conflict, InvalidTransition, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.cases.permissions import check
from xinfang.cases.states import ALTERNATE_TARGETS, TRANSITIONS
from xinfang.core import clock

log = logging.getLogger("xinfang.notify")


def lock(case_or_id, actor, action, *, expected_version=None):
    """Re-read the case under a row lock, through the access layer, and check the action.

    Must be called inside transaction.atomic(). A stale `expected_version`
    means someone else acted since the form was opened.
    """
    case_id = getattr(case_or_id, "pk", case_or_id)
    if actor is None:
        from xinfang.cases.models import Case

        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
    else:
        case = access_case(actor, case_id, for_write=True)
    if expected_version is not None and int(expected_version) != case.version:
        raise Conflict("该信访件已被他人更新，请刷新页面核对后重试（您填写的内容已保留）")
    allowed_from, _to = TRANSITIONS[action]
    if case.status not in allowed_from:
        raise InvalidTransition(check(actor, action, case) or "当前状态不能进行此操作")
    reason = check(actor, action, case)
    if reason:
        raise NotAllowed(reason)
    case._from_status = case.status
    return case


def finish(case, actor, action, *, note="", notice="", document="", data=None, at=None, sync=True, to_status=None):
    """Apply the table's target state (or an allowed alternate), bump the version, write the event."""
    _allowed, default_to = TRANSITIONS[action]
    if to_status is not None and to_status != default_to:
        if to_status not in ALTERNATE_TARGETS.get(action, ()):
            raise ValueError(f"{action} may not lead to {to_status}")
    else:
        to_status = default_to
    if to_status is not None:
        case.status = to_status
    case.version += 1
    if sync:
        deadlines.sync(case, save=False)
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        actor=actor,
        actor_org=actor.org if actor is not None else None,
        at=at or clock.now(),
        from_status=getattr(case, "_from_status", ""),
        to_status=case.status,
        note=note,
        notice=notice,
        document=document,
        data=data or {},
    )
    number, status = case.number, case.status
    transaction.on_commit(lambda: log.info("case %s: %s -> %s", number, action, status))
    return event
