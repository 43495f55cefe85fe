"""The receipt rollups answer the same 收件 counts as the direct queries, kept current through the outbox."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.cases.actions import do_close
from xinfang.cases.models import Case
from xinfang.cases.outbox import drain
from xinfang.cases.states import Channel
from xinfang.stats import metrics as m
from xinfang.stats import rollups
from xinfang.stats.models import ReceiptRollup
from xinfang.stats.periods import Period
from xinfang.stats.table import subtree_scope
from xinfang.stats.tests.test_metrics import MARCH, TODAY, world  # noqa: F401  (the hand-counted county)

pytestmark = pytest.mark.django_db


def direct(org, period, today=TODAY):
    base = m.counts(subtree_scope(Case.objects.all(), org, top=False), period, today=today)
    return {code: base[code] for code in rollups.RECEIPT_CODES}


def stored():
    return sorted(ReceiptRollup.objects.values_list(*rollups.KEY, *rollups._AGGREGATES))


def test_incremental_rollups_of_the_hand_counted_county_equal_the_direct_counts(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    got = rollups.receipt_counts(cast.county, MARCH)
    assert got == direct(cast.county, MARCH)
    assert (got["total"], got["persons"], got["visit_batches"], got["collective_persons"]) == (3, 8, 2, 6)
    assert (got["repeat"], got["first"], got["leader_instructed"]) == (1, 2, 1)


def test_the_other_county_is_not_in_the_county_figures(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    assert rollups.receipt_counts(cast.other_county, MARCH)["total"] == 1
    assert rollups.receipt_counts(cast.county, MARCH)["total"] == 3


def test_recompute_from_scratch_equals_the_incremental_rows(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    incremental = stored()
    assert incremental
    rollups.recompute_all()
    assert stored() == incremental


def test_a_channel_slice_counts_only_that_channel(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    feb = Period.month(2025, 2)
    assert rollups.receipt_counts(cast.county, feb, channel=Channel.PHONE)["total"] == 1
    assert rollups.receipt_counts(cast.county, feb, channel=Channel.LETTER)["total"] == 0


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "letter", "forward", "accept", "reply", "deliver", "close"]),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_workflows_keep_incremental_rollups_equal_to_a_recompute(cast, flow, clock, steps):
    """Random registrations and workflow steps on random days: the drained rollups equal a rebuild."""
    # Examples share the test's database: earlier examples' cases stay, which the property allows.
    day = date(2025, 1, 1)
    open_cases: list = []
    for action, gap in steps:
        day += timedelta(days=gap)
        clock.set(day)
        if action in ("register", "letter") or not open_cases:
            channel = Channel.LETTER if action == "letter" else Channel.VISIT
            open_cases.append(flow.register(channel=channel))
            continue
        case = Case.objects.get(pk=open_cases[gap % len(open_cases)].pk)
        try:
            case = {
                "forward": lambda c: flow.sign_for(flow.forward(c)),
                "accept": flow.accept,
                "reply": flow.reply,
                "deliver": flow.deliver,
                "close": lambda c: do_close(c, actor=cast.handler),
            }[action](case)
        except Exception:  # a step not allowed in the case's state: the workflow refuses it, nothing changes
            continue
    drain(rollups.CONSUMER)
    incremental = stored()
    rollups.recompute_all()
    assert stored() == incremental
    for org in (cast.county, cast.other_county):
        assert rollups.receipt_counts(org, Period.month(2025, 1)) == direct(org, Period.month(2025, 1), day)
