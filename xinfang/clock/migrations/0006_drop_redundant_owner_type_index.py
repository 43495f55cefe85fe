"""Drop single-column indexes that a composite index already leads with (fewer writes per case).

See xinfang.core.migration_ops.drop_single_column_indexes: the index alone is dropped, in
place, on both databases; the AlterFields only record db_index=False in the state.
"""

import django.db.models.deletion
from django.db import migrations, models

from xinfang.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("clock", "0005_calendar_source_label"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deadline",
                    name="owner_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                        verbose_name="所属对象类型",
                    ),
                ),
            ],
            database_operations=[drop_single_column_indexes("clock", {"deadline": ["owner_type"]})],
        ),
    ]
