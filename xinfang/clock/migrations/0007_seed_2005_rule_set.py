"""Seed the 2005 《信访条例》's periods for cases received before the 2022 条例 took effect.

Historical ledgers (xinfang.ledgers) bring in cases from past years; their deadlines must be
those of the law in force on their day (law reference, table R1–R11, "2005 条例 equivalent").
The 2005 条例 took effect on 2005-05-01; the 2022 条例 replaced it on 2022-05-01. It has no
5-working-day objection period (R4): no such clock is seeded, so none can start under it.
No local targets: those are today's local commitments, not the law of then.
Values are copied here so the migration keeps meaning what it meant when written.
"""

from datetime import date

from django.db import migrations

ARTICLE = "《信访条例》（2005年）"

RULES = {
    "routing": (15, False, False, f"{ARTICLE}第二十一条"),
    "acceptance": (15, False, False, f"{ARTICLE}第二十一条、第二十二条"),
    "handling": (60, False, False, f"{ARTICLE}第三十三条"),
    "extension": (30, False, False, f"{ARTICLE}第三十三条"),
    "review_window": (30, False, True, f"{ARTICLE}第三十四条"),
    "review_decision": (30, False, False, f"{ARTICLE}第三十四条"),
    "reexam_window": (30, False, True, f"{ARTICLE}第三十五条"),
    "reexam_decision": (30, False, False, f"{ARTICLE}第三十五条（听证时间不计算在内）"),
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("clock", "RuleSet")
    ClockRule = apps.get_model("clock", "ClockRule")
    rule_set, created = RuleSet.objects.get_or_create(
        code="national-2005",
        defaults={
            "name": "全国规则（2005年《信访条例》）",
            "effective_from": date(2005, 5, 1),
            "effective_to": date(2022, 4, 30),
            "is_national_default": True,
            "note": "《信访条例》自2005年5月1日起施行，至2022年5月1日《信访工作条例》施行时止；用于导入的历史信访件。",
        },
    )
    if created:
        ClockRule.objects.bulk_create(
            ClockRule(rule_set=rule_set, clock=clock, days=days, working=working, roll_forward=roll, article=article)
            for clock, (days, working, roll, article) in RULES.items()
        )


def unseed(apps, schema_editor):
    apps.get_model("clock", "RuleSet").objects.filter(code="national-2005").delete()


class Migration(migrations.Migration):
    dependencies = [("clock", "0006_drop_redundant_owner_type_index")]

    operations = [migrations.RunPython(seed, unseed)]
