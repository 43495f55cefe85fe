"""Which rule set applies at an org: nearest ancestor's assignment in force, else the national default."""

from datetime import date

import pytest

from xinfang.clock.models import Clock, RuleSet
from xinfang.clock.rules import RuleNotFound, RuleResolver, resolve_rule_set, rule_for, rule_set_for
from xinfang.clock.tests.helpers import NATIONAL, ZHEJIANG, assign, copy_rule_set, rule_set

pytestmark = pytest.mark.django_db

ON = date(2024, 6, 1)


def test_without_assignments_every_org_uses_the_national_default(cast):
    for org in (cast.city, cast.dept, cast.village, None):
        resolution = resolve_rule_set(org, ON)
        assert resolution.rule_set.code == NATIONAL
        assert resolution.source is None


def test_the_seeded_national_rules_match_the_regulation():
    rules = {r.clock: r for r in rule_set(NATIONAL).rules.all()}
    assert set(rules) == set(Clock)
    assert (rules["acceptance"].days, rules["acceptance"].working) == (15, False)
    assert (rules["misrouting_objection"].days, rules["misrouting_objection"].working) == (5, True)
    assert rules["handling"].days == 60 and rules["extension"].days == 30
    assert "第二十三条" in rules["acceptance"].article
    rolled = {c for c, r in rules.items() if r.roll_forward}
    assert rolled == {"review_window", "reexam_window"}  # the petitioner's windows only


def test_zhejiang_differs_from_the_national_default_only_in_acceptance():
    national = {r.clock: (r.days, r.working, r.roll_forward) for r in rule_set(NATIONAL).rules.all()}
    zhejiang = {r.clock: (r.days, r.working, r.roll_forward) for r in rule_set(ZHEJIANG).rules.all()}
    assert zhejiang.pop("acceptance") == (5, True, False)
    national.pop("acceptance")
    assert zhejiang == national


def test_an_org_inherits_the_rule_set_assigned_at_the_city(cast):
    assign(cast.city, ZHEJIANG)
    for org in (cast.city, cast.county, cast.dept, cast.village, cast.other_dept):
        resolution = resolve_rule_set(org, ON)
        assert resolution.rule_set.code == ZHEJIANG
        assert resolution.source == cast.city
    assert resolve_rule_set(cast.dept, ON).describe_source(cast.dept) == "继承自示例市人民政府"
    assert resolve_rule_set(cast.city, ON).describe_source(cast.city) == "本机构指定"
    rule = rule_for(cast.dept, Clock.ACCEPTANCE, ON)
    assert (rule.days, rule.working) == (5, True)


def test_the_nearest_ancestor_wins(cast):
    assign(cast.city, ZHEJIANG)
    own = copy_rule_set(NATIONAL, "qinghe", "清河县规则", handling=45)
    assign(cast.county, "qinghe")
    assert rule_set_for(cast.dept, ON) == own
    assert rule_set_for(cast.village, ON) == own
    assert rule_set_for(cast.other_dept, ON).code == ZHEJIANG  # the sibling county still inherits the city's
    assert rule_for(cast.dept, "handling", ON).days == 45


def test_an_assignment_applies_from_its_effective_date(cast):
    assign(cast.city, ZHEJIANG, since=date(2025, 1, 1))
    assert rule_set_for(cast.dept, date(2024, 12, 31)).code == NATIONAL
    assert rule_set_for(cast.dept, date(2025, 1, 1)).code == ZHEJIANG


def test_a_later_assignment_at_the_same_org_supersedes_the_earlier(cast):
    assign(cast.county, ZHEJIANG, since=date(2023, 1, 1))
    copy_rule_set(NATIONAL, "qinghe", "清河县规则")
    assign(cast.county, "qinghe", since=date(2024, 1, 1))
    assert rule_set_for(cast.dept, date(2023, 6, 1)).code == ZHEJIANG
    assert rule_set_for(cast.dept, date(2024, 6, 1)).code == "qinghe"


def test_a_lapsed_rule_set_falls_back_to_the_ancestors_not_to_a_superseded_assignment(cast):
    assign(cast.city, ZHEJIANG)
    assign(cast.county, NATIONAL, since=date(2022, 5, 1))
    copy_rule_set(NATIONAL, "trial", "试行规则", effective_from=date(2023, 1, 1), effective_to=date(2023, 12, 31))
    assign(cast.county, "trial", since=date(2023, 1, 1))
    assert rule_set_for(cast.dept, date(2023, 12, 31)).code == "trial"
    # The trial lapsed; the county's national assignment was replaced, so the city's applies.
    assert rule_set_for(cast.dept, date(2024, 1, 1)).code == ZHEJIANG


def test_a_rule_set_is_not_used_before_it_takes_effect(cast):
    copy_rule_set(NATIONAL, "future", "新规则", effective_from=date(2030, 1, 1))
    assign(cast.county, "future", since=date(2024, 1, 1))
    assert rule_set_for(cast.dept, ON).code == NATIONAL
    assert rule_set_for(cast.dept, date(2030, 1, 1)).code == "future"


def test_the_national_default_in_force_is_chosen_by_date():
    assert rule_set_for(None, date(2022, 5, 1)).code == NATIONAL
    assert rule_set_for(None, date(2022, 4, 30)).code == "national-2005"  # the 2005 信访条例's periods
    assert rule_set_for(None, date(2005, 5, 1)).code == "national-2005"
    with pytest.raises(RuleNotFound, match="全国默认规则集"):
        rule_set_for(None, date(2005, 4, 30))  # before the 2005 regulation: nothing configured


def test_a_missing_clock_in_a_rule_set_is_reported_in_chinese(cast):
    empty = RuleSet.objects.create(code="empty", name="空规则集", effective_from=date(2020, 1, 1))
    assign(cast.county, empty.code)
    with pytest.raises(RuleNotFound, match="空规则集.*办理"):
        rule_for(cast.dept, "handling", ON)


def test_the_bulk_resolver_agrees_with_single_resolution(cast):
    assign(cast.city, ZHEJIANG)
    copy_rule_set(NATIONAL, "qinghe", "清河县规则")
    assign(cast.county, "qinghe", since=date(2024, 1, 1))
    resolver = RuleResolver(ON)
    for org in type(cast.city).objects.all():
        single = resolve_rule_set(org, ON)
        bulk = resolver.resolve(org)
        assert (bulk.rule_set, bulk.source) == (single.rule_set, single.source), org
