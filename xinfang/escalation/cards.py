"""Accountability cards (黄牌/红牌) against units: recording, the red-card policy, revocation, reading.

Cards are recorded against the unit that owed the lapsed item, never
against a petitioner. Each change is a ``CardEvent`` in the same
transaction, and an event in the case's own history (``card_issued``,
``card_revoked``), so whoever reads the case sees that a unit was carded
for it and why; revocation is a supervisor's action with a reason.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.http import Http404

from xinfang.cases.access import access_case
from xinfang.cases.actions import record_for_app
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.states import TrackedAction
from xinfang.core import clock
from xinfang.escalation.models import (
    AccountabilityCard,
    CardAction,
    CardColor,
    CardEvent,
    CardPolicy,
    EscalationRule,
    in_effect_q,
)
from xinfang.orgs.access import org_scope
from xinfang.orgs.actors import Actor
from xinfang.orgs.models import Org, Role

SYSTEM_NAME = "系统（督办升级）"
# Locks the card's case for its history event: a supervisor may revoke a card on a case their
# roles do not let them read (an accusation), and the revocation must still reach its history.
_CASE_LOCK = Actor.system("督办升级")


def _record_on_case(card: AccountabilityCard, action: str, *, actor, note: str) -> None:
    """The card's event in its case's history, in the caller's transaction."""
    if card.case_id is None:
        return
    case = access_case(_CASE_LOCK, card.case_id, for_write=True)
    org = Org.objects.filter(pk=card.org_id).values_list("name", flat=True).first() or ""
    record_for_app(
        case,
        action,
        actor=actor,
        note=f"{card.get_color_display()}：{org}（{note}）"[:500],
        data={"card": card.pk, "color": card.color, "org": card.org_id},
    )


def policy_in_force(on: date) -> CardPolicy | None:
    return CardPolicy.objects.filter(in_effect_q(on), is_active=True).order_by("-effective_from", "-pk").first()


def issue_yellow(
    *,
    rule: EscalationRule,
    source: str,
    object_id: int,
    version: str,
    org_id: int,
    case_id: int,
    due: date,
    reason: str,
) -> AccountabilityCard | None:
    """Record a yellow card once per (rule, item, version); return it if new. Runs in the caller's transaction."""
    if AccountabilityCard.objects.filter(
        rule=rule, source=source, object_id=object_id, version=version, color=CardColor.YELLOW
    ).exists():
        return None
    # Serialise the cards of one unit, so two sweeps cannot both miss (or both make) its red card.
    Org.objects.select_for_update().filter(pk=org_id).values_list("pk").first()
    card = AccountabilityCard.objects.create(
        org_id=org_id,
        case_id=case_id,
        color=CardColor.YELLOW,
        rule=rule,
        source=source,
        object_id=object_id,
        version=version,
        due_date=due,
        reason=reason[:200],
    )
    CardEvent.objects.create(card=card, action=CardAction.ISSUED, actor_name=SYSTEM_NAME, note=rule.name[:200])
    _record_on_case(card, TrackedAction.CARD_ISSUED, actor=_CASE_LOCK, note=card.reason)
    apply_policy(card)
    return card


def apply_policy(yellow: AccountabilityCard) -> AccountabilityCard | None:
    """N standing yellow cards of the unit within M days, not yet counted toward a red card, make one."""
    now = clock.now()
    policy = policy_in_force(clock.today())
    if policy is None:
        return None
    counted = AccountabilityCard.objects.standing().filter(
        org_id=yellow.org_id,
        color=CardColor.YELLOW,
        red_card__isnull=True,
        issued_at__gte=now - timedelta(days=policy.within_days),
    )
    ids = list(counted.order_by("issued_at", "pk").values_list("pk", flat=True))
    if len(ids) < policy.yellow_count:
        return None
    red = AccountabilityCard.objects.create(
        org_id=yellow.org_id,
        case_id=yellow.case_id,
        color=CardColor.RED,
        policy=policy,
        reason=f"{policy.within_days} 天内累计 {len(ids)} 张黄牌警告"[:200],
    )
    AccountabilityCard.objects.filter(pk__in=ids).update(red_card=red)
    CardEvent.objects.create(card=red, action=CardAction.ISSUED, actor_name=SYSTEM_NAME, note=policy.name[:200])
    _record_on_case(red, TrackedAction.CARD_ISSUED, actor=_CASE_LOCK, note=red.reason)
    return red


def scoped_cards(user):
    """The cards of the units in the user's org scope (a unit's own register, a supervisor's subtree)."""
    scope = org_scope(user)
    if scope.is_empty:
        return AccountabilityCard.objects.none()
    return AccountabilityCard.objects.filter(scope.q("org"))


def revoke_card(card_id, *, actor, reason: str) -> AccountabilityCard:
    """A supervisor revokes a card in their scope, with a reason (recorded as a CardEvent)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        try:
            pk = int(card_id)
        except (TypeError, ValueError):
            raise Http404("问责记录不存在") from None
        card = scoped_cards(actor).select_for_update().filter(pk=pk).first()
        if card is None:
            raise Http404("问责记录不存在")
        if not actor.has_role(Role.SUPERVISOR):
            raise NotAllowed("只有督查员可以撤销黄牌、红牌。")
        if card.revoked_at is not None:
            raise Invalid("该问责记录已经撤销。")
        if not reason:
            raise Invalid("请填写撤销理由。", field="reason")
        card.revoked_at = clock.now()
        card.revoked_by = actor
        card.revoke_reason = reason[:200]
        card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        CardEvent.objects.create(
            card=card, action=CardAction.REVOKED, actor=actor, actor_name=str(actor)[:100], note=reason[:200]
        )
        _record_on_case(card, TrackedAction.CARD_REVOKED, actor=actor, note=f"撤销理由：{reason[:200]}")
        return card


def _midnight(d: date):
    return clock.aware(datetime.combine(d, time.min))


def cards_for(org: Org, period: tuple[date, date], *, subtree: bool = False, color: str | None = None):
    """Standing cards of ``org`` (or its subtree) issued within ``period`` (inclusive local dates): for statistics."""
    start, end = period
    q = Q(org__path__startswith=org.path) if subtree else Q(org=org)
    qs = AccountabilityCard.objects.standing().filter(
        q, issued_at__gte=_midnight(start), issued_at__lt=_midnight(end + timedelta(days=1))
    )
    return qs.filter(color=color) if color else qs
