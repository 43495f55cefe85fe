"""Small builders shared by the clock's Django-side tests."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from xinfang.clock.models import ClockRule, OrgRuleSet, RuleSet

NATIONAL = "national-2022"
ZHEJIANG = "zhejiang"


def rule_set(code: str) -> RuleSet:
    return RuleSet.objects.get(code=code)


def assign(org, code: str, since: date = date(2022, 5, 1)) -> OrgRuleSet:
    return OrgRuleSet.objects.create(org=org, rule_set=rule_set(code), effective_from=since)


def copy_rule_set(code: str, new_code: str, name: str, **overrides) -> RuleSet:
    """A copy of a seeded rule set, e.g. a city's own variant, with some clocks changed."""
    source = rule_set(code)
    copy = RuleSet.objects.create(
        code=new_code,
        name=name,
        effective_from=overrides.pop("effective_from", source.effective_from),
        effective_to=overrides.pop("effective_to", None),
    )
    for rule in source.rules.all():
        days = overrides.get(rule.clock, rule.days)
        ClockRule.objects.create(
            rule_set=copy, clock=rule.clock, days=days, working=rule.working, roll_forward=rule.roll_forward
        )
    return copy


def clock_cli(*args: str) -> tuple[list[str], str]:
    """Run `manage.py clock ARGS`; return stdout lines and stderr."""
    out, err = StringIO(), StringIO()
    call_command("clock", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines(), err.getvalue()
