"""Bringing in a case from a historical ledger (历史台账导入) in the state the ledger records.

The case is registered as any other (``do_register``: same numbering, the first clock on the
rules and official calendar of its received day), then moved to its recorded state with the
ledger's dates: each clock met on the day the ledger says, the next one started on that day,
so deadlines are those the law in force then gave. The history says it was imported.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from xinfang.cases import deadlines, events
from xinfang.cases.actions.intake import Registration, do_register
from xinfang.cases.models import Case, CaseOrg
from xinfang.cases.states import ParticipantRole, Status, TrackedAction
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.orgs.models import Org


@dataclass
class History:
    """What the ledger says happened after receipt (none of it: still to be decided)."""

    ledger_number: str
    unit: Org | None = None  # the unit that handled it (责任单位)
    decided_at: datetime | None = None  # 受理
    closed_at: datetime | None = None  # 办结
    satisfaction: str = ""


def do_import_historical(reg: Registration, history: History, *, actor) -> Case:
    """Register ``reg`` and bring the case to the state ``history`` records (in one transaction)."""
    with transaction.atomic():
        case = do_register(reg, actor=actor)
        from_status = case.status
        if history.decided_at is not None and history.unit is not None:
            _decide(case, history.unit, history.decided_at)
            if history.closed_at is not None:
                deadlines.meet(case, Clock.HANDLING, history.closed_at)
                case.status = Status.CLOSED
        deadlines.sync(case, save=False)
        case.version += 1
        case.save()
        data = {"ledger_number": history.ledger_number}
        if history.unit is not None:
            data["unit"] = history.unit.name
        for key in ("decided_at", "closed_at"):
            value = getattr(history, key)
            if value is not None:
                data[key] = clock.local_date(value).isoformat()
        if history.satisfaction:
            data["satisfaction"] = history.satisfaction
        events.record(
            case,
            TrackedAction.LEDGER_IMPORTED,
            actor=actor,
            from_status=from_status,
            note=f"自历史台账导入（台账编号{history.ledger_number}）",
            data=data,
        )
    return case


def _decide(case: Case, unit: Org, decided_at: datetime) -> None:
    deadlines.meet(case, Clock.ROUTING if case.status == Status.REGISTERED else Clock.ACCEPTANCE, decided_at)
    case.status = Status.HANDLING
    case.current_org = unit
    case.competent_org = unit
    if unit.pk != case.registered_org_id:
        CaseOrg.objects.create(case=case, org=unit, role=ParticipantRole.COMPETENT)
    deadlines.start(case, Clock.HANDLING, clock.local_date(decided_at), org=unit)
