"""A period edited by the administrator moves open deadlines without a case event: the rollups follow."""

from datetime import date

import pytest

from xinfang.cases.deadlines import case_deadlines
from xinfang.cases.models import OutboxEntry
from xinfang.cases.outbox import drain
from xinfang.clock.models import Clock, ClockRule
from xinfang.stats import rollups
from xinfang.stats.periods import Period
from xinfang.stats.tests.test_rollups import facts, pair, sums_by_key

pytestmark = pytest.mark.django_db

MARCH, APRIL = Period.month(2025, 3), Period.month(2025, 4)
TODAY = date(2025, 4, 20)


def test_a_handling_period_edited_moves_the_overdue_case_to_its_new_month_in_the_figures(cast, flow, clock):
    clock.set(date(2025, 1, 20))
    case = flow.handling(assign=False)
    handling = case_deadlines(case).get(clock=Clock.HANDLING)
    assert handling.due_date == date(2025, 3, 21)  # 60 days: overdue and judged in March by TODAY
    clock.set(TODAY)
    drain(rollups.CONSUMER)
    march, _ = pair(cast.leader, cast.county, MARCH, TODAY, top=True)
    assert sum(row["handling_due"] for row in march.values()) == 1

    rule = ClockRule.objects.get(rule_set=handling.rule_set, clock=Clock.HANDLING)
    rule.days = 75  # the administrator lengthens the period: the deadline falls due on 5 April instead
    rule.save()
    handling.refresh_from_db()
    assert handling.due_date == date(2025, 4, 5)

    # No event, yet the case is pending for the statistics until the worker applies it: exact meanwhile.
    assert OutboxEntry.objects.filter(consumer=rollups.CONSUMER, done_at__isnull=True).count() == 1
    for period, expected in ((MARCH, 0), (APRIL, 1)):
        direct, fast = pair(cast.leader, cast.county, period, TODAY, top=True)
        assert fast == direct, period.label
        assert sum(row["handling_due"] for row in direct.values()) == expected
    assert drain(rollups.CONSUMER).done == 1
    for period in (MARCH, APRIL):
        direct, fast = pair(cast.leader, cast.county, period, TODAY, top=True)
        assert fast == direct, period.label
    applied, applied_facts = sums_by_key(), facts()
    rollups.recompute_all()
    assert (sums_by_key(), facts()) == (applied, applied_facts)
