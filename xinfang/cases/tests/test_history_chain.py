"""Tamper-evident history: case events and the audit log are hash chains, verified and guarded."""

import hashlib
import json
from contextlib import contextmanager
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from xinfang.cases import history
from xinfang.cases.events import event_hash
from xinfang.core import chain
from xinfang.orgs import audit
from xinfang.orgs.models import AuditAction, AuditEvent


def verify(*args):
    """Run verify_history; (passed, output)."""
    out = StringIO()
    try:
        call_command("verify_history", *args, stdout=out)
    except CommandError as err:
        assert str(err) == "完整性校验未通过"
        return False, out.getvalue()
    return True, out.getvalue()


@contextmanager
def guard_off(table):
    """Bypass the append-only trigger, as someone with the database's own rights could."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while FK checks are pending
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            name = history.GUARDS["sqlite"][table]
            cur.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name])
            (create,) = cur.fetchone()
            cur.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                cur.execute(create)


def raw(sql, *params):
    with connection.cursor() as cur:
        cur.execute(sql, list(params))


def three_events(flow):
    """A case with three events (registered, assigned, signed for) and them in chain order."""
    case = flow.sign_for(flow.assign(flow.register()))
    return case, list(case.events.order_by("seq"))


# --- the chain as written --------------------------------------------------------------------


def test_each_event_is_sealed_and_chained_to_the_one_before(cast, flow):
    case, events = three_events(flow)
    assert [e.seq for e in events] == [1, 2, 3] == list(range(1, case.version + 1))
    assert events[0].prev_hash == "" and events[1].prev_hash == events[0].row_hash
    assert events[2].prev_hash == events[1].row_hash
    for e in events:
        values = {name: getattr(e, name) for name in ("case_id", "seq", "action", "actor_kind", "actor_id")}
        assert e.row_hash == event_hash(
            e.prev_hash,
            **values,
            actor_org_id=e.actor_org_id,
            actor_petitioner_id=e.actor_petitioner_id,
            actor_name=e.actor_name,
            at=e.at,
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
            notice=e.notice,
            document=e.document,
            data=e.data,
        )
    ok, out = verify()
    assert ok and out.endswith("完整性校验通过\n")
    assert "办理记录：1 件信访件、3 条记录，未通过 0 件" in out


def test_the_hash_is_sha256_of_the_documented_serialisation():
    """Pinned: the generator, the migration and any outside checker compute exactly this."""
    at = datetime(2024, 9, 10, 2, 3, 4, tzinfo=UTC)
    content = {
        "action": "register",
        "actor_id": 7,
        "actor_kind": "staff",
        "actor_name": "",
        "actor_org_id": 3,
        "actor_petitioner_id": None,
        "at": "2024-09-10T02:03:04.000000Z",
        "case_id": 12,
        "data": {"channel": "visit", "repeat_of": ""},
        "document": "",
        "from_status": "",
        "note": "来访登记",
        "notice": "",
        "prev": "",
        "seq": 1,
        "to_status": "registered",
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert '"note":"来访登记"' in text
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    values = {k: v for k, v in content.items() if k != "prev"}
    assert event_hash("", **{**values, "at": at}) == expected
    # The same moment as naive UTC, as ISO text (the bulk writer's forms) or in Beijing time.
    assert event_hash("", **{**values, "at": "2024-09-10 02:03:04"}) == expected
    assert event_hash("", **{**values, "at": "2024-09-10T10:03:04+08:00"}) == expected
    assert event_hash("", **{**values, "data": json.dumps(values["data"])}) == expected
    assert event_hash("x" * 64, **{**values, "at": at}) != expected


def test_audit_rows_chain_per_day(cast, clock):
    first = audit.record(AuditAction.LOGIN, actor=cast.officer, target="officer")
    second = audit.record(AuditAction.REVEAL, actor=cast.officer, target="信访人#1", reason="核对身份")
    assert first.day == second.day and (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.row_hash
    stored = AuditEvent.objects.get(pk=second.pk)
    assert stored.row_hash == audit.audit_hash(stored.prev_hash, {f: getattr(stored, f) for f in audit.AUDIT_FIELDS})
    # The security log keeps the real time, whatever the clock seam says.
    clock.set(date(2024, 3, 1))
    assert audit.record(AuditAction.LOGOUT, actor=cast.officer).day == first.day
    assert verify("--only", "audit")[0]


def test_a_day_starts_its_own_chain(cast):
    today = audit.record(AuditAction.LOGIN, actor=cast.officer).day
    with guard_off("orgs_auditevent"):  # as if all of today's rows had been written on another day
        raw("UPDATE orgs_auditevent SET day = %s WHERE day = %s", date(2020, 1, 1), today)
    fresh = audit.record(AuditAction.LOGIN, actor=cast.officer)
    assert (fresh.day, fresh.seq, fresh.prev_hash) == (today, 1, "")


# --- the database refuses ----------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_refuses_to_change_or_delete_an_audit_row(cast):
    row = audit.record(AuditAction.LOGIN, actor=cast.officer, target="officer")
    for sql in (
        "UPDATE orgs_auditevent SET detail = 'rewritten' WHERE id = %s",
        "DELETE FROM orgs_auditevent WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="orgs_auditevent is append-only"), transaction.atomic():
            raw(sql, row.pk)
    assert AuditEvent.objects.get(pk=row.pk).detail == ""


def test_sqlite_refuses_to_rewrite_an_event_or_an_audit_row(cast, flow):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses UPDATE and DELETE (test_postgresql_refuses_...)")
    event = flow.register().events.get()
    row = audit.record(AuditAction.LOGIN, actor=cast.officer)
    with pytest.raises(IntegrityError, match="cases_caseevent is append-only: UPDATE refused"), transaction.atomic():
        raw("UPDATE cases_caseevent SET note = 'rewritten' WHERE id = %s", event.pk)
    with pytest.raises(IntegrityError, match="orgs_auditevent is append-only: UPDATE refused"), transaction.atomic():
        raw("UPDATE orgs_auditevent SET detail = 'rewritten' WHERE id = %s", row.pk)
    event.refresh_from_db()
    assert event.note == ""


def test_a_user_with_audit_rows_cannot_be_deleted(cast):
    audit.record(AuditAction.LOGIN, actor=cast.nobody)
    with pytest.raises(ProtectedError):
        cast.nobody.delete()


# --- verify_history finds what was done behind the triggers' back ---------------------------


def test_verify_reports_a_rewritten_event(cast, flow):
    case, events = three_events(flow)
    other = flow.register()
    with guard_off("cases_caseevent"):
        raw("UPDATE cases_caseevent SET note = '改写的说明' WHERE id = %s", events[1].pk)
    ok, out = verify()
    assert not ok
    assert (
        f"断点：办理记录（cases_caseevent）｜信访件 {case.number}（id {case.pk}）｜"
        f"第2条（记录 id {events[1].pk}）：内容与校验值不符（本条记录被改动）"
    ) in out
    assert "未通过 1 件" in out
    assert verify("--case", other.number)[0]
    assert not verify("--case", str(case.pk))[0]


def test_verify_reports_a_rewrite_whose_hash_was_recomputed_at_the_next_link(cast, flow):
    case, events = three_events(flow)
    e = events[0]
    forged = event_hash(
        e.prev_hash,
        case_id=e.case_id,
        seq=e.seq,
        action=e.action,
        actor_kind=e.actor_kind,
        actor_id=e.actor_id,
        actor_org_id=e.actor_org_id,
        actor_name=e.actor_name,
        at=e.at,
        from_status=e.from_status,
        to_status=e.to_status,
        note="伪造",
        notice=e.notice,
        document=e.document,
        data=e.data,
    )
    with guard_off("cases_caseevent"):
        raw("UPDATE cases_caseevent SET note = '伪造', row_hash = %s WHERE id = %s", forged, e.pk)
    ok, out = verify("--case", case.number)
    assert not ok
    assert f"第2条（记录 id {events[1].pk}）：与第1条不衔接（两条之一被改动后重算了校验值，或被替换）" in out


def test_verify_reports_a_removed_event_in_the_middle_and_at_the_end(cast, flow):
    case, events = three_events(flow)
    with guard_off("cases_caseevent"):
        raw("DELETE FROM cases_outboxentry WHERE event_id IN (%s, %s)", events[1].pk, events[2].pk)
        raw("DELETE FROM cases_caseevent WHERE id = %s", events[1].pk)
    ok, out = verify("--case", case.number)
    assert not ok and f"第3条（记录 id {events[2].pk}）：第2条记录缺失（被删除）" in out
    with guard_off("cases_caseevent"):
        raw("DELETE FROM cases_caseevent WHERE id = %s", events[2].pk)
    ok, out = verify("--case", case.number)
    assert not ok and f"信访件 {case.number}（id {case.pk}）｜末尾缺少2条记录（应有3条，现有1条）" in out


def test_verify_reports_an_event_written_without_its_seal(cast, flow):
    case = flow.register()
    raw(
        "INSERT INTO cases_caseevent (case_id, action, actor_kind, actor_name, at, from_status, to_status,"
        " note, notice, document, data) VALUES (%s, 'record_step', 'staff', '', %s, 'registered', 'registered',"
        " '补写', '', '', '{}')",
        case.pk,
        case.registered_at,
    )
    ok, out = verify("--case", case.number)
    assert not ok and "：没有校验值（未加入校验链）" in out


def test_verify_reports_a_rewritten_audit_row_by_day_and_row(cast):
    first = audit.record(AuditAction.LOGIN, actor=cast.officer, target="officer")
    audit.record(AuditAction.REVEAL, actor=cast.officer, target="信访人#1", reason="核对身份")
    with guard_off("orgs_auditevent"):
        raw("UPDATE orgs_auditevent SET username = 'someone_else' WHERE id = %s", first.pk)
    ok, out = verify()
    assert not ok
    assert (
        f"断点：安全审计记录（orgs_auditevent）｜{first.day:%Y-%m-%d}｜"
        f"第1条（记录 id {first.pk}）：内容与校验值不符（本条记录被改动）"
    ) in out
    assert "未通过 1 天" in out
    assert verify("--only", "events")[0]
    assert verify("--only", "audit", "--to", "2020-01-01")[0]  # another range: that day is not checked
    assert not verify("--only", "audit", "--from", f"{first.day}", "--to", f"{first.day}")[0]


def test_verify_reports_a_removed_audit_row(cast):
    rows = [audit.record(AuditAction.LOGIN, actor=cast.officer) for _ in range(3)]
    with guard_off("orgs_auditevent"):
        raw("DELETE FROM orgs_auditevent WHERE id = %s", rows[1].pk)
    ok, out = verify("--only", "audit")
    assert not ok and f"第3条（记录 id {rows[2].pk}）：第2条记录缺失（被删除）" in out


def test_verify_reports_a_missing_or_disabled_trigger(cast, flow):
    flow.register()
    with guard_off("cases_caseevent"):
        ok, out = verify()
    assert not ok
    if connection.vendor == "postgresql":
        assert "保护缺失：cases_caseevent 的保护触发器 cases_caseevent_append_only 已停用" in out
    else:
        assert "保护缺失：cases_caseevent 的保护触发器 cases_caseevent_no_update 不存在" in out
    assert verify()[0]


def test_the_command_exits_non_zero_when_a_chain_is_broken(cast, flow):
    case = flow.register()
    event = case.events.get()
    with guard_off("cases_caseevent"):
        raw("UPDATE cases_caseevent SET document = 'x' WHERE id = %s", event.pk)
    with pytest.raises(CommandError) as failed:  # manage.py exits with its returncode
        call_command("verify_history", "--case", case.number, stdout=StringIO())
    assert failed.value.returncode == 1
    with pytest.raises(CommandError, match="没有编号或 id 为 nope 的信访件"):
        call_command("verify_history", "--case", "nope")


def test_verify_checks_cases_with_events_in_a_date_range(cast, flow, clock):
    clock.set(date(2026, 3, 2))
    march = flow.register()
    clock.set(date(2026, 5, 6))
    may = flow.register()
    with guard_off("cases_caseevent"):
        raw("UPDATE cases_caseevent SET note = 'x' WHERE case_id = %s", march.pk)
    assert verify("--only", "events", "--from", "2026-05-01")[0]
    ok, out = verify("--only", "events", "--from", "2026-03-01", "--to", "2026-03-31")
    assert not ok and march.number in out and may.number not in out


# --- the case page -----------------------------------------------------------------------------


BANNER = "本件办理记录的完整性校验未通过，记录可能已被改动或删除：请勿据此作出决定，并报系统管理员核查。"


def test_the_case_page_warns_when_its_history_is_broken(cast, flow, login):
    case, events = three_events(flow)
    client = login(cast.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "完整性校验未通过" not in page
    with guard_off("cases_caseevent"):
        raw("UPDATE cases_caseevent SET note = '改写' WHERE id = %s", events[0].pk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert BANNER in page
    assert f"第1条（记录 id {events[0].pk}）：内容与校验值不符（本条记录被改动）" in page
    printed = client.get(f"/cases/{case.pk}/print/").content.decode()
    assert "本件办理记录的完整性校验未通过，记录可能已被改动或删除" in printed
    assert login(cast.other_officer).get(f"/cases/{case.pk}/").status_code == 404


def test_the_page_checks_the_chain_on_the_events_it_already_loads(cast, flow, login):
    from django.test.utils import CaptureQueriesContext

    case, _ = three_events(flow)
    client = login(cast.officer)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert len([q for q in ctx.captured_queries if 'FROM "cases_caseevent"' in q["sql"]]) == 1


# --- the pure checker ---------------------------------------------------------------------------


def test_a_chain_with_no_rows_but_an_expected_count_is_broken():
    assert str(chain.first_break([], expected=2)) == "没有任何记录（应有2条）"
    assert chain.first_break([], expected=None) is None
    assert chain.first_break([], expected=0) is None
