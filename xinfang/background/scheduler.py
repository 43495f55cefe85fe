"""The scheduler: enqueue each periodic job once per slot.

``tick()`` is cheap (one insert attempt per job) and safe to call from any
number of processes at once: the unique (job, slot) key lets one insert win.
Each worker calls it every ``SCHEDULER_TICK_SECONDS``; so may a separate
``python manage.py scheduler`` process.
"""

from __future__ import annotations

import logging
import threading
from functools import partial

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction

from xinfang.background.models import JobRun
from xinfang.background.registry import JOBS
from xinfang.core import clock

log = logging.getLogger("xinfang.background")


def tick() -> list[JobRun]:
    """Insert and enqueue the current slot of every job not yet scheduled for it; returns the new runs."""
    from django_tasks_db.backend import DatabaseBackend

    from xinfang.background.tasks import run_job

    in_database = isinstance(run_job.get_backend(), DatabaseBackend)
    now = clock.now()
    created = []
    for job in list(JOBS.values()):
        slot = job.slot(now)
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, slot=slot, created_at=now)
                if in_database:
                    # The run and its task commit together.
                    run_job.enqueue(run.pk)
                else:
                    # Redis must not hand the task out before the run is committed. (A
                    # crash between the two loses one slot of a sweep; the next makes up.)
                    transaction.on_commit(partial(run_job.enqueue, run.pk))
        except IntegrityError:
            continue  # another scheduler took this slot
        created.append(run)
        log.info("scheduled %s for %s", job.name, slot)
    return created


def tick_seconds() -> float:
    return float(getattr(settings, "SCHEDULER_TICK_SECONDS", 5))


def loop(stop: threading.Event, every: float | None = None) -> None:
    """Tick until ``stop`` is set (a worker's scheduler thread, or the scheduler command)."""
    every = tick_seconds() if every is None else every
    while not stop.is_set():
        try:
            tick()
        except Exception:  # noqa: BLE001 — a database hiccup must not stop the schedule
            log.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(every)


def start_thread(every: float | None = None) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(stop, every), name="xinfang-scheduler", daemon=True)
    thread.start()
    return thread, stop
