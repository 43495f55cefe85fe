"""Each seeded rung of the national ladder, moved through time with the clock seam (never slept)."""

from datetime import date as D
from datetime import timedelta

import pytest

from xinfang.clock.models import Clock
from xinfang.escalation.tests.helpers import notes, rule

pytestmark = pytest.mark.django_db


def handling_deadline(case):
    from xinfang.cases.deadlines import open_deadlines

    return open_deadlines(case).get(clock=Clock.HANDLING)


@pytest.fixture
def handled(flow, clock):
    """A case in handling accepted on 2025-03-05 (a Wednesday): handling due 2025-05-04 (a Sunday)."""
    clock.set(D(2025, 3, 5))
    case = flow.handling()
    assert handling_deadline(case).due_date == D(2025, 5, 4)
    return case


def test_three_working_days_before_handling_the_handler_and_the_unit_head_are_reminded(handled, sweep_on, cast):
    r = rule("handling-due-soon")
    sweep_on(D(2025, 3, 5))
    # 2025-05-01..05 is the Labour Day holiday, 04-27 (Sun) a make-up working day: the working days
    # left after 04-27 through 05-04 are 04-28, 04-29, 04-30 (3), so 04-27 is the day it arrives.
    sweep_on(D(2025, 4, 26))
    assert not notes(r).exists()
    sweep_on(D(2025, 4, 27))
    got = list(notes(r).values_list("user__username", "title"))
    assert got == [
        ("handler", f"信访件{handled.number}的办理期限将于2025-05-04届满，请抓紧办理"),
        ("unit_head", f"信访件{handled.number}的办理期限将于2025-05-04届满，请抓紧办理"),
    ]


def test_on_the_due_day_the_handler_is_reminded(handled, sweep_on):
    r = rule("handling-due-today")
    sweep_on(D(2025, 5, 3))
    assert not notes(r).exists()
    sweep_on(D(2025, 5, 4))
    assert list(notes(r).values_list("user__username", "title")) == [
        ("handler", f"信访件{handled.number}的办理期限今日（2025-05-04）届满")
    ]


def test_one_day_overdue_the_unit_head_and_the_routing_officer_are_told(handled, sweep_on):
    r = rule("handling-overdue")
    sweep_on(D(2025, 5, 4))
    assert not notes(r).exists()
    sweep_on(D(2025, 5, 5))
    assert list(notes(r).values_list("user__username", "title")) == [
        ("officer", f"信访件{handled.number}的办理期限已逾期 1 天"),
        ("unit_head", f"信访件{handled.number}的办理期限已逾期 1 天"),
    ]


def test_acceptance_one_day_overdue_goes_to_the_unit_head_and_the_routing_officer(flow, clock, sweep_on):
    from xinfang.cases.deadlines import open_deadlines

    r = rule("acceptance-overdue")
    clock.set(D(2025, 3, 5))
    case = flow.sign_for(flow.assign(flow.register()))
    due = open_deadlines(case).get(clock=Clock.ACCEPTANCE).due_date
    sweep_on(due)
    assert not notes(r).exists()
    sweep_on(due + timedelta(days=1))
    assert list(notes(r).values_list("user__username", flat=True)) == ["officer", "unit_head"]


def test_review_and_reexam_decisions_have_their_three_day_reminder():
    # The review and reexam clocks run at the review bodies; their rungs are data like the others.
    for code, clock in (("review-due-soon", "review_decision"), ("reexam-due-soon", "reexam_decision")):
        r = rule(code)
        assert (r.clock, r.timing, r.days, r.working, r.to_handler, r.to_unit_head) == (
            clock,
            "before",
            3,
            True,
            True,
            True,
        )


def test_a_review_decision_deadline_reminds_three_working_days_before(flow, clock, sweep_on):
    from xinfang.cases.deadlines import open_deadlines

    r = rule("review-due-soon")
    clock.set(D(2025, 3, 5))
    case = flow.request_review(flow.delivered())
    due = open_deadlines(case).get(clock=Clock.REVIEW_DECISION).due_date
    sweep_on(D(2025, 3, 5))
    sweep_on(due - timedelta(days=10))
    assert not notes(r).exists()
    sweep_on(due)
    assert notes(r).exists()
