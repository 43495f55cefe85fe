"""Writing the security audit log, one hash chain per local day.

Row n of a day carries ``seq`` n, the ``row_hash`` of row n - 1 of that day
as ``prev_hash`` (``""`` for the day's first row) and its own ``row_hash``
over ``AUDIT_FIELDS`` (serialised as ``xinfang.core.chain`` says).

Two requests may log on the same day at the same moment, and neither holds
anything the other waits for. The chain cannot fork because the database
decides: ``(day, seq)`` is unique, so of two writers that read the same last
row and try to append ``seq`` n + 1, one inserts it and the other's insert
fails (on PostgreSQL it waits until the first commits, then fails; on
SQLite writes are serialised by the IMMEDIATE transaction around the read
and the insert). The loser reads the new last row and tries again, in its
own savepoint, so the caller's transaction goes on. A per-day lock row would
serialise the same way, but needs a table of its own and an extra write.
"""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.core import chain
from xinfang.orgs.models import AuditAction, AuditEvent

# What an audit row's row_hash covers, besides the link to the row before it.
AUDIT_FIELDS = ("day", "seq", "at", "action", "actor_id", "username", "target", "detail", "reason", "ip")
ATTEMPTS = 50  # appends lost to a concurrent writer before giving up (each loss means the chain moved on)


def audit_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The ``row_hash`` of an audit row with these ``AUDIT_FIELDS`` values, chained to ``prev_hash``."""
    return chain.link(prev_hash, {name: content[name] for name in AUDIT_FIELDS})


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: AuditAction,
    *,
    actor=None,
    request=None,
    target: str = "",
    detail: str = "",
    reason: str = "",
    username: str = "",
) -> AuditEvent:
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    event = AuditEvent(
        action=str(action),
        actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None else ""),
        target=target[:200],
        detail=detail,
        reason=reason[:200],
    )
    # As the column will store it (an IPv6 address is normalised), so the seal matches what is read back.
    event.ip = AuditEvent._meta.get_field("ip").get_prep_value(client_ip(request))
    event.day = timezone.localdate(event.at)
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                _append(event)
            return event
        except IntegrityError:
            if not AuditEvent.objects.filter(day=event.day, seq=event.seq).exists():
                raise  # not a lost race for the link
            event.pk = None
            event._state.adding = True
    raise RuntimeError(f"audit log of {event.day}: could not append after {ATTEMPTS} attempts")


def _append(event: AuditEvent) -> None:
    head = AuditEvent.objects.filter(day=event.day).order_by("-seq").values_list("seq", "row_hash").first()
    event.seq, event.prev_hash = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
    event.row_hash = audit_hash(event.prev_hash, {name: getattr(event, name) for name in AUDIT_FIELDS})
    event.save(force_insert=True)
