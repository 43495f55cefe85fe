"""Chain each case's events by hash, seal the existing ones, refuse UPDATE on SQLite too.

Existing events are sealed in insertion (id) order, a thousand cases per
batch, as ``cases.events.record`` would have sealed them. Idempotent: a
case whose events are partly chained goes on from its last chained event.
On PostgreSQL the append-only trigger (0010) is held off while the seals
are written, in this migration's transaction. On SQLite a trigger now
refuses UPDATE (the test harness empties tables with DELETE between
transactional tests, so DELETE stays allowed there; ``verify_history``
finds a removed event).

The hash is computed here with the same pure function the application uses
(``cases.events.event_hash``), on the historical model's values.
"""

from django.db import migrations, models

BATCH = 1000  # cases per batch

EVENT_COLUMNS = (
    "id",
    "case_id",
    "seq",
    "prev_hash",
    "row_hash",
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

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
BEGIN
    SELECT RAISE(ABORT, 'cases_caseevent is append-only: UPDATE refused');
END
"""


def seal_case_events(CaseEvent, connection, case_ids=None, *, batch=BATCH):
    """Give every unchained event (seq null) its place and seal; return how many were sealed."""
    from xinfang.cases.events import event_hash
    from xinfang.core.chain import GENESIS

    table = CaseEvent._meta.db_table
    pending = CaseEvent.objects.filter(seq__isnull=True)
    if case_ids is not None:
        pending = pending.filter(case_id__in=case_ids)
    ids = sorted(set(pending.values_list("case_id", flat=True)))
    sealed = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rows = CaseEvent.objects.filter(case_id__in=chunk).values_list(*EVENT_COLUMNS)
        by_case = {}
        for row in rows:
            by_case.setdefault(row[1], []).append(row)
        updates = []
        for events in by_case.values():
            chained = sorted((r for r in events if r[2] is not None), key=lambda r: r[2])
            seq, prev = (chained[-1][2], chained[-1][4]) if chained else (0, GENESIS)
            for row in sorted((r for r in events if r[2] is None), key=lambda r: r[0]):
                seq += 1
                values = dict(zip(EVENT_COLUMNS, row, strict=True))
                del values["id"], values["prev_hash"], values["row_hash"]
                values["seq"] = seq
                row_hash = event_hash(prev, **values)
                updates.append((seq, prev, row_hash, row[0]))
                prev = row_hash
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",  # noqa: S608
                updates,
            )
        sealed += len(updates)
    return sealed


def forwards(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update")
    seal_case_events(CaseEvent, connection)
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")


def backwards(apps, schema_editor):
    pass  # the columns go with the fields


def sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_refuse_final")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="prev_hash",
            field=models.CharField(
                blank=True, db_default="", editable=False, max_length=64, verbose_name="前一条校验值"
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="row_hash",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64, verbose_name="校验值"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(fields=("case", "seq"), name="unique_caseevent_case_seq"),
        ),
        # Last: on SQLite a table rebuild (AddConstraint) would drop a trigger made before it.
        migrations.RunPython(sqlite_trigger, drop_sqlite_trigger),
    ]
