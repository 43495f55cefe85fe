"""Background work: django-tasks, and the project's periodic jobs.

Tasks run on django-tasks (the backport of Django 6's Tasks API). The
embedded default is its database backend (``django_tasks_db``): the queue is
a table in the project's own database, so a SQLite installation needs
nothing else, and ``python manage.py worker`` (started by ``make run``
beside the web server) executes it. A deployment on several machines sets
``TASKS_BACKEND=rq`` and ``REDIS_URL``: the same tasks then go through Redis
(django-tasks-rq) to ``python manage.py worker`` processes on any machine.

Periodic jobs are registered by the apps above this one, in their
``AppConfig.ready``::

    from xinfang.background import periodic

    @periodic("finalize_lapsed", every=timedelta(hours=1), description="……")
    def finalize_lapsed_job():
        return finalize_lapsed()

A job is a plain function of no arguments; it must be idempotent and safe to
kill at any point (a job that consumes a queue leases what it takes). The
scheduler (``scheduler.tick``, run every few seconds by each worker, or by
``python manage.py scheduler`` beside RQ workers) cuts time into slots of
each job's interval and, for the current slot, inserts a ``JobRun`` with the
unique key (job, slot) and enqueues one ``run_job`` task for it. Two
schedulers running at once (two workers, or one started by mistake) insert
the same key: the database refuses the second, so each slot runs once. A
scheduler that was down runs only the current slot when it comes back, not
every slot it missed: the jobs are sweeps that catch up by themselves.

``kick(task, *args)`` enqueues a task when the caller's transaction commits
(e.g. "deliver the notifications just written"): a kick is a hint for
latency, never the only way work gets done, since every queue also has a
periodic job that sweeps it.

Layer: above ``orgs`` and beside ``clock`` and ``petitioners``; it imports no
domain app (``cases`` registers its jobs here, not the other way round).
"""

from xinfang.background.kicks import kick
from xinfang.background.registry import JOBS, PeriodicJob, periodic

__all__ = ["JOBS", "PeriodicJob", "kick", "periodic"]
