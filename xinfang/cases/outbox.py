"""The transactional outbox of case events, and how consumers drain it.

A consumer is a named handler of case events (notifications, webhooks,
search indexing, statistics rollups: the apps that come after cases register
theirs in ``AppConfig.ready`` with ``register``). ``events.record`` writes
one ``OutboxEntry`` per registered consumer in the event's own transaction.

Delivery is at least once, and effectively once for a handler whose effects
are database writes: ``process`` claims a batch with a lease, then applies
each entry in its own transaction together with marking it done. A worker
that dies mid-batch leaves the rest of its claim to run out; another worker
(or itself, restarted) claims those entries again. A failing handler is
retried with exponential backoff and finally marked failed, for an
administrator to see (``python manage.py outbox status``).

Claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers of one consumer share the queue without waiting on each other, and a
compare-and-set update on SQLite (one writer at a time, no row locks).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q

from xinfang.core import clock

log = logging.getLogger("xinfang.outbox")

DEFAULT_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Callable  # handler(event) -> None; raise to retry
    description: str = ""
    max_attempts: int = 10


CONSUMERS: dict[str, Consumer] = {}


def register(name: str, handler: Callable, *, description: str = "", max_attempts: int = 10) -> Consumer:
    """Make ``handler`` receive every case event recorded from now on."""
    consumer = Consumer(name, handler, description, max_attempts)
    CONSUMERS[name] = consumer
    return consumer


def unregister(name: str) -> None:
    CONSUMERS.pop(name, None)


def enqueue(event) -> None:
    """One pending entry per registered consumer, in the caller's transaction (events.record)."""
    if not CONSUMERS:
        return
    from xinfang.cases.models import OutboxEntry

    now = clock.now()
    OutboxEntry.objects.bulk_create([OutboxEntry(event=event, consumer=name, available_at=now) for name in CONSUMERS])


def _pending(consumer: str, now):
    from xinfang.cases.models import OutboxEntry

    return OutboxEntry.objects.filter(
        consumer=consumer, done_at__isnull=True, failed_at__isnull=True, available_at__lte=now
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def claim(consumer: str, *, worker: str = "", limit: int = 100, lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Claim up to ``limit`` entries for ``lease``; returns their ids (oldest first).

    Each claim carries a fresh token, so entries this call claimed are told
    apart from those another worker claimed at the same moment.
    """
    from xinfang.cases.models import OutboxEntry

    now = clock.now()
    token = f"{worker or 'worker'}:{secrets.token_hex(8)}"[:64]
    with transaction.atomic():
        candidates = _pending(consumer, now).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            ids = list(candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            OutboxEntry.objects.filter(pk__in=ids).update(claimed_by=token, lease_until=now + lease)
            return ids
        # SQLite: compare-and-set. The update re-checks that each entry is still
        # claimable, so of two workers reading the same candidates only one wins each.
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        _pending(consumer, now).filter(pk__in=ids).update(claimed_by=token, lease_until=now + lease)
        return list(
            OutboxEntry.objects.filter(pk__in=ids, claimed_by=token).order_by("pk").values_list("pk", flat=True)
        )


@dataclass
class Result:
    done: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), MAX_BACKOFF)


def process(consumer: str, *, worker: str = "", limit: int = 100, lease: timedelta = DEFAULT_LEASE) -> Result:
    """Claim a batch and apply each entry; returns what happened."""
    from xinfang.cases.models import OutboxEntry

    spec = CONSUMERS[consumer]
    result = Result()
    claimed = claim(consumer, worker=worker, limit=limit, lease=lease)
    # The batch's entries with their events and cases in one query: read one by one, the look-up
    # cost more than most handlers (5 ms an entry against 0.6 ms of notifications' work).
    entries = OutboxEntry.objects.select_related("event", "event__case").in_bulk(claimed)
    for entry_id in claimed:
        entry = entries[entry_id]
        token = entry.claimed_by
        try:
            with transaction.atomic():
                spec.handler(entry.event)
                # Done only if the claim is still ours: had the lease run out and
                # another worker taken the entry, this transaction rolls back.
                marked = OutboxEntry.objects.filter(pk=entry.pk, claimed_by=token, done_at__isnull=True).update(
                    done_at=clock.now(), lease_until=None, last_error=""
                )
                if marked != 1:
                    raise LeaseLost(entry.pk)
            result.done += 1
        except LeaseLost:
            log.warning("outbox %s: entry %s was claimed again by another worker", consumer, entry.pk)
        except Exception as exc:  # noqa: BLE001 — one bad entry must not stop the batch
            attempts = entry.attempts + 1
            now = clock.now()
            failed = attempts >= spec.max_attempts
            OutboxEntry.objects.filter(pk=entry.pk, claimed_by=token).update(
                attempts=attempts,
                claimed_by="",
                lease_until=None,
                available_at=now + _backoff(attempts),
                failed_at=now if failed else None,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            if failed:
                result.failed += 1
                log.error("outbox %s: entry %s failed for good after %s attempts", consumer, entry.pk, attempts)
            else:
                result.retried += 1
            result.errors.append(f"#{entry.pk}: {exc}")
    return result


class LeaseLost(Exception):
    pass


def drain(consumer: str, *, worker: str = "", batch: int = 100) -> Result:
    """Process until nothing is available now (for commands and tests)."""
    total = Result()
    while True:
        r = process(consumer, worker=worker, limit=batch)
        total.done += r.done
        total.retried += r.retried
        total.failed += r.failed
        total.errors += r.errors
        if r.done + r.retried + r.failed == 0:
            return total
