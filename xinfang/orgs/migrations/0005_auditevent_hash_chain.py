"""Chain the security audit log by hash, one chain per local day; refuse changes in the database.

Existing rows are given their day (the Asia/Shanghai date of ``at``) and
their place in it in insertion (id) order, and sealed as ``orgs.audit.record``
seals new ones, a few thousand rows per batch. Idempotent: a day that is
partly chained goes on from its last chained row.

``actor`` becomes PROTECT: deleting a user used to set it to NULL, an UPDATE
of a sealed row. Staff are deactivated, not deleted.

Then the database refuses UPDATE and DELETE of audit rows on PostgreSQL
(the same trigger function as cases_caseevent's; the test harness empties
tables with TRUNCATE there, which row triggers do not see), and UPDATE on
SQLite (where the harness empties tables with DELETE between transactional
tests, so a DELETE trigger would break it; ``verify_history`` finds a row
removed from a day's chain).
"""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BATCH = 5000

COLUMNS = (
    "id",
    "day",
    "seq",
    "prev_hash",
    "row_hash",
    "at",
    "action",
    "actor_id",
    "username",
    "target",
    "detail",
    "reason",
    "ip",
)

PG_CREATE = """
CREATE OR REPLACE FUNCTION xinfang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS orgs_auditevent_append_only ON orgs_auditevent;
CREATE TRIGGER orgs_auditevent_append_only
    BEFORE UPDATE OR DELETE ON orgs_auditevent
    FOR EACH ROW EXECUTE FUNCTION xinfang_refuse_change();
"""
PG_DROP = "DROP TRIGGER IF EXISTS orgs_auditevent_append_only ON orgs_auditevent;"
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS orgs_auditevent_no_update BEFORE UPDATE ON orgs_auditevent
BEGIN
    SELECT RAISE(ABORT, 'orgs_auditevent is append-only: UPDATE refused');
END
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS orgs_auditevent_no_update"


def seal(apps, schema_editor):
    from django.utils import timezone

    from xinfang.core.chain import GENESIS
    from xinfang.orgs.audit import audit_hash

    AuditEvent = apps.get_model("orgs", "AuditEvent")
    heads = {}  # day -> (seq, row_hash) of its last chained row
    for day, seq, row_hash in AuditEvent.objects.exclude(row_hash="").values_list("day", "seq", "row_hash"):
        if day not in heads or seq > heads[day][0]:
            heads[day] = (seq, row_hash)
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(row_hash="", id__gt=last_id).order_by("id").values_list(*COLUMNS)[:BATCH])
        if not rows:
            return
        updates = []
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            values["day"] = timezone.localdate(values["at"])
            seq, prev = heads.get(values["day"], (0, GENESIS))
            values["seq"] = seq + 1
            row_hash = audit_hash(prev, values)
            heads[values["day"]] = (values["seq"], row_hash)
            updates.append((values["day"], values["seq"], prev, row_hash, values["id"]))
        with schema_editor.connection.cursor() as cur:
            cur.executemany(
                "UPDATE orgs_auditevent SET day = %s, seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s", updates
            )
        last_id = rows[-1][0]


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)  # no placeholders: the % are plpgsql's
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_login_lockout_and_security_audit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="day",
            field=models.DateField(default=datetime.date(2000, 1, 1), editable=False, verbose_name="日期"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="序号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="前一条校验值"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="校验值"),
            preserve_default=False,
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("day", "seq"), name="unique_auditevent_day_seq"),
        ),
        # Last: on SQLite a table rebuild (AddConstraint) would drop a trigger made before it.
        migrations.RunPython(triggers, drop_triggers),
    ]
