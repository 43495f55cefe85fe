"""The escalation sweep: for each rule in force, the items whose trigger arrived, notified once, carded once.

Cost is proportional to the items that came due: per rule, one indexed
range query on the due date from the rule's ``SweepCursor`` to today's
threshold (``rules.threshold``), plus the items created since the last run
whose due date the cursor had already passed (``pk > max_pk``, a primary-key
range). Each item is re-read under a row lock and handled in its own
transaction (notify + card); notify's dedupe key and the card's unique key
make a re-run (a killed sweep, two workers) harmless. The cursor moves
after the rule's items are done, so a sweep killed midway is redone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.routing_policy import in_reach
from xinfang.clock.workcalendar import get_work_calendar
from xinfang.core import clock
from xinfang.escalation import cards
from xinfang.escalation.models import EscalationRule, Record, SweepCursor, Timing
from xinfang.escalation.rules import RuleSetResolver, relevant_from, rules_in_force, threshold
from xinfang.escalation.sources import Item, Source, source_for
from xinfang.notifications import notify
from xinfang.orgs.actors import Actor
from xinfang.orgs.models import Org, Role, User

log = logging.getLogger(__name__)

BATCH = 500
# How far back (in due dates) an item created after the cursor passed its date is still caught by an
# "overdue" rule; "before"/"due today" rules only ever look at items not yet past due.
LATE_ARRIVAL_DAYS = 31
ACTOR = Actor.system("督办升级")


@dataclass
class RuleResult:
    rule: str
    considered: int = 0
    notified: int = 0
    cards: int = 0


@dataclass
class SweepResult:
    today: date
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def considered(self) -> int:
        return sum(r.considered for r in self.rules)

    @property
    def notified(self) -> int:
        return sum(r.notified for r in self.rules)

    @property
    def cards(self) -> int:
        return sum(r.cards for r in self.rules)

    def __str__(self) -> str:
        return (
            f"{self.today.isoformat()} rules={len(self.rules)} items={self.considered}"
            f" notified={self.notified} cards={self.cards}"
        )


class _People:
    """Per-sweep caches of who holds a role at an org."""

    def __init__(self) -> None:
        self._by_role: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def at(self, org_id: int | None, role: str) -> list[tuple[int, int]]:
        if org_id is None:
            return []
        key = (org_id, role)
        if key not in self._by_role:
            self._by_role[key] = list(
                User.objects.filter(org_id=org_id, is_active=True, role_grants__role=role)
                .order_by("pk")
                .values_list("pk", "org_id")
                .distinct()
            )
        return self._by_role[key]


def recipients(rule: EscalationRule, item: Item, case: Case, people: _People) -> list[int]:
    """The users to tell, in order, without the accused (an accusation's content never reaches them)."""
    found: list[tuple[int, int | None]] = []
    if rule.to_handler and case.handler_id:
        found.append((case.handler_id, None))
    if rule.to_unit_head:
        found += people.at(item.org_id, Role.UNIT_HEAD)
    if rule.to_routing_officer:
        found += people.at(case.routing_org_id, Role.PETITION_OFFICER)
    if rule.to_issuer and item.issued_by_id and item.source != "instruction":
        found.append((item.issued_by_id, None))
    if rule.to_leader and item.issued_by_id and item.source == "instruction":
        found.append((item.issued_by_id, None))
    ids: list[int] = []
    for pk, _org in found:
        if pk not in ids:
            ids.append(pk)
    if case.is_accusation and ids:
        ids = _without_accused(case, ids)
    return ids


def _without_accused(case: Case, ids: list[int]) -> list[int]:
    orgs = dict(User.objects.filter(pk__in=ids).values_list("pk", "org_id"))
    org_objs = Org.objects.in_bulk([o for o in orgs.values() if o])
    keep = []
    for pk in ids:
        if pk == case.accused_user_id:
            continue
        org = org_objs.get(orgs.get(pk) or 0)
        if org is not None and in_reach(case, org):
            continue
        keep.append(pk)
    return keep


def _context(rule: EscalationRule, source: Source, item: Item, today: date, org_name: str) -> dict:
    return {
        "clock_label": source.label,
        "due_date": item.due.isoformat(),
        "days_left": (item.due - today).days,
        "days_overdue": (today - item.due).days,
        "rule_name": rule.name,
        "owing_org": org_name,
    }


def _reason(rule: EscalationRule, source: Source, item: Item, today: date) -> str:
    late = (today - item.due).days
    # No case content in the reason: a card is shown on the unit's register.
    return (
        f"{source.label}（期限 {item.due.isoformat()}）逾期 {late} 天未办结"
        if late > 0
        else f"{source.label}到期未办结"
    )


def handle_item(
    rule: EscalationRule, source: Source, item: Item, case: Case, today: date, people: _People, org_names: dict
) -> tuple[int, int]:
    """Notify and card one item, in one transaction; returns (notifications, cards) written."""
    with transaction.atomic():
        if not source.still_due(item):
            return 0, 0
        users = recipients(rule, item, case, people)
        sent = 0
        if users:
            sent = notify(
                rule.kind.code,
                case=case,
                users=users,
                context=_context(rule, source, item, today, org_names.get(item.org_id, "")),
                dedupe=f"esc:{rule.pk}:{source.code}:{item.pk}:v{item.version}",
                actor=ACTOR,
            )
        made = 0
        if rule.record == Record.YELLOW:
            card = cards.issue_yellow(
                rule=rule,
                source=source.code,
                object_id=item.pk,
                version=item.version,
                org_id=item.org_id,
                case_id=item.case_id,
                due=item.due,
                reason=_reason(rule, source, item, today),
            )
            made = int(card is not None)
        return sent, made


def _chunks(items: list[Item], n: int) -> Iterable[list[Item]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def sweep_rule(
    rule: EscalationRule, today: date, resolver: RuleSetResolver, people: _People | None = None
) -> RuleResult:
    people = people or _People()
    result = RuleResult(rule.code)
    source = source_for(rule.clock)
    if source is None:
        return result  # a tracked kind whose app is not installed
    cal = get_work_calendar() if rule.working else None
    hi = threshold(rule, today, cal)  # type: ignore[arg-type]
    floor = relevant_from(rule, today)
    cursor = SweepCursor.objects.filter(rule=rule).first()
    top_pk = source.max_pk()
    if cursor is None:
        # First run of a rule: what arrives from today on, not the whole past (a new rule
        # would otherwise remind every open item at once).
        lo = threshold(rule, today - timedelta(days=1), cal)  # type: ignore[arg-type]
        seen_pk = top_pk
    else:
        lo, seen_pk = min(cursor.through_date, hi), cursor.max_pk
    items = source.rows(source.due_between(lo, hi, floor=floor))
    if cursor is not None and seen_pk < top_pk:
        late_floor = floor if floor is not None else lo - timedelta(days=LATE_ARRIVAL_DAYS)
        items += source.rows(source.due_between(None, lo, min_pk=seen_pk, floor=late_floor))
    resolved: dict[int, bool] = {}
    for batch in _chunks(items, BATCH):
        mine = []
        for it in batch:
            ok = resolved.get(it.org_id)
            if ok is None:
                ok = resolved[it.org_id] = resolver.rule_set_id(it.org_id) == rule.rule_set_id
            if ok:
                mine.append(it)
        if not mine:
            continue
        related = Case.objects.select_related("current_org", "accused_org", "accused_user")
        cases_by_id = related.in_bulk({it.case_id for it in mine})
        org_names = dict(Org.objects.filter(pk__in={it.org_id for it in mine}).values_list("pk", "name"))
        for it in mine:
            case = cases_by_id.get(it.case_id)
            if case is None:
                continue
            result.considered += 1
            sent, made = handle_item(rule, source, it, case, today, people, org_names)
            result.notified += sent
            result.cards += made
    SweepCursor.objects.update_or_create(
        rule=rule,
        defaults={
            "through_date": max(hi, lo),
            "max_pk": max(top_pk, seen_pk),
            "swept_at": clock.now(),
            "last_items": result.considered,
        },
    )
    return result


def run_sweep(today: date | None = None) -> SweepResult:
    """Run every active rule in force ``today`` (default: the clock's today). Idempotent."""
    today = today or clock.today()
    result = SweepResult(today)
    resolver = RuleSetResolver(today)
    people = _People()
    for rule in rules_in_force(today):
        result.rules.append(sweep_rule(rule, today, resolver, people))
    log.info("escalation sweep %s", result)
    return result


__all__ = ["Timing", "run_sweep", "sweep_rule"]
