"""Statutory deadlines opened, met, moved and lapsed by the actions (real 2024–2026 calendar)."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases import deadlines
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.clock.models import Clock, DeadlineStatus
from xinfang.devdata.flow import make_petitioner, register

D = date


def clocks(case, status=DeadlineStatus.OPEN):
    return {d.clock: d for d in deadlines.case_deadlines(case).filter(status=status)}


def local(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h))


def test_registration_at_the_bureau_opens_routing_15_days_from_the_receipt_date(flow, now_at):
    now_at(D(2025, 3, 5))
    case = flow.register(received_at=local(2025, 3, 3))
    routing = clocks(case)[Clock.ROUTING]
    assert routing.start == D(2025, 3, 3) and routing.due_date == D(2025, 3, 18)
    assert (case.due_date, case.due_clock) == (D(2025, 3, 18), "routing")
    assert case.target_date == D(2025, 3, 10)  # the local 一般件 commitment, shown beside it


def test_registration_directly_at_a_competent_department_starts_the_acceptance_clock(cast, now_at):
    now_at(D(2025, 3, 5))
    p = make_petitioner(cast.dept_officer)
    case = register(cast.dept_officer, petitioners=[(p, True)], received_at=local(2025, 3, 4))
    assert case.status == "to_decide"
    assert set(clocks(case)) == {Clock.ACCEPTANCE}
    assert (case.due_date, case.due_clock) == (D(2025, 3, 19), "acceptance")


def test_forwarding_opens_acceptance_and_the_misrouting_objection_at_the_target(flow, cast, now_at):
    now_at(D(2024, 9, 20))
    case = flow.register()
    now_at(D(2024, 9, 27))  # Friday before National Day; Sunday 29 Sep is a make-up working day
    case = flow.forward(case)
    open_ = clocks(case)
    assert clocks(case, DeadlineStatus.MET)[Clock.ROUTING].met_at == D(2024, 9, 27)
    objection, acceptance = open_[Clock.MISROUTING_OBJECTION], open_[Clock.ACCEPTANCE]
    assert objection.org == acceptance.org == cast.dept
    assert objection.due_date == D(2024, 10, 10)  # 9/29, 9/30, 10/8, 10/9, 10/10
    assert acceptance.due_date == D(2024, 10, 12)
    assert case.due_date == D(2024, 10, 10) and case.due_clock == "misrouting_objection"


def test_signing_for_meets_the_misrouting_objection(flow, now_at):
    now_at(D(2025, 3, 3))
    case = flow.assign(flow.register())
    now_at(D(2025, 3, 4))
    case = flow.sign_for(case)
    assert clocks(case, DeadlineStatus.MET)[Clock.MISROUTING_OBJECTION].met_at == D(2025, 3, 4)
    assert set(clocks(case)) == {Clock.ACCEPTANCE}
    assert (case.due_date, case.due_clock) == (D(2025, 3, 18), "acceptance")


@pytest.mark.parametrize(("days_later", "late"), [(7, False), (8, True)])
def test_a_return_after_five_working_days_is_flagged_late(flow, cast, now_at, days_later, late):
    now_at(D(2025, 3, 3))  # Monday: the objection period ends Monday 10 March
    case = flow.forward(flow.register())
    now_at(D(2025, 3, 3) + timedelta(days=days_later))
    case = A.do_return(case, actor=cast.dept_officer, reason="不属于本局职责")
    event = case.events.get(action="return")
    assert event.data["late"] is late
    assert ("已超过5个工作日" in event.note) is late
    assert case.status == "registered" and case.current_org == cast.bureau and case.competent_org is None
    assert set(clocks(case)) == {Clock.ROUTING}  # the bureau routes afresh; acceptance at the wrong unit ends
    assert case.due_date == D(2025, 3, 3) + timedelta(days=days_later + 15)


def test_accepting_opens_the_60_day_handling_clock(flow, now_at):
    now_at(D(2025, 3, 3))
    case = flow.sign_for(flow.assign(flow.register()))
    now_at(D(2025, 3, 5))
    case = flow.accept(case)
    assert case.accepted_on == D(2025, 3, 5)
    assert clocks(case, DeadlineStatus.MET)[Clock.ACCEPTANCE].met_at == D(2025, 3, 5)
    assert set(clocks(case)) == {Clock.HANDLING}
    assert (case.due_date, case.due_clock) == (D(2025, 5, 4), "handling")


def test_an_approved_extension_moves_the_due_date_and_a_second_is_refused(flow, cast, now_at):
    now_at(D(2025, 3, 5))
    case = flow.handling()
    assert case.due_date == D(2025, 5, 4)
    case = A.do_request_extension(case, actor=cast.handler, days=30, reason="需委托鉴定")
    assert case.due_date == D(2025, 5, 4)  # not before approval
    case = A.do_approve_extension(case, actor=cast.unit_head)
    assert case.extension_days == 30 and case.due_date == D(2025, 6, 3)
    assert clocks(case)[Clock.HANDLING].due_date == D(2025, 6, 3)
    assert "2025年6月3日" in case.events.get(action="approve_extension").document
    with pytest.raises(NotAllowed) as exc:
        A.do_request_extension(case, actor=cast.handler, days=1, reason="再延期")
    assert "不能再次延期" in exc.value.message


def test_a_hearing_pauses_the_handling_clock_and_the_due_date_moves_by_the_paused_days(flow, cast, now_at):
    now_at(D(2025, 3, 5))
    case = flow.handling()
    assert case.due_date == D(2025, 5, 4)
    now_at(D(2025, 3, 10))
    case = A.do_start_hearing(case, actor=cast.handler, day=D(2025, 3, 10))
    assert case.hearing_open and clocks(case)[Clock.HANDLING].paused
    with pytest.raises(NotAllowed):
        A.do_start_hearing(case, actor=cast.handler)
    now_at(D(2025, 3, 14))
    case = A.do_end_hearing(case, actor=cast.handler, day=D(2025, 3, 14))
    assert not case.hearing_open
    assert case.due_date == D(2025, 5, 4) + timedelta(days=5)  # 10–14 March not counted
    with pytest.raises(NotAllowed):
        A.do_end_hearing(case, actor=cast.handler)


def test_replying_meets_the_handling_clock(flow, now_at):
    now_at(D(2025, 3, 5))
    case = flow.handling()
    now_at(D(2025, 4, 1))
    case = flow.reply(case)
    assert clocks(case, DeadlineStatus.MET)[Clock.HANDLING].met_at == D(2025, 4, 1)
    assert clocks(case) == {} and case.due_date is None and case.window_until is None
    assert case.replied_on == D(2025, 4, 1)


def test_delivery_of_the_reply_opens_the_30_day_review_window_rolled_off_a_holiday(flow, now_at):
    now_at(D(2025, 8, 1))
    case = flow.replied()
    now_at(datetime(2025, 9, 5, 16))
    case = flow.deliver(case, when=local(2025, 9, 5, 15))
    window = clocks(case)[Clock.REVIEW_WINDOW]
    # 30 days end on Sunday 5 October, inside the National Day break: rolls to Thursday 9 October.
    assert window.due_date == D(2025, 10, 9)
    assert case.window_until == D(2025, 10, 9) and case.reply_delivered_on == D(2025, 9, 5)
    assert case.due_date is None  # the window is the petitioner's, not an agency deadline


def test_the_review_window_opens_only_for_claims(flow, now_at):
    now_at(D(2025, 3, 5))
    case = flow.delivered(kind="suggestion")
    assert Clock.REVIEW_WINDOW not in clocks(case) and case.window_until is None


def test_it_refuses_review_after_window(flow, cast, now_at):
    now_at(D(2025, 3, 3))
    case = flow.delivered()
    assert case.window_until == D(2025, 4, 2)
    now_at(D(2025, 4, 2))
    with pytest.raises(Invalid):  # recorded today, but received after the window
        A.do_request_review(case, actor=cast.officer, received_on=D(2025, 4, 3))
    now_at(D(2025, 4, 3))
    with pytest.raises(Invalid) as exc:
        flow.request_review(case)  # received today, the day after the window
    assert exc.value.message == "复查申请期限已于2025年04月02日届满，2025年04月03日收到的申请已超过期限"
    assert exc.value.field == "received_on"


def test_a_request_received_in_time_but_registered_late_is_in_time(flow, cast, now_at):
    """The window counts from the petitioner's request, not from the clerk's registration (art 35)."""
    now_at(D(2025, 3, 3))
    case = flow.delivered()
    now_at(D(2025, 4, 7))  # five days after the window closed, before the lapse sweep's grace ends
    case = A.do_request_review(case, actor=cast.officer, received_on=D(2025, 4, 1))
    assert case.status == "review_requested"
    decision = clocks(case)[Clock.REVIEW_DECISION]
    assert decision.start == D(2025, 4, 1) and decision.due_date == D(2025, 5, 1)
    event = case.events.get(action="request_review")
    assert event.note == "收到复查申请日期：2025-04-01" and event.data["received_on"] == "2025-04-01"


def test_a_request_date_before_the_delivery_or_in_the_future_is_refused(flow, cast, now_at):
    now_at(D(2025, 3, 3))
    case = flow.delivered()
    now_at(D(2025, 3, 10))
    with pytest.raises(Invalid) as exc:
        A.do_request_review(case, actor=cast.officer, received_on=D(2025, 3, 2))
    assert exc.value.message == "收到申请日期不能早于处理意见书送达日期（2025年03月03日）"
    with pytest.raises(Invalid) as exc:
        A.do_request_review(case, actor=cast.officer, received_on=D(2025, 3, 11))
    assert exc.value.message == "收到申请日期不能晚于今天（2025年03月10日）"  # not "已届满": it has not happened
    case.refresh_from_db()
    assert case.status == "replied" and not case.events.filter(action="request_review").exists()


def test_a_review_request_on_the_last_day_opens_the_30_day_review_decision(flow, cast, now_at):
    now_at(D(2025, 3, 3))
    case = flow.delivered()
    now_at(D(2025, 4, 2))
    case = flow.request_review(case)
    assert clocks(case, DeadlineStatus.MET)[Clock.REVIEW_WINDOW].met_at == D(2025, 4, 2)
    decision = clocks(case)[Clock.REVIEW_DECISION]
    assert decision.org == cast.county and decision.due_date == D(2025, 5, 2)
    assert (case.due_date, case.due_clock, case.window_until) == (D(2025, 5, 2), "review_decision", None)


def test_the_reexam_window_and_decision(flow, cast, now_at):
    now_at(D(2025, 3, 3))
    case = flow.reviewed()
    assert clocks(case, DeadlineStatus.MET)[Clock.REVIEW_DECISION]
    assert case.due_date is None and case.window_until is None
    now_at(D(2025, 3, 10))
    case = flow.deliver(case, notice="review", actor=cast.officer)
    window = clocks(case)[Clock.REEXAM_WINDOW]
    assert window.due_date == D(2025, 4, 9) and case.window_until == D(2025, 4, 9)
    now_at(D(2025, 4, 10))
    with pytest.raises(Invalid) as exc:
        flow.request_reexam(case)
    assert exc.value.message == "复核申请期限已于2025年04月09日届满，2025年04月10日收到的申请已超过期限"
    with pytest.raises(Invalid) as exc:
        A.do_request_reexam(case, actor=cast.city_officer, received_on=D(2025, 3, 9))
    assert exc.value.message == "收到申请日期不能早于复查意见书送达日期（2025年03月10日）"
    now_at(D(2025, 4, 9))
    case = flow.request_reexam(case)
    decision = clocks(case)[Clock.REEXAM_DECISION]
    assert decision.org == cast.city and decision.due_date == D(2025, 5, 9)
    # A hearing during re-examination is not counted either (art 36).
    now_at(D(2025, 4, 15))
    case = A.do_start_hearing(case, actor=cast.city_officer, day=D(2025, 4, 15))
    case = A.do_end_hearing(case, actor=cast.city_officer, day=D(2025, 4, 15))
    assert case.due_date == D(2025, 5, 10)


def test_finalize_lapsed_makes_a_case_final_after_its_window_and_is_idempotent(flow, cast, now_at, settings):
    settings.LAPSE_GRACE_DAYS = 0
    now_at(D(2025, 3, 3))
    lapsing = flow.delivered()
    still_open = None
    now_at(D(2025, 3, 20))
    still_open = flow.delivered()
    now_at(D(2025, 4, 2))
    assert A.finalize_lapsed() == 0  # the last day still belongs to the petitioner
    with pytest.raises(NotAllowed):
        A.do_finalize(lapsing, actor=cast.officer)
    now_at(D(2025, 4, 3))
    assert A.finalize_lapsed() == 1
    lapsing.refresh_from_db()
    still_open.refresh_from_db()
    assert lapsing.status == "final" and lapsing.final_on == D(2025, 4, 3) and lapsing.window_until is None
    assert still_open.status == "replied"
    event = lapsing.events.get(action="finalize")
    assert event.actor is None and event.from_status == "replied" and "2025年04月02日" in event.note
    assert A.finalize_lapsed() == 0
    assert CaseEvent.objects.filter(action="finalize").count() == 1


def test_a_lapsed_reexam_window_makes_the_review_opinion_final(flow, cast, now_at, settings):
    settings.LAPSE_GRACE_DAYS = 0
    now_at(D(2025, 3, 3))
    case = flow.review_delivered()
    now_at(D(2025, 4, 3))
    assert A.finalize_lapsed() == 1
    case.refresh_from_db()
    assert case.status == "final" and "复查意见终结" in case.events.get(action="finalize").note


def test_the_sweep_waits_the_grace_period_but_staff_may_finalize_at_once(flow, cast, now_at, settings):
    settings.LAPSE_GRACE_DAYS = 10
    now_at(D(2025, 3, 3))
    first, second = flow.delivered(), flow.delivered()
    now_at(D(2025, 4, 12))  # ten days after the window closed: a late-registered request still fits
    assert A.finalize_lapsed() == 0
    A.do_finalize(first, actor=cast.dept_officer)  # staff who know nothing arrived need not wait
    now_at(D(2025, 4, 13))
    assert A.finalize_lapsed() == 1
    second.refresh_from_db()
    assert second.status == "final"


def test_the_finalize_lapsed_command_prints_the_count_and_is_idempotent(flow, now_at, capsys):
    now_at(D(2025, 3, 3))
    flow.delivered()
    now_at(D(2025, 4, 20))
    call_command("finalize_lapsed")
    assert "1" in capsys.readouterr().out
    call_command("finalize_lapsed")
    assert "0" in capsys.readouterr().out


def test_a_calendar_change_moves_the_due_date_shown_on_the_case(flow, cast, now_at):
    from xinfang.clock.models import CalendarDay

    now_at(date(2025, 3, 3))  # a Monday with no holiday that week
    case = flow.forward(flow.register())
    case.refresh_from_db()
    assert (case.due_clock, case.due_date) == (Clock.MISROUTING_OBJECTION, date(2025, 3, 10))
    CalendarDay.objects.create(date=date(2025, 3, 5), kind="holiday", name="临时放假")
    case.refresh_from_db()
    assert case.due_date == date(2025, 3, 11)
