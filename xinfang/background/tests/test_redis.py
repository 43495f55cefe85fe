"""The same tasks on Redis (django-tasks-rq): for deployments on several machines.

Runs against the Redis on 127.0.0.1:6379 (REDIS_URL); skipped when none
answers, unless REQUIRE_REDIS=1 (CI), which turns that into a failure.
"""

import os
import socket
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from xinfang.background import JOBS, periodic
from xinfang.background.models import JobRun
from xinfang.background.scheduler import tick

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _redis_answers() -> bool:
    url = urlparse(django_settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def rq(settings):
    if not _redis_answers():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required but nothing answers at {settings.REDIS_URL}")
        pytest.skip("Redis not reachable")
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [settings.TASKS_QUEUE]}}
    queue = django_rq.get_queue(settings.TASKS_QUEUE, job_class=Job)
    queue.empty()

    def work() -> int:
        """Run what the queue holds in this process (a burst), return how many jobs ran."""
        before = queue.count
        worker = django_rq.get_worker(settings.TASKS_QUEUE, job_class=Job, worker_class=SimpleWorker)
        worker.work(burst=True)
        assert queue.count == 0
        return before

    yield queue, work
    queue.empty()


def test_periodic_jobs_and_deliveries_run_through_redis(rq, cast, clock, django_capture_on_commit_callbacks):
    queue, work = rq
    calls = []

    @periodic("redis_probe", every=timedelta(minutes=5))
    def probe():
        calls.append(1)
        return "ok"

    try:
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
        with django_capture_on_commit_callbacks(execute=True):
            runs = tick()
        assert queue.count == len(runs)  # enqueued once the runs committed, not before
        with django_capture_on_commit_callbacks(execute=True):
            assert tick() == []  # a second scheduler in the slot adds nothing
        assert queue.count == len(runs)
        assert work() == len(runs)
        assert calls == [1]
        assert JobRun.objects.get(job="redis_probe").result == "ok"

        # A notification written in a transaction is delivered by a Redis worker after commit.
        from xinfang.notifications import notify
        from xinfang.notifications.models import ChannelPreference, Delivery, NotificationKind

        kind = NotificationKind.objects.get(code="case.routed")
        cast.officer.email = "officer@example.gov.cn"
        cast.officer.save()
        ChannelPreference.objects.create(user=cast.officer, kind=kind, email=True)
        with django_capture_on_commit_callbacks(execute=True):
            assert notify("case.routed", users=[cast.officer], dedupe="redis:1", context={"action": "交办"}) == 1
        assert queue.count == 1
        assert work() == 1
        assert Delivery.objects.get().status == "sent"
    finally:
        JOBS.pop("redis_probe", None)
