"""The delivery task (kicked after a transaction that wrote deliveries) and its periodic sweep."""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from xinfang.background import periodic


def _worker() -> str:
    return f"{os.uname().nodename[:20]}-{os.getpid()}"


@task(queue_name=settings.TASKS_QUEUE)
def deliver_notifications() -> str:
    """Send every delivery due now."""
    from xinfang.notifications.delivery import deliver_all

    return str(deliver_all(worker=_worker(), budget=settings.NOTIFY_TASK_BUDGET_SECONDS))


@periodic("deliver_notifications", every=timedelta(seconds=settings.NOTIFY_SWEEP_SECONDS))
def deliver_sweep() -> str:
    """发送到期的通知（含重试），补上未被即时触发的"""
    from xinfang.notifications.delivery import deliver_all

    return str(deliver_all(worker=_worker(), budget=settings.NOTIFY_TASK_BUDGET_SECONDS))
