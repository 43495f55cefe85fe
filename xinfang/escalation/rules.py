"""Which escalation rule set applies at an org on a date, and when a rule's trigger has arrived.

Resolution mirrors ``clock.rules``: the rule set assigned to the nearest
ancestor (itself included) whose latest started assignment is in force,
else the national default in force. The date arithmetic uses the clock's
work calendar (``clock.workcalendar``) and engine, never a copy.
"""

from __future__ import annotations

from datetime import date, timedelta

from xinfang.clock.engine import WorkCalendar, add_working_days
from xinfang.escalation.models import EscalationRule, EscalationRuleSet, OrgEscalationRuleSet, Timing, in_effect_q
from xinfang.orgs.models import Org


def _pick(assignments, path: str, on: date) -> OrgEscalationRuleSet | None:
    latest: dict[str, OrgEscalationRuleSet] = {}
    for a in assignments:
        org_path = a.org.path
        if a.effective_from > on or not path.startswith(org_path):
            continue
        current = latest.get(org_path)
        if current is None or a.effective_from > current.effective_from:
            latest[org_path] = a
    for org_path in sorted(latest, key=len, reverse=True):  # nearest ancestor first
        a = latest[org_path]
        if a.rule_set.in_effect(on):
            return a
    return None


class RuleSetResolver:
    """Resolves many orgs for one date with three queries in total (the sweep's per-item check)."""

    def __init__(self, on: date):
        self.on = on
        self._assignments = list(
            OrgEscalationRuleSet.objects.filter(effective_from__lte=on).select_related("rule_set", "org")
        )
        default = (
            EscalationRuleSet.objects.filter(in_effect_q(on), is_national_default=True)
            .order_by("-effective_from")
            .first()
        )
        self._default_id = default.pk if default else None
        self._paths: dict[int, str] = {}
        self._cache: dict[int, int | None] = {}

    def rule_set_id(self, org_id: int) -> int | None:
        if org_id in self._cache:
            return self._cache[org_id]
        if not self._assignments:
            self._cache[org_id] = self._default_id
            return self._default_id
        path = self._paths.get(org_id)
        if path is None:
            path = Org.objects.filter(pk=org_id).values_list("path", flat=True).first() or ""
        chosen = _pick(self._assignments, path, self.on)
        result = chosen.rule_set_id if chosen is not None else self._default_id
        self._cache[org_id] = result
        return result

    def rule_set_for(self, org: Org) -> EscalationRuleSet | None:
        self._paths[org.pk] = org.path
        pk = self.rule_set_id(org.pk)
        return EscalationRuleSet.objects.filter(pk=pk).first() if pk else None


def rules_in_force(on: date):
    """Active rules in force on ``on`` whose rule set is in force too."""
    return (
        EscalationRule.objects.filter(in_effect_q(on), in_effect_q(on, "rule_set__"), is_active=True)
        .select_related("rule_set", "kind")
        .order_by("pk")
    )


def threshold(rule: EscalationRule, today: date, cal: WorkCalendar) -> date:
    """The latest due date whose trigger has arrived by ``today``.

    The trigger of an item due on D arrives when: (before N) at most N
    (working) days remain after today up to D; (on due) D is today; (overdue
    N) N (working) days after D is today or earlier. Each is monotone in D,
    so "arrived" is the range D <= threshold, an indexed query.
    """
    n = rule.days
    if rule.timing == Timing.ON_DUE:
        return today
    if rule.timing == Timing.BEFORE:
        if not rule.working:
            return today + timedelta(days=n)
        # Remaining working days after today up to D is <= n  <=>  D precedes the (n+1)-th working day.
        return add_working_days(today, n + 1, cal).due - timedelta(days=1)
    if not rule.working:
        return today - timedelta(days=n)
    # The latest D whose n-th working day after it is today or before; at most n + a holiday's length back.
    d = today - timedelta(days=n)
    while add_working_days(d, n, cal).due > today:
        d -= timedelta(days=1)
    return d


def relevant_from(rule: EscalationRule, today: date) -> date | None:
    """The earliest due date a rule still speaks about: a "before" or "due today" reminder is stale once due passed."""
    return today if rule.timing in (Timing.BEFORE, Timing.ON_DUE) else None
