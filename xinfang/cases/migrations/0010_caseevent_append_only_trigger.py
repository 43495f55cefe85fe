"""Refuse UPDATE and DELETE of case events in the database itself (PostgreSQL).

The model already refuses them, but a raw SQL statement, a bulk update or
an administrator's psql session would not ask the model. On SQLite the test
harness empties tables with DELETE between transactional tests, so there the
model and the (coming) history verification are the guard.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION xinfang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
CREATE TRIGGER cases_caseevent_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION xinfang_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: the % are plpgsql's


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_event_actors_and_outbox")]

    operations = [migrations.RunPython(forwards, backwards)]
