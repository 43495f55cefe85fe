"""The daily jobs that used to need cron run by themselves through the scheduler and the queue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xinfang.background.models import JobRun
from xinfang.background.scheduler import tick
from xinfang.background.testing import run_queued
from xinfang.cases import outbox
from xinfang.cases.states import Status
from xinfang.clock.models import Deadline

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def test_a_lapsed_review_window_makes_the_case_final_by_itself(cast, flow, clock, settings):
    case = flow.delivered(assign=False)
    case.refresh_from_db()
    clock.set(case.window_until + timedelta(days=settings.LAPSE_GRACE_DAYS + 1))
    tick()
    run_queued()
    case.refresh_from_db()
    assert case.status == Status.FINAL
    assert case.events.latest("pk").actor_display == "系统（期限届满自动终结）"
    assert JobRun.objects.get(job="finalize_lapsed").result == "1"


def test_the_daily_recompute_runs_once_a_day(cast, flow, clock):
    # A fixed morning: from the real time, an hour after 23:10 crosses the next day's 00:10 run.
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    flow.register()
    clock.advance(days=1)
    assert "clock_recompute" in [r.job for r in tick()]
    clock.advance(hours=1)
    assert "clock_recompute" not in [r.job for r in tick()]
    run_queued()
    assert JobRun.objects.get(job="clock_recompute").outcome == "done"
    assert Deadline.objects.exists()


def test_the_outbox_is_drained_for_every_registered_consumer(cast, flow, clock):
    seen = []
    outbox.register("test_counter", lambda event: seen.append(event.pk))
    try:
        case = flow.register()
        tick()
        run_queued()
        assert seen == [case.events.get().pk]
        result = JobRun.objects.get(job="drain_outbox").result
        assert "notifications=1" in result and "test_counter=1" in result
    finally:
        outbox.unregister("test_counter")
