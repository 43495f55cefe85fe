"""Stored deadlines: opened from the org's rules, changed by actions, recomputed when the calendar or rules change."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xinfang.clock import services
from xinfang.clock.engine import Pause, compute_due
from xinfang.clock.models import CalendarDay, CalendarYear, ClockRule, Deadline, DeadlineStatus, LocalTarget
from xinfang.clock.rules import RuleNotFound
from xinfang.clock.services import DeadlineError, open_deadline
from xinfang.clock.signals import deadlines_recomputed
from xinfang.clock.tests.helpers import NATIONAL, ZHEJIANG, assign
from xinfang.clock.workcalendar import get_work_calendar

pytestmark = pytest.mark.django_db

D = date


def stored(deadline):
    return Deadline.objects.get(pk=deadline.pk)


def corrupt(*deadlines):
    Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(due_date=D(2000, 1, 1))


# --- opening ---------------------------------------------------------------------


def test_opening_copies_the_rule_and_stores_the_due_date(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    d = stored(d)
    assert (d.days, d.working, d.roll_forward, d.rule_set.code) == (60, False, False, NATIONAL)
    assert d.due_date == D(2024, 11, 9)
    assert d.owner == cast.dept
    assert d.status == DeadlineStatus.OPEN and not d.provisional and not d.paused


def test_opening_at_a_zhejiang_org_counts_working_days_for_acceptance(cast):
    assign(cast.city, ZHEJIANG)
    d = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 27))
    assert (d.days, d.working, d.due_date) == (5, True, D(2024, 10, 10))


def test_the_rule_set_is_taken_on_the_start_date_unless_told_otherwise(cast):
    assign(cast.city, ZHEJIANG, since=D(2024, 10, 1))
    before = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 27))
    assert before.days == 15
    told = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 27), on=D(2024, 10, 1))
    assert told.days == 5


def test_a_local_target_is_stored_beside_the_statutory_date(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10), target_key="urgency:急")
    assert (d.due_date, d.target_date) == (D(2024, 11, 9), D(2024, 9, 13))


def test_opening_rejects_unknown_clocks_targets_and_the_extension_cap(cast):
    with pytest.raises(ValueError, match="未知的期限类型"):
        open_deadline(cast.dept, org=cast.dept, clock="appeal", start=D(2024, 9, 10))
    with pytest.raises(ValueError, match="延期上限"):
        open_deadline(cast.dept, org=cast.dept, clock="extension", start=D(2024, 9, 10))
    with pytest.raises(RuleNotFound, match="urgency:慢"):
        open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10), target_key="urgency:慢")


# --- extension, pauses, closing ----------------------------------------------------------


def test_extension_moves_the_handling_deadline_within_the_thirty_day_cap(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10), target_key="urgency:一般")
    services.extend(d, 10)
    services.extend(d, 20)
    assert stored(d).due_date == D(2024, 12, 9) == d.due_date
    assert d.target_date == D(2024, 9, 17)  # the local commitment is not extended
    with pytest.raises(DeadlineError, match="不得超过 30 天"):
        services.extend(d, 1)
    assert stored(d).extension_days == 30


def test_only_the_handling_clock_can_be_extended(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 10))
    with pytest.raises(DeadlineError, match="不能延期"):
        services.extend(d, 5)
    with pytest.raises(DeadlineError, match="正数"):
        services.extend(d, 0)


def test_a_closed_pause_adds_its_days_to_a_calendar_day_clock(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    services.pause(d, D(2024, 9, 20))
    services.resume(d, D(2024, 9, 24))  # five days not counted, both ends included
    d = stored(d)
    assert d.pauses == [["2024-09-20", "2024-09-24"]]
    assert d.due_date == D(2024, 11, 14) and not d.paused


def test_a_pause_over_rest_days_does_not_move_a_working_day_clock(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=D(2024, 9, 27))
    assert d.due_date == D(2024, 10, 10)
    services.pause(d, D(2024, 10, 5))
    services.resume(d, D(2024, 10, 7))  # inside the National Day break
    assert d.due_date == D(2024, 10, 10)
    services.pause(d, D(2024, 10, 8))
    services.resume(d, D(2024, 10, 8))  # one working day not counted
    assert d.due_date == D(2024, 10, 11)


def test_a_running_pause_flags_the_deadline_and_grows_it_until_resumed(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    services.pause(d, D(2024, 9, 20))
    today = timezone.localdate()
    expected = compute_due(
        D(2024, 9, 10), 60, get_work_calendar(), working=False, pauses=[Pause(D(2024, 9, 20))], as_of=today
    )
    d = stored(d)
    assert d.paused and d.due_date == expected.due > today
    assert not Deadline.objects.overdue(today + timedelta(days=10_000)).filter(pk=d.pk).exists()
    services.resume(d, D(2024, 9, 24))
    assert not d.paused and d.due_date == D(2024, 11, 14)


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("pause", D(2024, 9, 20)), ("pause", D(2024, 9, 21))], "已经中止"),
        ([("pause", D(2024, 9, 1))], "早于起算日"),
        ([("resume", D(2024, 9, 20))], "没有处于中止"),
        ([("pause", D(2024, 9, 20)), ("resume", D(2024, 9, 19))], "早于中止开始"),
        ([("pause", D(2024, 9, 20)), ("resume", D(2024, 9, 22)), ("pause", D(2024, 9, 22))], "重叠"),
    ],
)
def test_pause_and_resume_refuse_inconsistent_history(cast, steps, message):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    *setup, (last_action, last_day) = steps
    for action, day in setup:
        getattr(services, action)(d, day)
    with pytest.raises(DeadlineError, match=message):
        getattr(services, last_action)(d, last_day)


def test_met_and_cancelled_deadlines_are_history(cast):
    met = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 10))
    services.meet(met, D(2024, 9, 30))
    assert met.status == DeadlineStatus.MET and met.met_at == D(2024, 9, 30) and met.is_late
    dropped = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    services.cancel(dropped)
    assert stored(dropped).status == DeadlineStatus.CANCELLED
    with pytest.raises(DeadlineError, match="已完成"):
        services.pause(met, D(2024, 9, 20))
    with pytest.raises(DeadlineError, match="已撤销"):
        services.meet(dropped, D(2024, 9, 20))
    corrupt(met, dropped)
    assert services.recompute_deadlines() == 0
    assert stored(met).due_date == D(2000, 1, 1)


def test_queries_for_overdue_and_due_soon_use_the_stored_dates(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 10))  # due 09-25
    assert list(Deadline.objects.due_soon(D(2024, 9, 23))) == [d]
    assert list(Deadline.objects.overdue(D(2024, 9, 26))) == [d]
    assert not Deadline.objects.overdue(D(2024, 9, 25)).exists()
    assert list(Deadline.objects.for_owner(cast.dept)) == [d]


# --- recomputing ----------------------------------------------------------------------------


def test_recompute_is_idempotent(cast):
    a = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    b = open_deadline(cast.dept2, org=cast.dept2, clock="acceptance", start=D(2024, 9, 10))
    corrupt(a, b)
    assert services.recompute_deadlines() == 2
    assert services.recompute_deadlines() == 0
    assert stored(a).due_date == D(2024, 11, 9)


def test_recompute_for_changed_dates_considers_only_deadlines_whose_window_contains_them(cast):
    inside = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 9, 10))  # to 09-25
    outside = open_deadline(cast.dept, org=cast.dept, clock="acceptance", start=D(2024, 10, 10))  # to 10-25
    paused = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2023, 1, 10))
    services.pause(paused, D(2023, 1, 11))
    Deadline.objects.filter(pk=paused.pk).update(extension_days=1)  # a stale date, whatever today is
    # A wrong flag (not a wrong date, which would move the window) shows which rows were looked at.
    Deadline.objects.update(provisional=True)
    assert services.recompute_deadlines(dates=[D(2024, 9, 20)]) == 2
    assert not stored(inside).provisional
    assert stored(outside).provisional  # untouched: the change cannot affect it
    assert stored(paused).due_date == paused.due_date + timedelta(days=1)  # running pauses are always refreshed


def test_recompute_accepts_whole_years(cast):
    open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 12, 1))  # to 2025-01-30
    Deadline.objects.update(provisional=True)
    assert services.recompute_deadlines(dates=[2026]) == 0
    assert services.recompute_deadlines(dates=[2025]) == 1


def test_adding_and_removing_a_holiday_recomputes_the_affected_deadline(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=D(2025, 10, 31))
    assert d.due_date == D(2025, 11, 7)
    day = CalendarDay.objects.create(date=D(2025, 11, 5), kind="holiday", name="测试")
    assert day.recomputed == 1
    assert stored(d).due_date == D(2025, 11, 10)
    day.delete()
    assert stored(d).due_date == D(2025, 11, 7)


def test_moving_a_calendar_entry_recomputes_for_both_dates(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=D(2025, 10, 31))
    day = CalendarDay.objects.create(date=D(2025, 11, 5), kind="holiday", name="测试")
    day = CalendarDay.objects.get(pk=day.pk)
    day.date = D(2025, 12, 5)
    day.save()
    assert stored(d).due_date == D(2025, 11, 7)


def test_removing_a_years_schedule_makes_its_deadlines_provisional(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2025, 12, 1))
    assert d.due_date == D(2026, 1, 30) and not d.provisional
    CalendarYear.objects.get(year=2026).delete()
    assert stored(d).provisional
    CalendarYear.objects.create(year=2026, source="seed")
    assert not stored(d).provisional


def test_a_deadline_opened_into_an_unloaded_year_is_stored_provisional(cast):
    CalendarYear.objects.filter(year=2027).delete()  # in case a newer chinesecalendar ships 2027
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2026, 12, 1))
    assert stored(d).provisional


def test_recompute_tells_owners_which_deadlines_moved(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    open_deadline(cast.dept2, org=cast.dept2, clock="handling", start=D(2023, 9, 10))
    corrupt(d)
    received = []

    def listener(sender, owner_type_ids, **kwargs):
        received.append(owner_type_ids)

    deadlines_recomputed.connect(listener)
    try:
        services.recompute_deadlines()
        services.recompute_deadlines()  # nothing changed: no signal
    finally:
        deadlines_recomputed.disconnect(listener)
    assert received == [{ContentType.objects.get_for_model(cast.dept).pk: [cast.dept.pk]}]


def test_calendar_changes_in_a_batch_recompute_once(cast, monkeypatch):
    calls = []
    real = services.recompute_deadlines
    monkeypatch.setattr(services, "recompute_deadlines", lambda *a, **k: calls.append(k) or real(*a, **k))
    with services.calendar_changes() as change:
        for day in (3, 4, 5):
            CalendarDay.objects.create(date=D(2025, 11, day), kind="holiday", name="测试")
        assert get_work_calendar().is_workday(D(2025, 11, 4)) is False  # visible inside the batch
    assert len(calls) == 1 and change.recomputed == 0


def test_the_cached_calendar_is_rebuilt_after_an_edit():
    first = get_work_calendar()
    assert get_work_calendar() is first
    assert first.is_workday(D(2025, 11, 4))
    CalendarDay.objects.create(date=D(2025, 11, 4), kind="holiday", name="测试")
    assert get_work_calendar() is not first
    assert not get_work_calendar().is_workday(D(2025, 11, 4))


# --- rule edits ---------------------------------------------------------------------------------


def test_editing_a_rule_updates_the_open_deadlines_that_came_from_it(cast):
    assign(cast.other_county, ZHEJIANG)
    ours = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10))
    theirs = open_deadline(cast.other_dept, org=cast.other_dept, clock="handling", start=D(2024, 9, 10))
    done = open_deadline(cast.dept2, org=cast.dept2, clock="handling", start=D(2024, 9, 10))
    services.meet(done, D(2024, 10, 1))
    rule = ClockRule.objects.get(rule_set__code=NATIONAL, clock="handling")
    rule.days = 45
    rule.save()
    assert rule.recomputed == 1
    assert (stored(ours).days, stored(ours).due_date) == (45, D(2024, 10, 25))
    assert stored(theirs).due_date == D(2024, 11, 9)  # Zhejiang's rule did not change
    assert stored(done).days == 60  # history stays as it was


def test_editing_or_removing_a_local_target_updates_open_deadlines(cast):
    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=D(2024, 9, 10), target_key="urgency:急")
    target = LocalTarget.objects.get(rule_set__code=NATIONAL, key="urgency:急")
    target.days = 2
    target.save()
    assert stored(d).target_date == D(2024, 9, 12)
    target.delete()
    assert stored(d).target_date is None and stored(d).due_date == D(2024, 11, 9)
