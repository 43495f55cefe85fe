"""Index the accused org and user only over the cases that name one (partial indexes).

Nearly every case names neither, so the full single-column indexes' statistics said that all
rows share one value, and SQLite scanned every case to find the accusations against a unit or a
person (the statistics' hidden-accusation sets). The full indexes are dropped in place
(xinfang.core.migration_ops.drop_single_column_indexes: Django's AlterField would rebuild the
table on SQLite and drop its history triggers); the AlterFields only record db_index=False.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from xinfang.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_delivery_and_document_records"),
        ("orgs", "0006_audit_stats_export"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="accused_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="被反映单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="accused_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="被反映人（本系统用户）",
                    ),
                ),
            ],
            database_operations=[drop_single_column_indexes("cases", {"case": ["accused_org", "accused_user"]})],
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("accused_org__isnull", False)), fields=["accused_org"], name="case_accused_org_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("accused_user__isnull", False)),
                fields=["accused_user"],
                name="case_accused_user_idx",
            ),
        ),
    ]
