"""挂牌督办 required by rule: the listing rules (data with effective dates) applied to a case.

``apply_listing(case)`` opens one listed supervision item per rule in force
whose condition the case meets, unless the case already has an item from
that rule (idempotent: the outbox may deliver an event twice, and a case is
checked again when a leader instructs on it). The listing org is the
petition bureau of the government at the rule's level above the unit
holding the case.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q

from xinfang.cases.access import access_case
from xinfang.core import clock
from xinfang.orgs.actors import Actor
from xinfang.supervision import rules
from xinfang.supervision.models import Instruction, ListingCondition, ListingRule, SupervisionItem, SupervisionKind

SYSTEM = "挂牌督办规则"


def rules_in_force(on: date | None = None):
    on = on or clock.today()
    return ListingRule.objects.filter(is_active=True, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def meets(case, condition: str) -> bool:
    if condition == ListingCondition.REPEAT:
        return case.repeat_of_id is not None
    if condition == ListingCondition.COLLECTIVE:
        return case.is_collective
    if condition == ListingCondition.INSTRUCTED:
        return bool(case.leader_instruction.strip()) or Instruction.objects.filter(case=case).exists()
    if condition == ListingCondition.REFERRED:
        return case.referring_org_id is not None
    return False


def listing_org(case, rule: ListingRule):
    """The petition bureau of the government at ``rule.level`` over the unit holding the case."""
    unit = rules.holder(case)
    for org in unit.ancestors(include_self=True).order_by("-depth"):
        if org.level == rule.level:
            return rules.bureau_of(rules.home_government(org))
    return None


def _applies(rule: ListingRule, case) -> bool:
    return rule.org is None or rules.holder(case).is_within(rule.org)


def apply_listing(case_id, *, on: date | None = None) -> list[SupervisionItem]:
    """Open the listed items the rules in force require of this case; returns those opened now."""
    from xinfang.supervision.actions import do_open_supervision

    system = Actor.system(SYSTEM)
    opened = []
    with transaction.atomic():
        case = access_case(system, case_id, for_write=True)
        if not case.is_open:
            return []
        taken = set(SupervisionItem.objects.filter(case=case).values_list("listing_rule_id", flat=True))
        for rule in rules_in_force(on).order_by("pk"):
            if rule.pk in taken or not _applies(rule, case) or not meets(case, rule.condition):
                continue
            org = listing_org(case, rule)
            if org is None:
                continue
            if SupervisionItem.objects.filter(
                case=case, issued_org=org, status="open", kind=SupervisionKind.LISTED
            ).exists():
                continue  # already listed by that bureau (another rule): one listing per bureau
            opened.append(
                do_open_supervision(
                    case,
                    actor=system,
                    kind=SupervisionKind.LISTED,
                    reason=f"按“{rule.name}”规则挂牌督办（{rule.get_condition_display()}）",
                    due_on=clock.today() + timedelta(days=rule.due_days),
                    report_every_days=rule.report_every_days,
                    listing_rule=rule,
                    issued_org=org,
                )
            )
            taken.add(rule.pk)
    return opened
