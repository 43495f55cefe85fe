"""Bringing in cases from a historical ledger (历史台账导入) in the state the ledger records.

One case (``do_import_historical``): registered as any other (``do_register``: same numbering,
the first clock on the rules and official calendar of its received day), then moved to its
recorded state with the ledger's dates: each clock met on the day the ledger says, the next one
started on that day, so deadlines are those the law in force then gave. The history says it
was imported.

Many cases (``do_import_historical_many``, a ledger import's batch of hundreds): the same rows,
written a table at a time. Per row the other path spends about 30 queries (the counter, the
rule set of each clock's org and day, a read and an update per met clock, the chain's head, an
outbox insert per event); here the rules are resolved once per org and stretch of days
(``RuleBook``), the deadlines are planned in memory with the same pure functions
(``deadlines.plan``: the clock engine's due dates on the stored calendar) already met where the
ledger says so, and cases, participants, deadlines and events (``events.record_many``, with
their outbox entries) go in with one insert each (``events.insert_objects``, not ``bulk_create``,
whose compiling of 60 columns a case cost more than the insert). The case numbers come from the
same locked counter as any registration, a year's block in one statement
(``numbering.next_case_numbers``).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from xinfang.cases import deadlines, events
from xinfang.cases.actions.intake import (
    MAX_REPRESENTATIVES,
    Registration,
    _registration_data,
    _registration_target_key,
    case_from_registration,
    check_text,
    check_values,
    do_register,
)
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import Case, CaseOrg, CasePetitioner
from xinfang.cases.numbering import next_case_numbers
from xinfang.cases.states import Action, Kind, ParticipantRole, Status, TrackedAction
from xinfang.clock.models import Clock, Deadline, DeadlineStatus, OrgRuleSet, RuleSet
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import Org, Role

# The clock's own logger, as deadlines.save_planned logs a provisional deadline.
_log = logging.getLogger("xinfang.clock.services")
# A planned deadline's columns but its key and its created/updated times (events.insert_rows sets those).
_DEADLINE_COLUMNS = tuple(
    f.attname
    for f in Deadline._meta.concrete_fields
    if not f.primary_key and not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
)


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
                case.closed_on = clock.local_date(history.closed_at)
        deadlines.sync(case, save=False)
        case.version += 1
        case.save()
        events.record(
            case,
            TrackedAction.LEDGER_IMPORTED,
            actor=actor,
            from_status=from_status,
            note=_note(history),
            data=_imported_data(history),
        )
    return case


def _decide(case: Case, unit: Org, decided_at: datetime) -> None:
    deadlines.meet(case, Clock.ROUTING if case.status == Status.REGISTERED else Clock.ACCEPTANCE, decided_at)
    case.status = Status.HANDLING
    case.current_org = unit
    case.competent_org = unit
    case.accepted_on = clock.local_date(decided_at)
    if unit.pk != case.registered_org_id:
        CaseOrg.objects.create(case=case, org=unit, role=ParticipantRole.COMPETENT)
    deadlines.start(case, Clock.HANDLING, clock.local_date(decided_at), org=unit)


def _note(history: History) -> str:
    return f"自历史台账导入（台账编号{history.ledger_number}）"


def _imported_data(history: History) -> dict:
    data = {"ledger_number": history.ledger_number}
    if history.unit is not None:
        data["unit"] = history.unit.name
    for key in ("decided_at", "closed_at"):
        value = getattr(history, key)
        if value is not None:
            data[key] = clock.local_date(value).isoformat()
    if history.satisfaction:
        data["satisfaction"] = history.satisfaction
    return data


# --- many cases at once ---------------------------------------------------------------------


class RuleBook:
    """``deadlines.rules_at`` for many (org, day) pairs: resolved once per org and stretch of days.

    Which rule set is in force at an org on a day (``clock.rules.resolve_rule_set``) depends
    on the day only through comparisons with the rule sets' effective dates and the orgs'
    assignment dates. Between two consecutive such dates every day resolves alike, so the
    answer for the first day asked stands for the whole stretch: a ledger spanning twenty
    years costs a few look-ups per unit, not a few per day. ``refresh`` (once per batch)
    starts again when the stored calendar's revision changed, which every edit of a rule
    set, a rule, a target or an assignment bumps (``cases.deadlines._rules_changed``).
    """

    def __init__(self) -> None:
        self.cal = None
        self.refresh()

    def refresh(self) -> None:
        cal = deadlines.calendar()
        if cal is self.cal:
            return
        self.cal = cal
        edges: set[date] = set()
        for start, end in RuleSet.objects.values_list("effective_from", "effective_to"):
            edges.add(start)
            if end is not None:
                edges.add(end + timedelta(days=1))  # the last day is still in force
        edges.update(OrgRuleSet.objects.values_list("effective_from", flat=True))
        self._edges = sorted(edges)
        self._memo: dict[tuple, deadlines.Rules | Exception] = {}

    def at(self, org: Org, day: date) -> deadlines.Rules:
        """The rules in force at ``org`` on ``day``; raises ``RuleNotFound`` as ``rules_at`` does."""
        key = (org.pk, org.path, bisect_right(self._edges, day))
        found = self._memo.get(key)
        if found is None:
            try:
                found = deadlines.rules_at(org, day, self.cal)
            except Exception as exc:  # noqa: BLE001 — remembered and raised again, for every day of the stretch
                found = exc
            self._memo[key] = found
        if isinstance(found, Exception):
            raise found
        return found


def _check(reg: Registration) -> None:
    """``do_register``'s refusals of a registration's values, for the rows a ledger can hold."""
    if reg.kind == Kind.ACCUSATION or reg.referring_org is not None or reg.sms_consent:
        # Recusal, the referring level and SMS consent need do_register's own path, case by case.
        raise ValueError("an accusation, a referred case or SMS consent is imported with do_import_historical")
    check_values(reg)
    if len({p.pk for p, _rep in reg.petitioners}) != len(reg.petitioners):
        raise Invalid("同一信访人不能重复添加", field="petitioners")
    check_text(reg)


def _met(deadline: Deadline, when: datetime) -> None:
    """``services.meet`` on a deadline not yet saved."""
    deadline.status = DeadlineStatus.MET
    deadline.met_at = clock.local_date(when)


def do_import_historical_many(
    items: Sequence[tuple[Registration, History]], *, actor, book: RuleBook | None = None
) -> list[Case]:
    """``do_import_historical`` for each of ``items``, in order, as one transaction of a few statements.

    The registrations must be of petitioners the actor's org may use (a ledger import matches
    or registers them in its own register) and hold no accusation, referring level or SMS
    consent. ``book`` is the caller's ``RuleBook`` kept across batches (refreshed here).
    """
    actor = as_actor(actor)
    if not actor.has_role(Role.REGISTRAR, Role.PETITION_OFFICER):
        raise NotAllowed("只有登记员或受理交办员可以登记信访件")
    org = actor.org
    if org is None:
        raise NotAllowed("您尚未分配所属机构，不能登记")
    if book is None:
        book = RuleBook()
    else:
        book.refresh()
    is_bureau = org.is_petition_bureau
    first_clock = Clock.ROUTING if is_bureau else Clock.ACCEPTANCE
    initial = Status.REGISTERED if is_bureau else Status.TO_DECIDE
    cases: list[Case] = []
    planned: list[list[Deadline]] = []
    links: list[tuple[Case, int, str]] = []  # (case, org id, role), inserted once the cases have keys
    with transaction.atomic():
        for reg, _history in items:
            _check(reg)
        # The numbers of a year in one statement each, handed out in the items' order.
        years = Counter(clock.local_date(reg.received_at).year for reg, _h in items)
        numbers = {year: iter(next_case_numbers(org, year, n)) for year, n in sorted(years.items())}
        for reg, history in items:
            received_day = clock.local_date(reg.received_at)
            rules = book.at(org, received_day)
            first = deadlines.plan(
                first_clock,
                received_day,
                org=org,
                rules=rules,
                cal=book.cal,
                target_key=_registration_target_key(reg, rules),
            )
            clocks = [first]
            case = case_from_registration(reg, org=org, user=actor.user, number=next(numbers[received_day.year]))
            case.version = 2  # the registration and the import: two events
            roles = [ParticipantRole.REGISTERING, ParticipantRole.ROUTING if is_bureau else ParticipantRole.COMPETENT]
            links.extend((case, org.pk, r) for r in roles)
            unit = history.unit
            if history.decided_at is not None and unit is not None:
                decided = clock.local_date(history.decided_at)
                _met(first, history.decided_at)
                clocks.append(
                    deadlines.plan(Clock.HANDLING, decided, org=unit, rules=book.at(unit, decided), cal=book.cal)
                )
                case.status, case.current_org, case.competent_org, case.accepted_on = (
                    Status.HANDLING,
                    unit,
                    unit,
                    decided,
                )
                if unit.pk != org.pk:
                    links.append((case, unit.pk, ParticipantRole.COMPETENT))
                if history.closed_at is not None:
                    _met(clocks[-1], history.closed_at)
                    case.status, case.closed_on = Status.CLOSED, clock.local_date(history.closed_at)
            for name, value in deadlines.governing([d for d in clocks if d.status == DeadlineStatus.OPEN]).items():
                setattr(case, name, value)
            cases.append(case)
            planned.append(clocks)
        events.insert_objects(cases)
        events.insert_rows(
            CasePetitioner,
            [
                {"case_id": case.pk, "petitioner_id": p.pk, "is_representative": rep}
                for case, (reg, _h) in zip(cases, items, strict=True)
                for p, rep in reg.petitioners
            ],
        )
        events.insert_rows(
            CaseOrg, [{"case_id": case.pk, "org_id": org_id, "role": role} for case, org_id, role in links]
        )
        rows = []
        for case, clocks in zip(cases, planned, strict=True):
            for d in clocks:
                d.owner_id = case.pk
                rows.append({name: getattr(d, name) for name in _DEADLINE_COLUMNS})
                if d.provisional:
                    _log.warning(
                        "provisional deadline of case %s (%s, start %s, due %s): calendar year not loaded",
                        case.number,
                        d.clock,
                        d.start,
                        d.due_date,
                    )
        events.insert_rows(Deadline, rows)
        pending = []
        for case, (reg, history) in zip(cases, items, strict=True):
            events.start_chain(case)  # new cases: no look-up of the chains' heads
            representatives = sum(1 for _p, rep in reg.petitioners if rep)
            note = f"代表{representatives}人，超过5人" if representatives > MAX_REPRESENTATIVES else ""
            pending.append(
                events.Pending(case, Action.REGISTER, note=note, data=_registration_data(reg, None), to_status=initial)
            )
            pending.append(
                events.Pending(
                    case,
                    TrackedAction.LEDGER_IMPORTED,
                    from_status=initial,
                    note=_note(history),
                    data=_imported_data(history),
                )
            )
        try:
            events.record_many(pending, actor=actor)
        finally:
            for case in cases:
                events.forget_chain(case)
    return cases
