"""The one way a case's history is written.

``record`` writes the ``CaseEvent`` and, in the same transaction, one
outbox entry per registered consumer (``cases.outbox``): notifications,
webhooks, search indexing and statistics rollups read events from there, so
nothing that happened can be missed by them or seen before it committed.
Actions (``cases.actions``), registration and attachments all call it
(``record_many`` is its bulk form, for a ledger import's batch); a
repository test keeps ``CaseEvent.objects.create`` out of every other module.

Each case's events form a hash chain (``xinfang.core.chain`` has the
serialisation): event n carries ``seq`` n, the previous event's hash as
``prev_hash`` and its own ``row_hash`` over ``EVENT_FIELDS``. ``event_hash``
is the pure function for that, for anything that writes events in bulk (the
scale generator); ``chain_break`` checks a case's chain (the case page, and
``manage.py verify_history`` over every case).

Appending is race-free because every writer holds the case: actions lock its
row (``actions.base.lock``, ``access_case(for_write=True)``), and
registration creates the case in the same transaction, so nobody else can
see it yet. Should a writer ever forget, the unique (case, seq) pair refuses
the second of two appends of the same link instead of forking the chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field

from xinfang.cases import outbox
from xinfang.cases.models import CaseEvent
from xinfang.core import chain, clock
from xinfang.orgs.actors import Actor, ActorKind, as_actor

# What a case event's row_hash covers, besides the link to the event before it:
# every column but the primary key and the chain's own hashes.
EVENT_FIELDS = (
    "case_id",
    "seq",
    "action",
    "actor_kind",
    "actor_id",
    "actor_org_id",
    "actor_petitioner_id",
    "actor_name",
    "at",
    "from_status",
    "to_status",
    "note",
    "notice",
    "document",
    "data",
)


def event_hash(
    prev_hash: str,
    *,
    case_id: int,
    seq: int,
    action: str,
    actor_kind: str,
    actor_id: int | None,
    actor_org_id: int | None,
    actor_petitioner_id: int | None = None,
    actor_name: str = "",
    at: datetime | str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    notice: str = "",
    document: str = "",
    data: dict | str | None = None,
) -> str:
    """The ``row_hash`` of a case event with these column values, chained to ``prev_hash``.

    Pure (no database): ``prev_hash`` is the ``row_hash`` of the case's event
    ``seq - 1`` (``chain.GENESIS``, the empty string, for ``seq`` 1); ``at``
    is the stored moment (aware, naive UTC, or the ISO text of either);
    ``data`` the JSON object (or its JSON text; None for ``{}``).
    """
    if isinstance(data, str):
        data = json.loads(data)
    return chain.link(
        prev_hash,
        {
            "case_id": case_id,
            "seq": seq,
            "action": action,
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "actor_org_id": actor_org_id,
            "actor_petitioner_id": actor_petitioner_id,
            "actor_name": actor_name,
            "at": chain.moment(at),
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "notice": notice,
            "document": document,
            "data": data or {},
        },
    )


def _content(event: CaseEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def record(
    case,
    action: str,
    *,
    actor,
    note: str = "",
    notice: str = "",
    document: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one event to ``case``'s history (inside the action's transaction)."""
    who: Actor = as_actor(actor)
    known = case.__dict__.get(_HEAD)
    head = (
        known
        if known is not None
        else (
            CaseEvent.objects.filter(case_id=case.pk, seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", "row_hash")
            .first()
        )
    )
    seq, prev_hash = ((head[0] or 0) + 1, head[1]) if head else (1, chain.GENESIS)
    event = CaseEvent(
        case=case,
        seq=seq,
        prev_hash=prev_hash,
        action=str(action),
        actor_kind=str(who.kind),
        actor=who.user if who.is_staff_member else None,
        actor_org=who.org,
        actor_petitioner_id=who.petitioner_id if who.kind == ActorKind.PETITIONER else None,
        actor_name="" if who.kind == ActorKind.STAFF else who.name,
        at=clock.aware(at) if at else clock.now(),
        from_status=str(from_status),
        to_status=str(case.status if to_status is None else to_status),
        note=note,
        notice=str(notice),
        document=document,
        # As it reads back from the JSON column, so the seal is of what is stored.
        data=json.loads(json.dumps(data or {})),
    )
    event.row_hash = event_hash(prev_hash, **_content(event))
    event.save(force_insert=True)
    if known is not None:
        case.__dict__[_HEAD] = (seq, event.row_hash)
    outbox.enqueue(event)
    return event


@dataclass(frozen=True)
class Pending:
    """One event for ``record_many``: the arguments ``record`` takes, but the actor."""

    case: Any
    action: str
    note: str = ""
    notice: str = ""
    document: str = ""
    data: dict | None = None
    from_status: str = ""
    to_status: str | None = None
    at: datetime | None = None


def record_many(pending: Sequence[Pending], *, actor) -> list[CaseEvent]:
    """``record`` for many events at once (a ledger import's batch): one insert for the events, one for the outbox.

    The same rows as calling ``record`` for each in turn: each case's events are chained in
    the order given, after its head (from memory for a chain started in this transaction,
    else read, one query for all), and every registered consumer gets an outbox entry for
    every event. Inside the caller's transaction, holding the cases as ``record`` requires.
    """
    if not pending:
        return []
    who: Actor = as_actor(actor)
    heads: dict[int, tuple[int, str]] = {}
    unknown = set()
    for p in pending:
        known = p.case.__dict__.get(_HEAD)
        if known is not None:
            heads.setdefault(p.case.pk, known)
        else:
            unknown.add(p.case.pk)
    if unknown:
        for case_id, seq, row_hash in (
            CaseEvent.objects.filter(case_id__in=unknown, seq__isnull=False)
            .order_by("case_id", "-seq")
            .values_list("case_id", "seq", "row_hash")
        ):
            heads.setdefault(case_id, (seq or 0, row_hash))
    now = clock.now()
    rows = []
    for p in pending:
        seq, prev_hash = heads.get(p.case.pk, (0, chain.GENESIS))
        event = CaseEvent(
            case=p.case,
            seq=seq + 1,
            prev_hash=prev_hash,
            action=str(p.action),
            actor_kind=str(who.kind),
            actor=who.user if who.is_staff_member else None,
            actor_org=who.org,
            actor_petitioner_id=who.petitioner_id if who.kind == ActorKind.PETITIONER else None,
            actor_name="" if who.kind == ActorKind.STAFF else who.name,
            at=clock.aware(p.at) if p.at else now,
            from_status=str(p.from_status),
            to_status=str(p.case.status if p.to_status is None else p.to_status),
            note=p.note,
            notice=str(p.notice),
            document=p.document,
            data=json.loads(json.dumps(p.data or {})),
        )
        event.row_hash = event_hash(prev_hash, **_content(event))
        heads[p.case.pk] = (seq + 1, event.row_hash)
        rows.append(event)
    insert_objects(rows)
    for p in pending:
        if _HEAD in p.case.__dict__:
            p.case.__dict__[_HEAD] = heads[p.case.pk]
    if outbox.CONSUMERS:
        # outbox.enqueue's rows, for all the events at once.
        from xinfang.cases.models import OutboxEntry

        insert_rows(
            OutboxEntry,
            [{"event_id": e.pk, "consumer": name, "available_at": now} for e in rows for name in outbox.CONSUMERS],
        )
    return rows


def insert_rows(model, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (attname → value, the same keys in each) into ``model``'s table with one ``executemany``.

    ``bulk_create``'s rows without its model instances, for the bulk writers of case history
    (``record_many``'s outbox entries, a ledger import's participants and deadlines): on a
    ledger import's batch, building and compiling instances cost more than the inserts.
    Columns not given take the field's default (``auto_now``/``auto_now_add``: now, from the
    clock seam, as a ``ClockDateTimeField`` takes it). No keys come back.
    """
    if not rows:
        return
    meta = model._meta
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a look-up per use
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    given = set(rows[0])
    fixed: dict[str, Any] = {}
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = clock.now()
        else:
            value = f.get_default()  # as a new instance has it: the default, "" or None
        fixed[f.attname] = f.get_db_prep_save(value, db)
    prepare = {f.attname: _preparer(f, db) for f in fields if f.attname in given}
    qn = db.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 — names from the model
    order = [(f.attname, f.attname in fixed, prepare.get(f.attname)) for f in fields]
    params = [
        [fixed[name] if is_fixed else row[name] if prep is None else prep(row[name]) for name, is_fixed, prep in order]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_objects(objs: Sequence[Any]) -> None:
    """Insert new instances of one model as ``bulk_create`` does, and set their keys, without its compiler.

    On a ledger import's batch ``bulk_create`` spent most of its time compiling each value
    (about 10 µs a column and row: 60 columns a case); here a value is prepared by its field's
    ``get_db_prep_save`` (numbers and booleans as they are) and the rows go in multi-row
    ``INSERT … RETURNING`` statements as large as the database takes. Fields that compute
    their value on save (``auto_now``, the clock seam's times) get it from ``pre_save``, as
    ``save`` would. The model's key must be an automatic one. Both databases return the keys
    of a multi-row insert in the order of its rows, which ``bulk_create`` relies on too.
    """
    if not objs:
        return
    meta = objs[0]._meta
    db = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    computed = [f for f in fields if type(f).pre_save is not Field.pre_save]
    for obj in objs:
        for f in computed:
            f.pre_save(obj, True)  # sets the attribute, as save() leaves it
    plan = [(f.attname, _preparer(f, db)) for f in fields]
    qn = db.ops.quote_name
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "  # noqa: S608
    tail = f" RETURNING {qn(meta.pk.column)}"
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, _max_params(db) // len(fields))
    with db.cursor() as cursor:
        for start in range(0, len(objs), per):
            chunk = objs[start : start + per]
            params: list[Any] = []
            for obj in chunk:
                values = obj.__dict__
                params.extend(values[name] if prep is None else prep(values[name]) for name, prep in plan)
            cursor.execute(head + ", ".join([row_marks] * len(chunk)) + tail, params)
            for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = db.alias


def _max_params(db) -> int:
    """The most parameters one statement may carry (SQLite's compiled limit; PostgreSQL's protocol's)."""
    if db.vendor == "sqlite":
        import sqlite3

        db.ensure_connection()
        return min(db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32_766)
    return 65_535


def _preparer(field, db) -> Callable[[Any], Any] | None:
    """How a column's value goes to the driver: as it is (None), or through its field.

    Numbers and booleans go as they are, and so does text that is a plain ``str``; a
    ``TextChoices`` member goes through its field (as its value), and so do dates, moments and
    JSON, which each database takes in its own form.
    """
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if kind in _AS_IS:
        return None
    prep = field.get_db_prep_save
    if kind in ("CharField", "TextField"):
        return lambda value: value if type(value) is str else prep(value, db)
    if kind == "DateField":
        day = db.ops.adapt_datefield_value
        return lambda value: day(value) if type(value) is date else prep(value, db)
    if kind == "DateTimeField":  # an aware moment needs no field's check (a naive one is warned about there)
        moment = db.ops.adapt_datetimefield_value
        return lambda value: moment(value) if type(value) is datetime and value.tzinfo else prep(value, db)
    return lambda value: prep(value, db)


_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "BooleanField",
    }
)


# The head of a chain its writer holds in memory: registration creates the case and writes its
# first events in one transaction, where the head is known without reading it back.
_HEAD = "_chain_head"


def start_chain(case) -> None:
    """Mark ``case``, created in this transaction and without events, as starting its chain here.

    ``record`` then links its events from memory; ``forget_chain`` must follow before the
    transaction ends, so that no later writer trusts a head another writer may have moved.
    """
    case.__dict__[_HEAD] = (0, chain.GENESIS)


def forget_chain(case) -> None:
    case.__dict__.pop(_HEAD, None)


# --- checking a chain ---------------------------------------------------------------------------


def chain_break(events: Iterable[CaseEvent], *, version: int | None = None) -> chain.Break | None:
    """The first broken link of one case's chain, or None when it is whole.

    ``events`` are all of the case's events, in any order (the case page
    passes the ones it shows). ``version`` is the case's version, which
    counts its events (registration is 1, every later event adds one), so a
    removed last event shows too.
    """
    return chain.first_break(
        ((e.pk, e.seq, e.prev_hash, e.row_hash, _content(e)) for e in events),
        expected=version,
        seal=_seal,
    )


def _seal(prev_hash: str, content: Mapping[str, Any]) -> str:
    return event_hash(prev_hash, **content)
