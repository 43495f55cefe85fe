"""Seed the national 2022 rule set and the Zhejiang variant, as data.

The values are copied here rather than imported so this migration keeps
meaning what it meant when written. Article numbers follow DESIGN.md §3.
"""

from datetime import date

from django.db import migrations

ARTICLE = "《信访工作条例》"

# clock: (days, working, roll_forward, article)
NATIONAL_RULES = {
    "routing": (15, False, False, f"{ARTICLE}第二十二条"),
    "acceptance": (15, False, False, f"{ARTICLE}第二十三条"),
    "misrouting_objection": (5, True, False, f"{ARTICLE}第二十三条"),
    "handling": (60, False, False, f"{ARTICLE}第三十四条"),
    "extension": (30, False, False, f"{ARTICLE}第三十四条"),
    # The petitioner's own windows roll forward off a rest day (DESIGN §4 policy).
    "review_window": (30, False, True, f"{ARTICLE}第三十五条"),
    "review_decision": (30, False, False, f"{ARTICLE}第三十五条"),
    "reexam_window": (30, False, True, f"{ARTICLE}第三十六条"),
    "reexam_decision": (30, False, False, f"{ARTICLE}第三十六条（听证时间不计算在内）"),
}

ZHEJIANG_OVERRIDES = {
    "acceptance": (5, True, False, "浙江省规定：5 个工作日内决定是否受理（示例数据，以现行文件为准）"),
}

# Local commitments stricter than the law: examples from DESIGN §3, editable.
TARGETS = [
    ("urgency:一般", "一般件", 7, False),
    ("urgency:急", "急件", 3, False),
    ("urgency:特急", "特急件", 1, False),
    ("leader_instruction", "领导批示件", 7, False),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("clock", "RuleSet")
    ClockRule = apps.get_model("clock", "ClockRule")
    LocalTarget = apps.get_model("clock", "LocalTarget")
    sets = [
        (
            RuleSet.objects.create(
                code="national-2022",
                name="全国默认规则（2022年《信访工作条例》）",
                effective_from=date(2022, 5, 1),
                is_national_default=True,
                note="《信访工作条例》自2022年5月1日起施行。未为机构或其上级指定规则集时适用。",
            ),
            NATIONAL_RULES,
        ),
        (
            RuleSet.objects.create(
                code="zhejiang",
                name="浙江省规则（受理 5 个工作日）",
                effective_from=date(2022, 5, 1),
                note="省级变体示例：受理决定为 5 个工作日，其余同全国默认。在“机构规则集指定”中指定给省、市或县级机构后，其下级机构自动继承。",
            ),
            {**NATIONAL_RULES, **ZHEJIANG_OVERRIDES},
        ),
    ]
    for rule_set, rules in sets:
        ClockRule.objects.bulk_create(
            ClockRule(rule_set=rule_set, clock=clock, days=days, working=working, roll_forward=roll, article=article)
            for clock, (days, working, roll, article) in rules.items()
        )
        LocalTarget.objects.bulk_create(
            LocalTarget(rule_set=rule_set, key=key, label=label, days=days, working=working)
            for key, label, days, working in TARGETS
        )


def unseed(apps, schema_editor):
    apps.get_model("clock", "RuleSet").objects.filter(code__in=["national-2022", "zhejiang"]).delete()


class Migration(migrations.Migration):
    dependencies = [("clock", "0002_seed_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
