from django.db import migrations, models

# The open states when this migration was written (cases.states.OPEN_STATES), frozen here so that
# a later change of the states does not change what this migration did.
OPEN_STATES = [
    "registered",
    "forwarded",
    "assigned",
    "to_decide",
    "handling",
    "replied",
    "reported",
    "review_requested",
    "reviewed",
    "reexam_requested",
]


def mark_ended_cases(apps, schema_editor):
    """Existing participant rows of cases that have ended (the new column starts True everywhere)."""
    CaseOrg = apps.get_model("cases", "CaseOrg")
    Case = apps.get_model("cases", "Case")
    ended = Case.objects.exclude(status__in=OPEN_STATES).values("pk")
    CaseOrg.objects.filter(case_id__in=ended).update(case_open=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_caseorg_co_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseorg",
            name="case_open",
            field=models.BooleanField(default=True, verbose_name="信访件未办结"),
        ),
        migrations.RunPython(mark_ended_cases, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="caseorg",
            index=models.Index(
                condition=models.Q(("case_open", True)), fields=["org", "case"], name="caseorg_open_idx"
            ),
        ),
    ]
