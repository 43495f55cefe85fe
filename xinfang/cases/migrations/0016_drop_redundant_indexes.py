"""Drop single-column indexes that a composite index already leads with (fewer writes per case).

See xinfang.core.migration_ops.drop_single_column_indexes: the index alone is dropped, in
place, on both databases; the AlterFields only record db_index=False in the state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from xinfang.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_card_history_actions"),
        ("orgs", "0006_audit_stats_export"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="competent_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="主办单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="current_org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="当前办理单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="handler",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handled_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="承办人",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="reexam_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="复核机关",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="registered_org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="登记单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="review_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="复查机关",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="routing_org",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.org",
                        verbose_name="交转办单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("registered", "待交转办"),
                            ("forwarded", "已转送待签收"),
                            ("assigned", "已交办待签收"),
                            ("to_decide", "待受理"),
                            ("handling", "办理中"),
                            ("replied", "已答复"),
                            ("reported", "已报结待审核"),
                            ("closed", "已办结"),
                            ("declined", "不予受理"),
                            ("refused", "不再受理"),
                            ("redirected", "已导入法定途径"),
                            ("merged", "已并重复件"),
                            ("review_requested", "复查中"),
                            ("reviewed", "已复查"),
                            ("reexam_requested", "复核中"),
                            ("final", "已终结"),
                        ],
                        max_length=20,
                        verbose_name="状态",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseorg",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participants",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseorg",
                    name="org",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="case_roles",
                        to="orgs.org",
                    ),
                ),
                migrations.AlterField(
                    model_name="casepetitioner",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="case_petitioners",
                        to="cases.case",
                    ),
                ),
            ],
            database_operations=[
                drop_single_column_indexes(
                    "cases",
                    {
                        "case": [
                            "competent_org",
                            "current_org",
                            "handler",
                            "reexam_org",
                            "registered_org",
                            "review_org",
                            "routing_org",
                            "status",
                        ],
                        "caseevent": ["case"],
                        "caseorg": ["case", "org"],
                        "casepetitioner": ["case"],
                    },
                )
            ],
        ),
    ]
