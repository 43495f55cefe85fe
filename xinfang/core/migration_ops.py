"""Migration operations shared by the apps' migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def drop_single_column_indexes(app_label: str, columns: dict[str, list[str]]) -> migrations.RunPython:
    """Drop the plain single-column indexes of ``columns`` ({model name: [field names]}) in place.

    For a field whose ``db_index`` becomes False because a composite index
    leads with it. Django's own AlterField would rebuild the whole table on
    SQLite to drop an index: hours on a database with millions of events, and
    the rebuild drops the table's triggers (the append-only history's). This
    drops just the index, found by introspection (so PostgreSQL's ``_like``
    twin of a text column's index goes too); composite, unique and primary-key
    indexes are never touched. Reversed, it creates them again as Django would.
    Use it as the database side of a ``SeparateDatabaseAndState`` whose state
    side is the AlterFields.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        conn = schema_editor.connection
        for model_name, fields in columns.items():
            model = apps.get_model(app_label, model_name)
            table = model._meta.db_table
            wanted = {model._meta.get_field(name).column for name in fields}
            with conn.cursor() as cursor:
                found = conn.introspection.get_constraints(cursor, table)
            for name, info in sorted(found.items()):
                if (
                    info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                    and len(info["columns"]) == 1
                    and info["columns"][0] in wanted
                    and name.startswith(f"{table}_")  # Django's generated names, never a named Meta index
                ):
                    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backward(apps: Any, schema_editor: Any) -> None:
        for model_name, fields in columns.items():
            model = apps.get_model(app_label, model_name)
            for name in fields:
                for sql in schema_editor._field_indexes_sql(model, model._meta.get_field(name)):
                    schema_editor.execute(sql)

    return migrations.RunPython(forward, backward)
