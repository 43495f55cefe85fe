"""The rollups answer every base count exactly as the direct queries do, kept current through the outbox.

``rolled.grouped`` (what the pages read) is compared with the direct grouping of
``table`` (``metrics.aggregates`` over the cases) on the hand-counted county of
test_metrics and on random workflows; the incremental rollups are compared with a
rebuild from scratch.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import do_close, do_evaluate
from xinfang.cases.models import Case
from xinfang.cases.outbox import drain
from xinfang.cases.states import Channel, Kind
from xinfang.stats import metrics as m
from xinfang.stats import rolled, rollups
from xinfang.stats import table as t
from xinfang.stats.models import ROLLUP_COUNTS, CaseFact, Rollup, UnitRollup
from xinfang.stats.periods import Period
from xinfang.stats.tests.test_metrics import MARCH, TODAY, world  # noqa: F401  (the hand-counted county)

pytestmark = pytest.mark.django_db


def pair(viewer, org, period, today, *, top, slice=None):
    """(direct, from the rollups) base counts per unit row; the rollups must be usable here."""
    slice = slice or t.Slice()
    qs = scoped_cases(viewer).filter(slice.q())
    assert rolled.usable(viewer, org, period, slice)
    direct = t.unit_counts(qs, org, period, today, top=top, slice=slice)
    fast = t.unit_counts(qs, org, period, today, top=top, viewer=viewer, slice=slice)
    zero = t.zero_counts()
    # A unit row with nothing in it may be absent on one side and all zeros on the other.
    keys = set(direct) | set(fast)
    return ({k: direct.get(k, zero) for k in keys}, {k: fast.get(k, zero) for k in keys})


def _summed(model, key: tuple[str, ...]) -> dict:
    out: dict = {}
    for row in model.objects.values(*key, *ROLLUP_COUNTS):
        k = tuple(row.pop(name) for name in key)
        into = out.setdefault(k, dict.fromkeys(ROLLUP_COUNTS, 0))
        for name, n in row.items():
            into[name] += n
    return {k: v for k, v in out.items() if any(v.values())}


def sums_by_key():
    """The rollup rows summed per key, rows summing to nothing left out (increments may leave zeros or twins).

    The unit rollups are checked here to be the rollups summed over the categories, whatever the
    test did to reach this state."""
    by_key = _summed(Rollup, rollups.KEY)
    over_categories: dict = {}
    at = [rollups.KEY.index(name) for name in rollups.UNIT_KEY]
    for key, counts in by_key.items():
        into = over_categories.setdefault(tuple(key[i] for i in at), dict.fromkeys(ROLLUP_COUNTS, 0))
        for name, n in counts.items():
            into[name] += n
    by_unit = _summed(UnitRollup, rollups.UNIT_KEY)
    assert by_unit == {k: v for k, v in over_categories.items() if any(v.values())}
    return by_key


def facts():
    return sorted(CaseFact.objects.values_list(*rollups.FACT_FIELDS), key=repr)


def test_the_hand_counted_county_from_the_rollups_equals_the_direct_counts(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    assert Rollup.objects.exists()
    for period in (MARCH, Period.month(2025, 1), Period.quarter(2025, 1), Period.month(2025, 4)):
        direct, fast = pair(cast.leader, cast.county, period, TODAY, top=True)
        assert fast == direct, period.label
    march = t.build(scoped_cases(cast.leader), cast.county, MARCH, today=TODAY, viewer=cast.leader).total.base
    assert (march["total"], march["persons"], march["visit_batches"], march["collective_persons"]) == (3, 8, 2, 6)
    assert (march["repeat"], march["first"], march["leader_instructed"]) == (1, 2, 1)


def test_a_drained_past_month_counts_only_the_backlog_directly(cast, world):  # noqa: F811
    """Nothing pending, a month before today: no case is an exception, so no direct count but 期初积案's."""
    drain(rollups.CONSUMER)
    direct, fast = pair(cast.leader, cast.county, MARCH, TODAY, top=True)
    assert fast == direct
    qs = scoped_cases(cast.leader)
    outside = rolled.outside_orgs(cast.county)
    with CaptureQueriesContext(connection) as captured:
        rolled.grouped(qs, cast.county, MARCH, TODAY, top=True, viewer=cast.leader, slice=t.Slice(), outside=outside)
    # The rollup sums, "anything pending?", "any accusation hidden from this reader?" (against the leader,
    # against their unit or one above: none), the backlog's candidates, "anything handled outside?".
    assert len(captured.captured_queries) == 6
    assert sum('"decided_on_time"' in q["sql"] for q in captured.captured_queries) == 0


def test_a_case_sent_to_another_county_is_the_outside_row_at_the_top(cast, flow, clock):
    """Forwarded to the other county's bureau, a case stays in the county's scope (it registered it) but is
    handled outside: the monthly table's 本辖区以外单位办理 row, counted directly, from the rollups too."""
    clock.set(date(2025, 3, 10))
    case = flow.register(summary="属于远山县的事项")
    flow.forward(case, to=cast.other_bureau)
    flow.register(summary="本县的事项")
    clock.set(TODAY)
    drain(rollups.CONSUMER)
    direct, fast = pair(cast.leader, cast.county, MARCH, TODAY, top=True)
    assert fast == direct
    assert fast[rolled.OUTSIDE]["total"] == 1
    assert sum(row["total"] for row in fast.values()) == 2
    shares, direct_shares = shares_and_trend(cast.leader, cast.county)
    assert shares == direct_shares and shares[-1] == [0, 0, 2]


def shares_and_trend(viewer, org, *, top=True):
    """(from the rollups, direct) shares by channel, kind and category for March, and the trend Jan–Mar."""
    qs = scoped_cases(viewer)
    months = [Period.month(2025, n) for n in (1, 2, 3)]
    kw = {"top": top, "viewer": viewer, "slice": t.Slice()}
    fast = [rolled.shares(qs, org, MARCH, by, **kw) for by in ("channel", "kind", "category")]
    fast.append(rolled.trend(qs, org, months, **kw))
    direct = [m.shares(qs, MARCH, by) for by in ("channel", "kind", "category")]
    direct.append([m.total(qs, p) for p in months])
    return fast, direct


def test_the_shares_and_the_trend_from_the_rollups_equal_the_direct_ones(cast, world):  # noqa: F811
    fast, direct = shares_and_trend(cast.leader, cast.county)  # nothing drained: every case pending
    assert fast == direct
    assert sum(row["count"] for row in fast[0]) == 3
    drain(rollups.CONSUMER)
    assert shares_and_trend(cast.leader, cast.county) == (fast, direct)


def test_without_a_drain_every_changed_case_is_counted_directly(cast, world):  # noqa: F811
    """Pending events make the rollups stale for their cases; the figures are still exact."""
    assert not Rollup.objects.exists()
    direct, fast = pair(cast.leader, cast.county, MARCH, TODAY, top=True)
    assert fast == direct
    assert sum(row["total"] for row in fast.values()) == 3


def test_the_other_county_is_not_in_the_county_figures(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    table = t.build(scoped_cases(cast.leader), cast.county, MARCH, today=TODAY, viewer=cast.leader)
    assert table.total.base["total"] == 3
    other = t.build(
        scoped_cases(cast.other_registrar), cast.other_county, MARCH, today=TODAY, viewer=cast.other_registrar
    )
    assert other.total.base["total"] == 1


def test_the_statistician_s_figures_leave_out_accusations_as_the_access_layer_does(cast, flow, clock):
    clock.set(date(2025, 3, 3))
    flow.forward(flow.register(kind=Kind.ACCUSATION, accused_name="某局某人"))
    flow.forward(flow.register())
    clock.set(TODAY)
    drain(rollups.CONSUMER)
    for viewer, expected in ((cast.statistician, 1), (cast.leader, 2)):
        direct, fast = pair(viewer, cast.county, MARCH, TODAY, top=True)
        assert fast == direct
        assert sum(row["total"] for row in fast.values()) == expected


def test_a_channel_slice_and_a_drill_down_read_the_rollups(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    direct, fast = pair(cast.leader, cast.county, MARCH, TODAY, top=True, slice=t.Slice(channel=Channel.LETTER))
    assert fast == direct and sum(r["total"] for r in fast.values()) == 1
    direct, fast = pair(cast.leader, cast.dept, MARCH, TODAY, top=False)
    assert fast == direct


def test_a_category_slice_reads_the_rollups_with_categories(cast, world, flow, clock):  # noqa: F811
    """Without a category the sums come from the unit rollups; a first-level category reads ``Rollup``."""
    from xinfang.cases.models import Category

    top = world["e"].category.parent
    other = Category.objects.filter(parent__isnull=False).exclude(parent=top).order_by("code").first()
    clock.set(date(2025, 3, 7))
    flow.register(category=other)
    clock.set(TODAY)
    drain(rollups.CONSUMER)
    qs = scoped_cases(cast.leader)
    kw = {"top": True, "viewer": cast.leader, "outside": rolled.outside_orgs(cast.county)}
    for slice, table, total in (
        (t.Slice(), "stats_unitrollup", 4),
        (t.Slice(category=top), "stats_rollup", 3),
        (t.Slice(category=other.parent), "stats_rollup", 1),
    ):
        direct, fast = pair(cast.leader, cast.county, MARCH, TODAY, top=True, slice=slice)
        assert fast == direct and sum(r["total"] for r in fast.values()) == total
        with CaptureQueriesContext(connection) as captured:
            rolled.grouped(qs.filter(slice.q()), cast.county, MARCH, TODAY, slice=slice, **kw)
        assert sum(f'FROM "{table}"' in q["sql"] for q in captured.captured_queries) == 1, table


def test_a_range_of_days_or_an_urgency_slice_uses_the_direct_queries(cast):
    days = Period.range(date(2025, 3, 2), date(2025, 3, 31))
    assert not rolled.usable(cast.leader, cast.county, days, t.Slice())
    assert not rolled.usable(cast.leader, cast.county, MARCH, t.Slice(urgency="urgent"))
    assert not rolled.usable(None, cast.county, MARCH, t.Slice())
    assert rolled.usable(cast.leader, cast.county, MARCH, t.Slice())


def test_recompute_from_scratch_equals_the_incremental_rows(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    incremental, incremental_facts = sums_by_key(), facts()
    assert incremental
    rollups.recompute_all()
    assert sums_by_key() == incremental
    assert facts() == incremental_facts


def test_replaying_an_event_changes_nothing(cast, world):  # noqa: F811
    drain(rollups.CONSUMER)
    before = sums_by_key()
    for case in Case.objects.all():
        rollups.refresh_case(case.pk)
    assert sums_by_key() == before


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "register",
                "letter",
                "leader",
                "collective",
                "forward",
                "assign",
                "sign_for",
                "accept",
                "reply",
                "deliver",
                "satisfied",
                "close",
                "request_review",
                "uphold",
                "revoke",
                "drain",
            ]
        ),
        st.integers(min_value=0, max_value=25),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_workflows_keep_the_rollup_figures_equal_to_the_direct_ones(cast, flow, clock, steps):
    """Random registrations and workflow steps on random days, drained at random points: the figures from
    the rollups equal the direct ones for months, a quarter and the running month, for a reader of
    accusations and for the statistician; the drained rollups equal a rebuild."""
    # Examples share the test's database: earlier examples' cases stay, which the property allows.
    from xinfang.devdata.flow import make_petitioner

    day = date(2025, 1, 2)
    cases: list = []
    for action, gap in steps:
        day += timedelta(days=gap)
        clock.set(day)
        if action == "drain":
            drain(rollups.CONSUMER)
            continue
        if action in ("register", "letter", "leader", "collective") or not cases:
            kwargs: dict = {"channel": Channel.LETTER if action == "letter" else Channel.VISIT}
            if action == "leader":
                kwargs["leader_instruction"] = "请依法处理"
            if action == "collective":
                kwargs["petitioners"] = [(make_petitioner(cast.registrar, name=f"群众{n}"), n < 1) for n in range(5)]
            if gap % 4 == 0:
                kwargs["kind"] = Kind.ACCUSATION
                kwargs["accused_name"] = "某单位"
            cases.append(flow.register(**kwargs).pk)
            continue
        case = Case.objects.get(pk=cases[gap % len(cases)])
        step = {
            "forward": flow.forward,
            "assign": flow.assign,
            "sign_for": flow.sign_for,
            "accept": flow.accept,
            "reply": flow.reply,
            "deliver": flow.deliver,
            "satisfied": lambda c: do_evaluate(c, actor=cast.dept_officer, evaluation="satisfied"),
            "close": lambda c: do_close(c, actor=cast.handler),
            "request_review": flow.request_review,
            "uphold": lambda c: flow.review(c, decision="uphold"),
            "revoke": lambda c: flow.review(c, decision="revoke"),
        }[action]
        try:
            step(case)
        except Exception:  # a step not allowed in the case's state: the workflow refuses it, nothing changes
            continue
    today = day
    periods = [
        Period.month(2025, 1),
        Period.month(2025, 2),
        Period.quarter(2025, 1),
        Period.containing("month", today),
        Period.containing("quarter", today),
    ]
    for viewer in (cast.leader, cast.statistician):
        for period in periods:
            direct, fast = pair(viewer, cast.county, period, today, top=True)
            assert fast == direct, (viewer.username, period.label)
    drain(rollups.CONSUMER)
    for period in periods:
        direct, fast = pair(cast.leader, cast.county, period, today, top=True)
        assert fast == direct, period.label
    incremental, incremental_facts = sums_by_key(), facts()
    rollups.recompute_all()
    assert sums_by_key() == incremental
    assert facts() == incremental_facts


def _handling_due(case):
    from xinfang.clock.models import Clock, Deadline

    return Deadline.objects.get(owner_id=case.pk, clock=Clock.HANDLING).due_date


def test_in_the_running_month_a_deadline_not_yet_due_is_not_judged(cast, flow, clock):
    """Its fact counts a running deadline late (as it will be once its day passes, with no event to say so);
    before that day the rollups take out only its 按期办结 counts and count those directly."""
    clock.set(date(2025, 1, 2))
    overdue = flow.handling(summary="已超期未办结")
    clock.set(date(2025, 1, 3))
    on_time = flow.handling(summary="按期答复")
    clock.set(date(2025, 1, 20))
    waiting = flow.handling(summary="期限未到")
    flow.reply(on_time)
    month = Period.containing("month", _handling_due(overdue))
    today = _handling_due(overdue) + timedelta(days=2)
    assert month.start <= _handling_due(on_time) < today <= _handling_due(waiting) <= month.end
    clock.set(today)
    drain(rollups.CONSUMER)
    direct, fast = pair(cast.leader, cast.county, month, today, top=True)
    assert fast == direct
    base = t.build(scoped_cases(cast.leader), cast.county, month, today=today, viewer=cast.leader).total.base
    assert (base["handling_due"], base["handled_on_time"], base["handled_late"]) == (2, 1, 1)
    # Taken out by what its fact holds, with no direct count of the cases.
    assert CaseFact.objects.get(case_id=waiting.pk, running_due__isnull=False).running_due == _handling_due(waiting)
    qs = scoped_cases(cast.leader)
    with CaptureQueriesContext(connection) as captured:
        rolled.grouped(qs, cast.county, month, today, top=False, viewer=cast.leader, slice=t.Slice())
    # The rollups, four existence checks, the facts' undue sums and 期初积案's direct count: 按期办结 is not counted.
    assert len(captured) == 7
    assert not [q for q in captured.captured_queries if '"handling_due"' in q["sql"]]
    # Counted, and late, once its day has passed.
    later = _handling_due(waiting) + timedelta(days=1)
    direct, fast = pair(cast.leader, cast.county, month, later, top=True)
    assert fast == direct and sum(row["handled_late"] for row in fast.values()) == 2


def test_a_reply_late_across_the_start_is_in_the_backlog_before_the_drain(cast, flow, clock):
    """期初积案 from the facts' late spans: a case whose late reply is not yet applied is found as pending."""
    clock.set(date(2025, 1, 2))
    case = flow.handling(summary="逾期后答复")
    drain(rollups.CONSUMER)
    month = Period.containing("month", _handling_due(case) + timedelta(days=40))
    clock.set(month.start + timedelta(days=3))
    flow.reply(case)
    today = month.start + timedelta(days=10)
    direct, fast = pair(cast.leader, cast.county, month, today, top=True)
    assert fast == direct
    assert sum(row["backlog_start"] for row in fast.values()) == 1


def test_the_migration_fills_the_running_deadlines_of_facts_already_stored(cast, flow, clock):
    """stats 0006 gives the facts stored before it the columns a rebuild would give them."""
    import importlib

    from django.apps import apps

    clock.set(date(2025, 1, 2))
    flow.handling(summary="已超期未办结")
    clock.set(date(2025, 1, 20))
    flow.reply(flow.handling(summary="已答复"))
    flow.handling(summary="期限未到")
    drain(rollups.CONSUMER)
    rebuilt = facts()
    assert CaseFact.objects.filter(running_due__isnull=False).count() == 2
    CaseFact.objects.update(running_due=None, undue_judged=0, undue_late=0)
    importlib.import_module("xinfang.stats.migrations.0006_fact_running_due").fill_running_due(apps, None)
    assert facts() == rebuilt


def test_the_migration_sums_the_rollups_already_stored_over_their_categories(cast, world):  # noqa: F811
    """stats 0007 fills the unit rollups from the rollups a database holds, as a rebuild would."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    drain(rollups.CONSUMER)
    rebuilt = sorted(UnitRollup.objects.values_list(*rollups.UNIT_KEY, *ROLLUP_COUNTS), key=repr)
    assert rebuilt
    UnitRollup.objects.all().delete()
    # What the migration uses of its schema editor (SQLite opens none inside a test's transaction).
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    importlib.import_module("xinfang.stats.migrations.0007_unit_rollup").fill(apps, editor)
    assert sorted(UnitRollup.objects.values_list(*rollups.UNIT_KEY, *ROLLUP_COUNTS), key=repr) == rebuilt
