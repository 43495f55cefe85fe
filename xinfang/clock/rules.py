"""Which rule set, and so which statutory periods, apply at an org on a date.

An org uses the rule set assigned to its nearest ancestor (itself included)
whose assignment is in force on that date; with none, the national default in
force. Within one org the latest assignment that has started supersedes the
earlier ones: if its rule set has lapsed, the org falls through to its
ancestors rather than reviving an assignment it deliberately replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from xinfang.clock.models import Clock, ClockRule, LocalTarget, OrgRuleSet, RuleSet
from xinfang.core.errors import DomainError
from xinfang.orgs.models import PATH_STEP, Org


class RuleNotFound(DomainError, LookupError):
    """No rule set, clock rule or local target is configured for a request (message in Chinese)."""


@dataclass(frozen=True)
class Resolution:
    rule_set: RuleSet
    source: Org | None  # the org whose assignment applies; None: the national default
    assignment: OrgRuleSet | None

    @property
    def inherited(self) -> bool:
        return self.source is not None

    def describe_source(self, org: Org | None = None) -> str:
        if self.source is None:
            return "全国默认"
        if org is not None and self.source.pk == org.pk:
            return "本机构指定"
        return f"继承自{self.source.name}"


def national_default(on: date) -> RuleSet:
    rule_set = RuleSet.objects.in_effect(on).filter(is_national_default=True).order_by("-effective_from").first()
    if rule_set is None:
        raise RuleNotFound(f"{on.isoformat()} 没有施行中的全国默认规则集，请在后台“规则集”中配置。")
    return rule_set


def _pick(assignments: Iterable[OrgRuleSet], path: str, on: date) -> OrgRuleSet | None:
    """The assignment that governs the org at ``path`` on ``on``, or None to use the default."""
    latest: dict[str, OrgRuleSet] = {}
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


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def resolve_rule_set(org: Org | None, on: date) -> Resolution:
    """The rule set in force at ``org`` on ``on``, and where it comes from."""
    if org is not None:
        candidates = OrgRuleSet.objects.filter(
            org__path__in=_prefixes(org.path), effective_from__lte=on
        ).select_related("rule_set", "org")
        chosen = _pick(candidates, org.path, on)
        if chosen is not None:
            return Resolution(chosen.rule_set, chosen.org, chosen)
    return Resolution(national_default(on), None, None)


def rule_set_for(org: Org | None, on: date) -> RuleSet:
    return resolve_rule_set(org, on).rule_set


def rule_in(rule_set: RuleSet, clock: str) -> ClockRule:
    rule = ClockRule.objects.filter(rule_set=rule_set, clock=clock).select_related("rule_set").first()
    if rule is None:
        raise RuleNotFound(f"规则集“{rule_set.name}”未配置“{Clock(clock).label}”期限。")
    return rule


def rule_for(org: Org | None, clock: str, on: date) -> ClockRule:
    """The statutory period of ``clock`` that applies at ``org`` for a period starting ``on``."""
    return rule_in(rule_set_for(org, on), clock)


def target_in(rule_set: RuleSet, key: str) -> LocalTarget:
    target = LocalTarget.objects.filter(rule_set=rule_set, key=key).first()
    if target is None:
        raise RuleNotFound(f"规则集“{rule_set.name}”未配置本地承诺时限“{key}”。")
    return target


class RuleResolver:
    """Resolves many orgs for one date with two queries in total (for admin lists and reports)."""

    def __init__(self, on: date):
        self.on = on
        self._assignments = list(OrgRuleSet.objects.filter(effective_from__lte=on).select_related("rule_set", "org"))
        try:
            self._default: RuleSet | None = national_default(on)
        except RuleNotFound:
            self._default = None

    def resolve(self, org: Org) -> Resolution | None:
        chosen = _pick(self._assignments, org.path, self.on)
        if chosen is not None:
            return Resolution(chosen.rule_set, chosen.org, chosen)
        if self._default is None:
            return None
        return Resolution(self._default, None, None)
