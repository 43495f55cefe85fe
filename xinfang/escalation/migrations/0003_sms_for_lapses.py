"""A lapsed deadline and a supervised item gone overdue also go out by SMS unless the user opts out.

They name a unit that is now late, so its head and the supervisor hear of it
off the intranet too; the earlier reminders stay in the inbox (and e-mail).
Only kinds still at the seeded default are changed: an administrator's own
choice in the admin is kept.
"""

from django.db import migrations

LAPSES = ("escalation.overdue", "escalation.supervision_overdue", "escalation.instruction_overdue")


def forward(apps, schema_editor):
    NotificationKind = apps.get_model("notifications", "NotificationKind")
    NotificationKind.objects.filter(code__in=LAPSES, sms_default=False).update(sms_default=True)


def backward(apps, schema_editor):
    NotificationKind = apps.get_model("notifications", "NotificationKind")
    NotificationKind.objects.filter(code__in=LAPSES, sms_default=True).update(sms_default=False)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_seed_national_ladder"),
        ("notifications", "0003_failed_deliveries_list"),
    ]

    operations = [migrations.RunPython(forward, backward)]
