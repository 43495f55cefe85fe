"""Periodic jobs: registered by the apps, enqueued once per slot however many schedulers run, run by the queue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from xinfang.background import JOBS, periodic
from xinfang.background.models import JobRun, RunOutcome
from xinfang.background.scheduler import tick
from xinfang.background.tasks import run_job
from xinfang.background.testing import run_queued

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
calls: list[str] = []


@pytest.fixture
def only_test_jobs():
    """The project's jobs stand aside; the test registers its own."""
    saved = dict(JOBS)
    JOBS.clear()
    calls.clear()
    yield
    JOBS.clear()
    JOBS.update(saved)


def test_the_projects_jobs_register_themselves():
    assert {"finalize_lapsed", "clock_recompute", "drain_outbox", "deliver_notifications"} <= set(JOBS)
    assert JOBS["finalize_lapsed"].every == timedelta(hours=1)
    assert JOBS["clock_recompute"].every == timedelta(days=1)


def test_slots_are_counted_from_local_midnight_plus_the_offset(settings):
    @periodic("nightly", every=timedelta(days=1), offset=timedelta(hours=1))
    def nightly():
        return None

    try:
        job = JOBS["nightly"]
        assert job.slot(datetime(2026, 3, 2, 0, 30, tzinfo=SH)) == datetime(2026, 3, 1, 1, 0, tzinfo=SH)
        assert job.slot(datetime(2026, 3, 2, 1, 0, tzinfo=SH)) == datetime(2026, 3, 2, 1, 0, tzinfo=SH)
        assert job.next_slot(datetime(2026, 3, 2, 1, 0, tzinfo=SH)) == datetime(2026, 3, 3, 1, 0, tzinfo=SH)
    finally:
        JOBS.pop("nightly")


def test_a_job_is_enqueued_once_per_slot(only_test_jobs, clock):
    @periodic("hourly", every=timedelta(hours=1))
    def hourly():
        calls.append("hourly")
        return 3

    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=SH))
    assert [r.job for r in tick()] == ["hourly"]
    clock.advance(minutes=50)
    assert tick() == []  # still 09:00–10:00
    assert run_queued() == 1
    assert calls == ["hourly"]
    clock.advance(minutes=10)  # 10:05: the next slot
    assert [r.slot for r in tick()] == [datetime(2026, 3, 2, 10, 0, tzinfo=SH)]
    run_queued()
    assert calls == ["hourly", "hourly"]
    assert list(JobRun.objects.order_by("slot").values_list("outcome", "result")) == [("done", "3"), ("done", "3")]


def test_two_schedulers_in_one_slot_run_the_job_once(only_test_jobs, clock):
    @periodic("sweep", every=timedelta(minutes=1))
    def sweep():
        calls.append("sweep")

    clock.set(datetime(2026, 3, 2, 9, 0, 10, tzinfo=SH))
    first, second = tick(), tick()  # two workers' schedulers, same slot
    assert len(first) == 1 and second == []
    assert DBTaskResult.objects.count() == 1
    run_queued()
    assert calls == ["sweep"]


def test_a_task_delivered_twice_runs_its_slot_once(only_test_jobs, clock):
    @periodic("sweep", every=timedelta(minutes=1))
    def sweep():
        calls.append("sweep")

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    (run,) = tick()
    assert run_job.call(run.pk) == ""
    assert run_job.call(run.pk) == "already run"  # at least once: a repeat finds the slot taken
    assert calls == ["sweep"]


def test_a_failing_job_is_recorded_and_the_next_slot_tries_again(only_test_jobs, clock):
    @periodic("flaky", every=timedelta(minutes=10))
    def flaky():
        calls.append("flaky")
        if len(calls) == 1:
            raise RuntimeError("数据库暂时不可用")
        return "ok"

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    tick()
    run_queued()
    run = JobRun.objects.get()
    assert run.outcome == RunOutcome.FAILED and "数据库暂时不可用" in run.error
    clock.advance(minutes=10)
    tick()
    run_queued()
    assert list(JobRun.objects.order_by("slot").values_list("outcome", flat=True)) == ["failed", "done"]


def test_a_scheduler_back_after_a_day_runs_only_the_current_slot(only_test_jobs, clock):
    @periodic("hourly", every=timedelta(hours=1))
    def hourly():
        calls.append("hourly")

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    tick()
    clock.advance(days=1)
    assert len(tick()) == 1
    run_queued()
    assert calls == ["hourly", "hourly"]


def test_scheduler_once_prints_what_it_scheduled(only_test_jobs, clock, capsys):
    @periodic("hourly", every=timedelta(hours=1))
    def hourly():
        return None

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    call_command("scheduler", "--once")
    call_command("scheduler", "--once")
    assert capsys.readouterr().out.splitlines() == ["已安排 1 个定时任务：hourly", "已安排 0 个定时任务：无"]


def test_old_run_records_are_pruned(clock, settings):
    settings.BACKGROUND_KEEP_DAYS = 14
    clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=SH))
    JobRun.objects.create(job="x", slot=clock.now(), created_at=clock.now(), outcome="done")
    clock.advance(days=15)
    JobRun.objects.create(job="x", slot=clock.now(), created_at=clock.now(), outcome="done")
    assert JOBS["prune_background_history"].func() == "runs=1 tasks=0"
    assert JobRun.objects.count() == 1
