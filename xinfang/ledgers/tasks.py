"""The import task: safe to kill and to run again (rows are keyed by their ledger number)."""

from django.conf import settings
from django_tasks import task


@task(queue_name=settings.TASKS_QUEUE)
def import_ledger(import_id: int) -> str:
    from xinfang.ledgers.importer import run

    return run(import_id)
