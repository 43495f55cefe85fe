"""The one event path: who acted, the outbox written with each event, and consumers draining it."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from xinfang.cases import events, outbox
from xinfang.cases.actions import do_finalize, finalize_lapsed
from xinfang.cases.models import CaseEvent, OutboxEntry
from xinfang.cases.states import Action, Status
from xinfang.orgs.actors import Actor, ActorKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_tests_consumers():
    """These tests are about the outbox itself: the apps' consumers (notifications) stand aside."""
    registered = dict(outbox.CONSUMERS)
    outbox.CONSUMERS.clear()
    yield
    outbox.CONSUMERS.clear()
    outbox.CONSUMERS.update(registered)


@pytest.fixture
def sink():
    """A consumer that records the events it saw, in the database (so a rollback takes it back)."""
    seen: list[int] = []

    def handler(event):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO outbox_test_sink (event_id) VALUES (%s)", [event.pk])
        seen.append(event.pk)

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS outbox_test_sink (event_id INTEGER NOT NULL)")
    outbox.register("test_sink", handler)
    yield seen
    outbox.unregister("test_sink")


def sunk() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT event_id FROM outbox_test_sink ORDER BY event_id")
        return [row[0] for row in cursor.fetchall()]


def test_every_event_of_a_case_gets_an_outbox_entry_per_consumer(cast, flow, sink):
    case = flow.handling()
    ids = list(case.events.values_list("pk", flat=True))
    assert len(ids) == 4  # register, assign, sign for, accept
    assert sorted(OutboxEntry.objects.filter(consumer="test_sink").values_list("event_id", flat=True)) == ids


def test_no_consumer_no_entries(cast, flow):
    flow.register()
    assert not OutboxEntry.objects.exists()


def test_a_rolled_back_action_leaves_neither_event_nor_entry(cast, flow, sink):
    case = flow.register()
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record(case, Action.ADD_ATTACHMENT, actor=cast.registrar, note="x")
        raise RuntimeError
    assert case.events.count() == 1 and OutboxEntry.objects.count() == 1


def test_drain_applies_each_event_once(cast, flow, sink):
    flow.handling()
    result = outbox.drain("test_sink", worker="w1", batch=3)
    assert result.done == 4 and sunk() == sorted(CaseEvent.objects.values_list("pk", flat=True))
    assert outbox.drain("test_sink").done == 0
    assert not OutboxEntry.objects.filter(done_at__isnull=True).exists()


def test_a_batch_reads_its_entries_events_and_cases_in_one_query_whatever_its_size(cast, flow, sink):
    """A batch of a ledger import's history is 200,000 entries a consumer: no look-up per entry."""
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        flow.handling()  # 12 events
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            assert outbox.process("test_sink", limit=size).done == size
        reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        counts.append(len(reads))
        marks = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and 'SET "done_at"' in q["sql"]]
        assert len(marks) == size  # each entry is still marked done in its own transaction
    # the claim's candidates (and SQLite's re-read of what it won), then the entries with their events and cases
    assert counts[0] == counts[1] == (3 if connection.vendor == "sqlite" else 2), reads
    assert len(sunk()) == 8


def test_a_worker_that_dies_mid_batch_loses_and_doubles_nothing(cast, flow, sink, clock):
    for _ in range(3):
        flow.handling()  # 12 events
    calls = {"n": 0}
    real = outbox.CONSUMERS["test_sink"].handler

    def dies_on_the_fifth(event):
        calls["n"] += 1
        if calls["n"] == 5:
            raise SystemExit("kill -9")  # not an Exception: nothing catches it, like a dead process
        real(event)

    outbox.register("test_sink", dies_on_the_fifth)
    with pytest.raises(SystemExit):
        outbox.process("test_sink", worker="doomed", limit=10)
    assert len(sunk()) == 4  # the fifth rolled back with its own transaction
    # The dead worker's claim still holds the rest: a second worker sees only the unclaimed two.
    outbox.register("test_sink", real)
    assert outbox.process("test_sink", worker="second", limit=100).done == 2
    # When the lease runs out, the entries the dead worker held are claimed again.
    clock.advance(minutes=6)
    assert outbox.drain("test_sink", worker="second").done == 6
    assert sunk() == sorted(CaseEvent.objects.values_list("pk", flat=True))  # each once, none lost


def test_a_failing_handler_is_retried_with_backoff_then_given_up(cast, flow, clock):
    flow.register()

    def broken(event):
        raise ValueError("gateway down")

    outbox.register("broken", broken, max_attempts=3)
    try:
        OutboxEntry.objects.all().delete()  # only the event registered from now on
        case = flow.register()
        assert outbox.process("broken").retried == 1
        assert outbox.process("broken").retried == 0  # backing off
        entry = OutboxEntry.objects.get(event__case=case)
        assert entry.attempts == 1 and entry.last_error == "ValueError: gateway down"
        clock.advance(minutes=1)
        assert outbox.process("broken").retried == 1
        clock.advance(minutes=2)
        assert outbox.process("broken").failed == 1
        entry.refresh_from_db()
        assert entry.failed_at is not None and entry.attempts == 3
        clock.advance(days=1)
        assert outbox.process("broken").done == 0  # given up for good
    finally:
        outbox.unregister("broken")


def test_two_claims_never_share_an_entry(cast, flow, sink):
    flow.handling()
    first = outbox.claim("test_sink", worker="a", limit=3)
    second = outbox.claim("test_sink", worker="b", limit=3)
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)


def test_staff_events_name_the_user_and_org(cast, flow):
    event = flow.register().events.get()
    assert event.actor_kind == ActorKind.STAFF and event.actor == cast.registrar
    assert event.actor_org == cast.bureau and event.actor_display == "registrar"


def test_the_lapse_sweep_acts_as_the_system_through_the_access_layer(cast, flow, clock, settings):
    case = flow.delivered(assign=False)
    case.refresh_from_db()
    clock.set(case.window_until + timedelta(days=settings.LAPSE_GRACE_DAYS + 1))
    assert finalize_lapsed() == 1
    case.refresh_from_db()
    assert case.status == Status.FINAL
    event = case.events.latest("pk")
    assert event.actor_kind == ActorKind.SYSTEM and event.actor is None and event.actor_org is None
    assert event.actor_display == "系统（期限届满自动终结）"


def test_an_action_needs_an_actor(cast, flow):
    case = flow.delivered(assign=False)
    with pytest.raises(TypeError, match="needs an actor"):
        do_finalize(case, actor=None)


def test_the_system_may_not_take_staff_actions(cast, flow):
    from xinfang.cases.actions import do_accept
    from xinfang.cases.errors import NotAllowed

    case = flow.sign_for(flow.assign(flow.register()))
    with pytest.raises(NotAllowed):
        do_accept(case, actor=Actor.system("测试"))


def test_an_integration_is_recorded_with_its_account(cast, flow):
    from xinfang.cases.actions import do_assign

    case = flow.register()
    do_assign(case, actor=Actor.integration(cast.officer, "12345热线"), lead_org=cast.dept)
    event = case.events.latest("pk")
    assert event.actor_kind == ActorKind.INTEGRATION and event.actor == cast.officer
    assert event.actor_name == "12345热线" and event.actor_display == "12345热线（officer）"


def test_a_case_with_history_cannot_be_deleted(cast, flow):
    from django.db.models import ProtectedError

    case = flow.register()
    with pytest.raises(ProtectedError):
        case.delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_an_event(cast, flow):
    event = flow.register().events.get()
    for sql in (
        "UPDATE cases_caseevent SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM cases_caseevent WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.note == ""


def test_the_outbox_command_drains_and_reports(cast, flow, sink):
    from io import StringIO

    from django.core.management import call_command

    flow.register()
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert "test_sink：待处理 1，已完成 0，已放弃 0" in out.getvalue()
    call_command("outbox", "drain", stdout=out)
    assert "test_sink：完成 1，待重试 0，放弃 0" in out.getvalue()
    assert len(sunk()) == 1


def test_insert_objects_stores_what_bulk_create_stores_and_gives_each_its_key(cast, clock):
    """The bulk writers' lean insert: the same row as bulk_create for every column, keys in the given order."""
    from datetime import datetime

    from django.utils import timezone

    from xinfang.petitioners.models import Petitioner, PetitionerKind

    clock.set(timezone.make_aware(datetime(2026, 3, 9, 8, 30)))

    def person(name):
        p = Petitioner(kind=PetitionerKind.PERSON, name=name, org=cast.bureau, created_by=cast.registrar)
        p.set_id_number("330781199001011232")
        return p

    lean = [person("甲"), person("乙"), person("丙")]
    events.insert_objects(lean)
    reference = Petitioner.objects.bulk_create([person("甲")])[0]
    assert [p.name for p in Petitioner.objects.filter(pk__in=[p.pk for p in lean]).order_by("pk")] == ["甲", "乙", "丙"]
    assert all(not p._state.adding for p in lean)
    columns = [f.attname for f in Petitioner._meta.concrete_fields if f.attname not in ("id", "name", "id_number_enc")]
    (got,) = Petitioner.objects.filter(pk=lean[0].pk).values(*columns)
    (expected,) = Petitioner.objects.filter(pk=reference.pk).values(*columns)
    assert got == expected
    assert got["created_at"] == timezone.make_aware(datetime(2026, 3, 9, 8, 30)) == lean[0].created_at
    assert got["sex"] == "M" and type(got["sex"]) is str  # from the ID number, a TextChoices member stored as its value
