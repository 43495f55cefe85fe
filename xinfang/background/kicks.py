"""Enqueue a task when the caller's transaction commits, at most once per transaction."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger("xinfang.background")


def kick(task, *args) -> None:
    """Enqueue ``task(*args)`` after the current transaction commits (at once outside one).

    Several kicks of the same task and arguments in one transaction enqueue
    it once. On the database backend a kick is skipped while the same task
    is still waiting in the queue (it has not started, so it will see this
    transaction's rows). A kick that fails to enqueue is logged, never
    raised: the periodic sweep of the same queue does the work a little later.
    """
    key = (task.module_path, args)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "_xinfang_kick", None) == key for _sids, func, _robust in connection.run_on_commit
    ):
        return

    def enqueue():
        try:
            if _already_waiting(task, args):
                return
            task.enqueue(*args)
        except Exception:  # noqa: BLE001 — a hint only
            log.exception("could not enqueue %s", task.module_path)

    enqueue._xinfang_kick = key  # type: ignore[attr-defined]
    transaction.on_commit(enqueue)


def _already_waiting(task, args) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path, backend_name=backend.alias)
    return any(row == {"args": list(args), "kwargs": {}} for row in waiting.values_list("args_kwargs", flat=True)[:20])
