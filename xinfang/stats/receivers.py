"""Deadlines moved without an event (a calendar or rule edit): their cases' facts are applied again.

The clock's recompute (a holiday added, a year loaded, an admin editing a period) sends
``deadlines_recomputed`` with the owners of the changed rows, in the edit's transaction. The
rollups (``rollups``) hold facts dated by those due dates (按期办结 by the month a handling
period fell due), and no case event tells the ``stats-rollups`` consumer. So each such case's
entry for its latest event is opened again (made, for a history older than the consumer): until
the worker recomputes the case it is a pending case, which the pages count directly (exact), and
then its new facts replace the old ones. Opening a done entry again loses only its first
``done_at``.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.dispatch import receiver

from xinfang.cases import outbox
from xinfang.cases.models import Case, CaseEvent, OutboxEntry
from xinfang.clock.signals import deadlines_recomputed
from xinfang.core import clock
from xinfang.stats.rollups import CONSUMER

CHUNK = 500


@receiver(deadlines_recomputed, dispatch_uid="stats_deadlines_moved")
def reopen_moved_cases(sender, owner_type_ids=None, **kwargs) -> None:
    if CONSUMER not in outbox.CONSUMERS:
        return
    ids = sorted(set((owner_type_ids or {}).get(ContentType.objects.get_for_model(Case).pk, [])))
    now = clock.now()
    for start in range(0, len(ids), CHUNK):
        latest = list(
            CaseEvent.objects.filter(case_id__in=ids[start : start + CHUNK])
            .values("case_id")
            .annotate(last=Max("pk"))
            .values_list("last", flat=True)
        )
        OutboxEntry.objects.bulk_create(
            [OutboxEntry(event_id=pk, consumer=CONSUMER, available_at=now) for pk in latest], ignore_conflicts=True
        )
        OutboxEntry.objects.filter(consumer=CONSUMER, event_id__in=latest).update(
            done_at=None, failed_at=None, attempts=0, claimed_by="", lease_until=None, available_at=now, last_error=""
        )
