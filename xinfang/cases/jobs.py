"""The periodic jobs of cases and the clock, registered with xinfang.background.

They run by themselves in every worker (``python manage.py worker``); each
is idempotent, so a slot run twice or a worker killed mid-job does no harm.
The manual commands stay: ``finalize_lapsed``, ``clock recompute``,
``outbox drain``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from xinfang.background import periodic


@periodic("finalize_lapsed", every=timedelta(hours=1))
def finalize_lapsed_job() -> int:
    """复查、复核申请期限届满的信访件自动终结（条例第三十六条）"""
    from xinfang.cases.actions import finalize_lapsed

    return finalize_lapsed()


@periodic("clock_recompute", every=timedelta(days=1), offset=timedelta(minutes=10))
def clock_recompute_job() -> int:
    """每日重新计算进行中的期限（听证中止的期限每日顺延）"""
    from xinfang.clock.services import recompute_deadlines

    return recompute_deadlines()


@periodic("drain_outbox", every=timedelta(seconds=30))
def drain_outbox_job() -> str:
    """把信访件事件交给每个已登记的消费者（通知等）"""
    from xinfang.cases import outbox

    worker = f"job-{os.getpid()}"
    done = {name: outbox.drain(name, worker=worker).done for name in list(outbox.CONSUMERS)}
    return " ".join(f"{name}={n}" for name, n in sorted(done.items()))
