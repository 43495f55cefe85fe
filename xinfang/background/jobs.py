"""The background app's own housekeeping: old run records and finished task rows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from xinfang.background.models import JobRun
from xinfang.background.registry import periodic
from xinfang.core import clock


@periodic("prune_background_history", every=timedelta(days=1), offset=timedelta(hours=3, minutes=30))
def prune_history() -> str:
    """删除保留期以前的定时任务运行记录和已结束的任务队列记录"""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    keep = timedelta(days=getattr(settings, "BACKGROUND_KEEP_DAYS", 14))
    cutoff = clock.now() - keep
    runs, _ = JobRun.objects.filter(created_at__lt=cutoff).delete()
    tasks, _ = DBTaskResult.objects.filter(
        finished_at__lt=cutoff, status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    ).delete()
    return f"runs={runs} tasks={tasks}"
