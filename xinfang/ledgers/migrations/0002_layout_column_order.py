"""Keep a layout's column order as a list: PostgreSQL's jsonb loses a JSON object's key order.

Layouts saved before have their mapped fields put in the field list's order, the order the export
used until now (and the column form saved them in), so their exports do not change.
"""

from django.db import migrations, models

# fields.FIELDS' keys when this migration was written (frozen here: a migration must not follow later code).
FIELD_KEYS = (
    "ledger_number",
    "received_on",
    "name",
    "id_number",
    "phone",
    "channel",
    "category",
    "content",
    "unit",
    "decided_on",
    "closed_on",
    "state",
    "satisfaction",
)


def fill_order(apps, schema_editor):
    """Idempotent: only a layout without an order gets one."""
    LedgerLayout = apps.get_model("ledgers", "LedgerLayout")
    for layout in LedgerLayout.objects.all().only("pk", "columns", "order").iterator():
        if layout.order:
            continue
        columns = layout.columns or {}
        layout.order = [key for key in FIELD_KEYS if columns.get(key)]
        layout.save(update_fields=["order"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerlayout",
            name="order",
            field=models.JSONField(blank=True, default=list, verbose_name="列顺序"),
        ),
        migrations.RunPython(fill_order, migrations.RunPython.noop),
    ]
