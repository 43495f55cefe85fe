"""The task that runs one slot of a periodic job."""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django_tasks import task

from xinfang.background.models import JobRun, RunOutcome
from xinfang.background.registry import JOBS
from xinfang.core import clock

log = logging.getLogger("xinfang.background")


@task(queue_name=settings.TASKS_QUEUE)
def run_job(run_id: int) -> str:
    """Run the slot ``run_id`` once: a second delivery of the same task (at least once) finds it taken."""
    now = clock.now()
    taken = JobRun.objects.filter(pk=run_id, outcome=RunOutcome.QUEUED).update(
        outcome=RunOutcome.RUNNING, started_at=now
    )
    if not taken:
        return "already run"
    run = JobRun.objects.get(pk=run_id)
    job = JOBS.get(run.job)
    if job is None:
        JobRun.objects.filter(pk=run_id).update(
            outcome=RunOutcome.FAILED, finished_at=clock.now(), error=f"未登记的定时任务：{run.job}"
        )
        return "unknown job"
    try:
        result = job.func()
    except Exception as exc:  # noqa: BLE001 — recorded on the run; the next slot tries again
        log.exception("periodic job %s failed", run.job)
        JobRun.objects.filter(pk=run_id).update(
            outcome=RunOutcome.FAILED,
            finished_at=clock.now(),
            error="".join(traceback.format_exception(exc))[-4000:],
        )
        raise
    text = "" if result is None else str(result)
    JobRun.objects.filter(pk=run_id).update(outcome=RunOutcome.DONE, finished_at=clock.now(), result=text[:500])
    return text[:500]
