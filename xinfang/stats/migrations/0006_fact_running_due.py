from django.db import migrations, models

# Frozen here (clock.models.Clock, DeadlineStatus), so that a later change does not change this migration.
HANDLING, OPEN, MET = "handling", "open", "met"
CHUNK = 2000


def fill_running_due(apps, schema_editor):
    """The new columns of the facts already stored, as ``rollups._fact_rows`` now computes them.

    Without them the current month's 按期办结 would count every running deadline of the month late
    until ``recompute_rollups`` ran. Only the cases with a running handling deadline have any.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("clock", "Deadline")
    CaseFact = apps.get_model("stats", "CaseFact")
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is None:
        return
    handling = Deadline.objects.filter(owner_type=case_type, clock=HANDLING).order_by()
    owners = sorted(set(handling.filter(status=OPEN, paused=False).values_list("owner_id", flat=True)))
    for i in range(0, len(owners), CHUNK):
        chunk = owners[i : i + CHUNK]
        running, met = {}, {}
        for owner, status, paused, due, met_at in handling.filter(owner_id__in=chunk).values_list(
            "owner_id", "status", "paused", "due_date", "met_at"
        ):
            key = (owner, due.replace(day=1))
            if status == MET:
                met[key] = max(met.get(key, 0), int(met_at > due))
            elif status == OPEN and not paused and (key not in running or due < running[key]):
                running[key] = due
        for (owner, month), due in running.items():
            late = met.get((owner, month))
            CaseFact.objects.filter(case_id=owner, month=month, month2__isnull=True).update(
                running_due=due, undue_judged=int(late is None), undue_late=int(not late)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_caseorg_case_open"),
        ("clock", "0007_seed_2005_rule_set"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orgs", "0006_audit_stats_export"),
        ("stats", "0005_rollup_covering_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="casefact",
            name="running_due",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="casefact",
            name="undue_judged",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="casefact",
            name="undue_late",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(fill_running_due, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="casefact",
            index=models.Index(
                condition=models.Q(("running_due__isnull", False)), fields=["running_due"], name="stats_fact_running_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(
                condition=models.Q(("total__gt", 0)),
                fields=["month", "org", "kind", "channel", "category", "total"],
                name="stats_rollup_received_idx",
            ),
        ),
    ]
