"""The archive task (kicked when a volume is asked for) and its periodic sweep.

Both are idempotent: a build stores its volume only if no later one was
stored (``archive.build_volume``), so a task delivered twice, or a sweep
running beside a kicked task, costs at most one build more.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from xinfang.background import periodic


@task(queue_name=settings.TASKS_QUEUE)
def build_archive(case_id: int) -> str:
    """Build the archive volume owed for one case."""
    from xinfang.documents.archive import build_or_record_error

    return build_or_record_error(case_id)


@periodic("archive_sweep", every=timedelta(minutes=5), offset=timedelta(minutes=2))
def archive_sweep() -> str:
    """生成尚未生成或需要重新生成的归档卷宗（补上未被即时触发或中途中断的）"""
    from xinfang.documents.archive import sweep

    return sweep()
