"""Seed the work calendar with every year the chinesecalendar package covers.

Uses xinfang.clock.seed (shared with `manage.py clock seed`) with the
historical models, so a fresh install and a later reseed load the same rows.
"""

import uuid

from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.clock.seed import seed_calendar

    CalendarDay = apps.get_model("clock", "CalendarDay")
    CalendarYear = apps.get_model("clock", "CalendarYear")
    CalendarRevision = apps.get_model("clock", "CalendarRevision")
    seed_calendar(CalendarDay, CalendarYear)
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def unseed(apps, schema_editor):
    apps.get_model("clock", "CalendarDay").objects.filter(source="seed").delete()
    apps.get_model("clock", "CalendarYear").objects.filter(source="seed").delete()


class Migration(migrations.Migration):
    dependencies = [("clock", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
