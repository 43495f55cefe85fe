"""Seed the reminder notification kinds and the national default escalation ladder.

Idempotent: a kind, rule set, rule or policy that exists (perhaps edited by
an administrator) is left as it is.
"""

from datetime import date

from django.db import migrations

VARS = "case_number, case_summary, case_org, received_date, actor, today, clock_label, due_date, days_left, days_overdue, rule_name, owing_org"

KINDS = [
    {
        "code": "escalation.due_soon",
        "label": "期限即将届满提醒",
        "title_template": "信访件{{ case_number }}的{{ clock_label }}期限将于{{ due_date }}届满，请抓紧办理",
        "body_template": "{{ owing_org }}：{{ clock_label }}期限 {{ due_date }}，还剩 {{ days_left }} 天。",
    },
    {
        "code": "escalation.due_today",
        "label": "期限今日届满提醒",
        "title_template": "信访件{{ case_number }}的{{ clock_label }}期限今日（{{ due_date }}）届满",
        "body_template": "请今日内办结或依法办理延期手续。",
    },
    {
        "code": "escalation.overdue",
        "label": "期限逾期提醒",
        "title_template": "信访件{{ case_number }}的{{ clock_label }}期限已逾期 {{ days_overdue }} 天",
        "body_template": "{{ owing_org }}办理的信访件{{ case_number }}，{{ clock_label }}期限 {{ due_date }} 已过，请督促办理。",
        "email_default": True,
    },
    {
        "code": "escalation.supervision_overdue",
        "label": "督办事项逾期（黄牌警告）",
        "title_template": "督办事项逾期：信访件{{ case_number }}，已对{{ owing_org }}记黄牌警告",
        "body_template": "督办事项办结期限 {{ due_date }}，已逾期 {{ days_overdue }} 天。",
        "email_default": True,
    },
    {
        "code": "escalation.report_overdue",
        "label": "督办进展反馈逾期",
        "title_template": "信访件{{ case_number }}的督办进展反馈已逾期（应于{{ due_date }}前反馈）",
        "body_template": "请{{ owing_org }}尽快报送督办进展情况。",
    },
    {
        "code": "escalation.urging_overdue",
        "label": "催办单逾期未答复",
        "title_template": "信访件{{ case_number }}的催办单逾期未答复（答复期限{{ due_date }}）",
        "body_template": "{{ owing_org }}未在期限内答复催办，已逾期 {{ days_overdue }} 天。",
    },
    {
        "code": "escalation.instruction_overdue",
        "label": "领导批示逾期未落实",
        "title_template": "信访件{{ case_number }}的领导批示逾期未报告落实情况（承诺期限{{ due_date }}）",
        "body_template": "{{ owing_org }}未在承诺期限内报告批示落实情况，已逾期 {{ days_overdue }} 天。",
        "email_default": True,
    },
]

# (code, name, clock, timing, days, working, recipients, kind, record)
RULES = [
    ("handling-due-soon", "办理期限届满前 3 个工作日提醒", "handling", "before", 3, True, ["to_handler", "to_unit_head"], "escalation.due_soon", "nothing"),
    ("review-due-soon", "复查期限届满前 3 个工作日提醒", "review_decision", "before", 3, True, ["to_handler", "to_unit_head"], "escalation.due_soon", "nothing"),
    ("reexam-due-soon", "复核期限届满前 3 个工作日提醒", "reexam_decision", "before", 3, True, ["to_handler", "to_unit_head"], "escalation.due_soon", "nothing"),
    ("handling-due-today", "办理期限当日提醒", "handling", "on_due", 0, False, ["to_handler"], "escalation.due_today", "nothing"),
    ("handling-overdue", "办理期限逾期 1 天升级", "handling", "overdue", 1, False, ["to_unit_head", "to_routing_officer"], "escalation.overdue", "nothing"),
    ("acceptance-overdue", "受理告知逾期 1 天升级", "acceptance", "overdue", 1, False, ["to_unit_head", "to_routing_officer"], "escalation.overdue", "nothing"),
    ("supervision-overdue", "督办事项逾期记黄牌", "supervision", "overdue", 1, False, ["to_issuer", "to_unit_head"], "escalation.supervision_overdue", "yellow"),
    ("report-overdue", "督办进展反馈逾期提醒", "supervision_report", "overdue", 1, False, ["to_unit_head"], "escalation.report_overdue", "nothing"),
    ("urging-overdue", "催办单逾期未答复升级", "urging", "overdue", 1, False, ["to_issuer", "to_unit_head"], "escalation.urging_overdue", "nothing"),
    ("instruction-overdue", "领导批示逾期未落实升级", "instruction", "overdue", 1, False, ["to_leader", "to_unit_head"], "escalation.instruction_overdue", "nothing"),
]

SINCE = date(2022, 5, 1)  # 《信访工作条例》施行之日


def seed(apps, schema_editor):
    NotificationKind = apps.get_model("notifications", "NotificationKind")
    RuleSet = apps.get_model("escalation", "EscalationRuleSet")
    Rule = apps.get_model("escalation", "EscalationRule")
    Policy = apps.get_model("escalation", "CardPolicy")
    for row in KINDS:
        values = dict(row, audience="staff", variables=VARS)
        NotificationKind.objects.get_or_create(code=values.pop("code"), defaults=values)
    rule_set, _ = RuleSet.objects.get_or_create(
        code="national-escalation",
        defaults={
            "name": "全国默认督办升级规则",
            "effective_from": SINCE,
            "is_national_default": True,
            "note": "有访必督、一督到底：到期前提醒、到期当日提醒、逾期升级、督办逾期记黄牌。",
        },
    )
    for code, name, clock, timing, days, working, whom, kind, record in RULES:
        Rule.objects.get_or_create(
            rule_set=rule_set,
            code=code,
            defaults={
                "name": name,
                "clock": clock,
                "timing": timing,
                "days": days,
                "working": working,
                "kind": NotificationKind.objects.get(code=kind),
                "record": record,
                "effective_from": SINCE,
                **{field: True for field in whom},
            },
        )
    if not Policy.objects.exists():
        Policy.objects.create(name="黄牌累计记红牌", yellow_count=3, within_days=90, effective_from=SINCE)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_rules_cards_cursors"),
        ("notifications", "0002_seed_notification_kinds"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
