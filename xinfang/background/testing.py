"""For tests: run what the database queue holds, in this process and transaction (no worker, no sleep)."""

from __future__ import annotations


def run_queued(*, rounds: int = 20) -> int:
    """Run every ready task of the database backend (and those they enqueue); returns how many ran.

    The real worker (``manage.py worker``) is exercised by the process tests;
    this runs the same task functions inside the test's transaction, which
    a worker process could not see.
    """
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for _ in range(rounds):
        ready = list(DBTaskResult.objects.ready().order_by("enqueued_at"))
        if not ready:
            return ran
        for row in ready:
            row.claim("test")
            result = row.task_result
            try:
                value = row.task.call(*result.args, **result.kwargs)
            except Exception as exc:  # noqa: BLE001 — recorded like the worker does
                row.set_failed(exc)
            else:
                row.set_successful(value)
            ran += 1
    return ran
