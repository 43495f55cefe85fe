"""Seed the default scoring scheme of the unit ranking (docs/metrics.md §9).

Idempotent: a scheme, item or veto that exists (perhaps edited by an
administrator) is left as it is. Only handling is scored: timely acceptance,
replies on time, satisfaction and evaluation, reviews that upheld the
original opinion, yellow cards; an overdue supervised item or a red card in
the period vetoes. The lines follow the seeds where they give one (F004-J:
satisfaction at least 90 %, every item handled in time).
"""

from datetime import date

from django.db import migrations

SINCE = date(2022, 5, 1)  # 《信访工作条例》施行之日

# (metric, weight, full marks at, zero at, if no data)
ITEMS = [
    ("timely_acceptance_rate", 20, 100, 80, "skip"),
    ("on_time_rate", 25, 100, 80, "skip"),
    ("satisfaction_rate", 20, 90, 60, "skip"),
    ("evaluation_rate", 10, 90, 50, "skip"),
    ("review_upheld_rate", 15, 100, 50, "skip"),
    ("yellow_cards", 10, 0, 5, "skip"),
]

# (reason, metric, op, threshold)
VETOES = [
    ("期内有督办事项超期", "supervised_overdue", "gte", 1),
    ("期内被记红牌警告", "red_cards", "gte", 1),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("stats", "ScoringScheme")
    Item = apps.get_model("stats", "ScoringItem")
    Veto = apps.get_model("stats", "ScoringVeto")
    scheme, created = Scheme.objects.get_or_create(
        code="default-ranking",
        defaults={
            "name": "信访工作考核默认评分方案",
            "is_default": True,
            "effective_from": SINCE,
            "note": "只评价机关对信访事项的办理；集体访、越级访、重复信访和信访量只作情况反映，不计分。",
        },
    )
    for sort, (metric, weight, full_at, zero_at, no_data) in enumerate(ITEMS, start=1):
        Item.objects.get_or_create(
            scheme=scheme,
            metric=metric,
            defaults={"weight": weight, "full_at": full_at, "zero_at": zero_at, "if_no_data": no_data, "sort": sort},
        )
    if created:  # vetoes have no natural key: seed them with the scheme only
        for name, metric, op, threshold in VETOES:
            Veto.objects.create(scheme=scheme, name=name, metric=metric, op=op, threshold=threshold)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_scoring_scheme")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
