"""Each metric on a hand-counted county (docs/metrics.md): a changed definition fails here.

The world is built with the real actions at their dates (the clock seam), in
清河县 unless said otherwise, and read on 2025-04-10:

  case  received  path
  a     01-06     accepted 01-06 (handling due 03-07), replied 03-10 (late), satisfied, closed 03-12
  b     01-10     accepted 01-10 (due 03-11), replied 02-20, unsatisfied, closed 02-21,
                  review asked 03-05, upheld 03-20
  c     01-15     accepted 01-15 (due 03-16), still being handled
  d     01-20     accepted 01-20 (due 03-21), replied 04-03 (late), closed 04-05
  i     02-27     a phone call, registered only
  e     03-03     a visit with a leader's instruction; accepted 03-03 (in time), replied 03-12, closed 03-14
  f     03-04     a collective visit of 6; accepted 03-28, after its acceptance period
  g     03-05     a letter registered as a repeat of e
  h     03-06     registered in 远山县 (the other county): never counted for 清河县
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import Registration, do_close, do_evaluate, do_register
from xinfang.cases.states import Channel, Kind
from xinfang.clock.models import Clock, Deadline
from xinfang.core import clock as core_clock
from xinfang.devdata.flow import make_petitioner, register
from xinfang.stats import metrics as m
from xinfang.stats.periods import Period

pytestmark = pytest.mark.django_db

MARCH = Period.month(2025, 3)
APRIL = Period.month(2025, 4)
TODAY = date(2025, 4, 10)


@pytest.fixture
def world(cast, flow, clock):
    c = cast
    cases = {}

    def at(day):
        clock.set(day)

    def close(case):
        return do_close(case, actor=c.handler)

    def evaluate(case, evaluation):
        return do_evaluate(case, actor=c.dept_officer, evaluation=evaluation)

    at(date(2025, 1, 6))
    cases["a"] = flow.handling(assign=False)
    at(date(2025, 1, 10))
    cases["b"] = flow.handling(assign=False)
    at(date(2025, 1, 15))
    cases["c"] = flow.handling(assign=False)
    at(date(2025, 1, 20))
    cases["d"] = flow.handling(assign=False)
    at(date(2025, 2, 20))
    cases["b"] = evaluate(flow.deliver(flow.reply(cases["b"])), "unsatisfied")
    at(date(2025, 2, 21))
    cases["b"] = close(cases["b"])
    at(date(2025, 2, 27))
    cases["i"] = flow.register(channel=Channel.PHONE)
    at(date(2025, 3, 3))
    e = flow.register(leader_instruction="请县自然资源局依法处理")
    cases["e"] = flow.accept(flow.sign_for(flow.forward(e)))
    at(date(2025, 3, 4))
    group = [(make_petitioner(c.registrar, name=f"群众{n}"), n < 2) for n in range(6)]
    cases["f"] = flow.sign_for(flow.forward(flow.register(petitioners=group)))
    at(date(2025, 3, 5))
    reg = Registration(
        channel=Channel.LETTER,
        received_at=core_clock.now() - timedelta(hours=1),
        kind=Kind.CLAIM,
        summary="再次反映征地补偿款未发放",
        content="信访人来信再次反映补偿款未发放。",
        petitioners=[(make_petitioner(c.registrar), True)],
        category=cases["e"].category,
    )
    cases["g"] = do_register(reg, actor=c.registrar, repeat_of=cases["e"])
    cases["b"] = flow.request_review(cases["b"], received_on=date(2025, 3, 5))
    at(date(2025, 3, 6))
    cases["h"] = register(c.other_registrar)
    at(date(2025, 3, 10))
    cases["a"] = evaluate(flow.deliver(flow.reply(cases["a"])), "satisfied")
    at(date(2025, 3, 12))
    cases["a"] = close(cases["a"])
    cases["e"] = flow.deliver(flow.reply(cases["e"]))
    at(date(2025, 3, 14))
    cases["e"] = close(cases["e"])
    at(date(2025, 3, 20))
    cases["b"] = flow.review(cases["b"], decision="uphold")
    at(date(2025, 3, 28))
    cases["f"] = flow.accept(cases["f"])
    at(date(2025, 4, 3))
    cases["d"] = flow.deliver(flow.reply(cases["d"]))
    at(date(2025, 4, 5))
    cases["d"] = close(cases["d"])
    at(TODAY)
    return cases


def county(cast):
    return scoped_cases(cast.leader)


def test_the_world_is_as_described(world):
    """Guards the fixture's own premises, so that a later failure names a definition, not the setup."""
    assert [world[k].due_date for k in "cd"] == [date(2025, 3, 16), None]
    acceptance = Deadline.objects.get(owner_id=world["f"].pk, clock=Clock.ACCEPTANCE)
    assert acceptance.due_date < date(2025, 3, 28) == acceptance.met_at
    assert (world["f"].person_count, world["f"].is_collective) == (6, True)
    assert world["g"].repeat_of_id == world["e"].pk


def test_intake_in_cases_batches_and_person_visits(cast, world):
    base = m.counts(county(cast), MARCH, today=TODAY)
    got = {k: base[k] for k in ("total", "persons", "visit_batches", "visit_persons")}
    assert got == {"total": 3, "persons": 8, "visit_batches": 2, "visit_persons": 7}
    assert (m.total(county(cast), MARCH), m.persons(county(cast), MARCH)) == (3, 8)


def test_collective_and_repeat_petitions(cast, world):
    qs = county(cast)
    assert (m.collective_batches(qs, MARCH), m.collective_persons(qs, MARCH)) == (1, 6)
    assert (m.first_petitions(qs, MARCH), m.repeat_petitions(qs, MARCH)) == (2, 1)
    assert m.repeat_rate(qs, MARCH) == Decimal("33.33")


def test_shares_by_channel_and_kind(cast, world):
    qs = county(cast)
    assert m.shares(qs, MARCH, "channel") == [
        {"key": "visit", "count": 2, "share": Decimal("66.67")},
        {"key": "letter", "count": 1, "share": Decimal("33.33")},
    ]
    assert m.shares(qs, MARCH, "kind") == [{"key": "claim", "count": 3, "share": Decimal("100.00")}]
    assert m.value("share_channel_visit", qs, MARCH) == Decimal("66.67")


def test_acceptance_decisions_in_time(cast, world):
    base = m.counts(county(cast), MARCH, today=TODAY)
    assert (base["accepted"], base["decided"], base["decided_on_time"]) == (2, 2, 1)
    assert m.timely_acceptance_rate(county(cast), MARCH, today=TODAY) == Decimal("50.00")


def test_closure_counts_cases_accepted_in_the_period_closed_by_its_end(cast, world):
    qs = county(cast)
    assert m.closure_rate(qs, MARCH, today=TODAY) == Decimal("50.00")  # e of e, f
    # January: a, b, c, d accepted, none closed by 31 January (b closed on 02-21, after the cutoff).
    assert m.closure_rate(qs, Period.month(2025, 1), today=TODAY) == Decimal("0.00")
    # A period running to today: a-f accepted, a, b, d, e closed.
    assert m.closure_rate(qs, Period.range(date(2025, 1, 1), TODAY), today=TODAY) == Decimal("66.67")


def test_on_time_handling_counts_an_overdue_open_case_as_late(cast, world):
    base = m.counts(county(cast), MARCH, today=TODAY)
    # a late (replied 03-10, due 03-07), b on time, c open past 03-16, d late (replied 04-03).
    assert (base["handling_due"], base["handled_on_time"], base["handled_late"]) == (4, 1, 3)
    assert m.on_time_rate(county(cast), MARCH, today=TODAY) == Decimal("25.00")
    assert m.overdue_rate(county(cast), MARCH, today=TODAY) == Decimal("75.00")


def test_a_deadline_not_yet_reached_is_not_judged(cast, world):
    # Due in May: e (accepted 03-03, replied 03-12: on time) and f (accepted 03-28, still being
    # handled): f is not judged before its date, and late after it.
    may = Period.month(2025, 5)
    assert world["f"].due_date.month == 5
    before = m.counts(county(cast), may, today=TODAY)
    assert (before["handling_due"], before["handled_on_time"]) == (1, 1)
    after = m.counts(county(cast), may, today=date(2025, 6, 1))
    assert (after["handling_due"], after["handled_on_time"], after["handled_late"]) == (2, 1, 1)


def test_evaluation_and_satisfaction_are_counted_on_replies_of_the_period(cast, world):
    qs = county(cast)
    assert m.counts(qs, MARCH, today=TODAY)["replied"] == 2  # a, e
    assert m.evaluation_rate(qs, MARCH) == Decimal("50.00")
    assert m.satisfaction_rate(qs, MARCH) == Decimal("100.00")
    assert m.dissatisfaction_rate(qs, MARCH) == Decimal("0.00")
    february = Period.month(2025, 2)
    assert (m.satisfaction_rate(qs, february), m.dissatisfaction_rate(qs, february)) == (
        Decimal("0.00"),
        Decimal("100.00"),
    )


def test_reviews_are_asked_of_replies_and_upheld_decisions_counted_when_made(cast, world):
    qs = county(cast)
    assert m.review_rate(qs, Period.month(2025, 2)) == Decimal("100.00")  # b, replied in February
    assert m.review_rate(qs, MARCH) == Decimal("0.00")
    assert m.review_upheld_rate(qs, MARCH) == Decimal("100.00")
    assert m.review_upheld_rate(qs, Period.month(2025, 2)) is None  # nothing decided: no rate
    assert m.reexam_upheld_rate(qs, MARCH) is None


def test_backlog_at_the_start_and_resolved_during_the_period(cast, world):
    qs = county(cast)
    assert m.backlog_start(qs, MARCH, today=TODAY) == 0
    # On 1 April c (due 03-16) and d (due 03-21) were overdue and unresolved; d closed on 04-05.
    assert (m.backlog_start(qs, APRIL, today=TODAY), m.backlog_resolved(qs, APRIL, today=TODAY)) == (2, 1)
    assert m.value("backlog_resolution_rate", qs, APRIL, today=TODAY) == Decimal("50.00")


def test_reply_opinions_issued_and_leader_instructed_items(cast, world):
    qs = county(cast)
    assert m.replies_issued(qs, MARCH) == 2
    assert m.replies_issued(qs, APRIL) == 1
    base = m.counts(qs, MARCH, today=TODAY)
    assert (base["leader_instructed"], base["leader_instructed_done"]) == (1, 1)


def test_the_other_county_counts_only_its_own(cast, world):
    assert m.total(scoped_cases(cast.other_officer), MARCH) == 1
    assert m.total(scoped_cases(cast.nobody), MARCH) == 0


def test_compared_with_the_previous_month_and_the_same_month_last_year(cast, world):
    got = m.compared("total", county(cast), MARCH, today=TODAY)
    assert (got.value, got.previous, got.last_year, got.mom, got.yoy) == (3, 1, 0, Decimal("200.00"), None)
    rate = m.compared("on_time_rate", county(cast), APRIL, today=TODAY)
    assert (rate.value, rate.previous, rate.mom) == (None, Decimal("25.00"), None)


def test_skip_level_petitions_are_counted_as_information(cast, clock):
    clock.set(date(2025, 3, 7))
    case = register(cast.city_officer, place_code="330781", place_name="清河县东岗镇")
    assert case.is_skip_level
    assert m.skip_level(scoped_cases(cast.city_officer), MARCH) == 1
    assert m.skip_level(scoped_cases(cast.city_officer), APRIL) == 0


# ---------------------------------------------------------------- the seeds' published arithmetic


def test_the_seeds_closure_rates():
    # F003: 259 accepted = 208 individual visits + 46 collective + 5 letters; 234 closed.
    assert 208 + 46 + 5 == 259
    closure = m.METRICS["closure_rate"]
    assert closure.value({"accepted": 259, "accepted_done": 234}) == Decimal("90.35")
    # F004-D: 49 repeat cases assigned, 40 closed.
    assert closure.value({"accepted": 49, "accepted_done": 40}) == Decimal("81.63")
    assert m.rate(0, 0) is None


def test_the_seeds_cases_and_person_visits():
    # F001: 293 件, 672 人次 are two figures of one intake, not a rate.
    base = {"total": 293, "persons": 672}
    assert (m.METRICS["total"].value(base), m.METRICS["persons"].value(base)) == (293, 672)
    # F004-I: 217 → 186 → 175, year on year.
    assert m.change(186, 217, is_rate=False) == Decimal("-14.29")
    assert m.change(175, 186, is_rate=False) == Decimal("-5.91")
    assert m.change(Decimal("81.63"), Decimal("90.35"), is_rate=True) == Decimal("-8.72")
