"""Seed the national default listing rules, the urging proposal rule and the notification kinds.

Idempotent: a row that exists (perhaps edited by an administrator) is left as it is.
"""

import datetime

from django.db import migrations

# 《信访工作条例》 in force from 2022-05-01.
FROM = datetime.date(2022, 5, 1)

LISTING_RULES = [
    ("重复信访件挂牌督办", "repeat", 30, 7),
    ("集体访挂牌督办", "collective", 15, 5),
    ("领导批示件挂牌督办", "instructed", 30, 7),
    ("上级交办件挂牌督办", "referred", 30, 7),
]

STAFF_VARS = "case_number, case_summary, case_org, received_date, actor, today"

KINDS = [
    {
        "code": "supervision.opened",
        "label": "督办通知",
        "title_template": "{{ issued_org }}对信访件{{ case_number }}{{ kind }}，请于{{ due_on }}前办结",
        "body_template": "督办事由：{{ reason }}{% if report_every_days %}\n请每{{ report_every_days }}日反馈一次办理进展，下次反馈期限{{ next_report_on }}。{% endif %}",
        "variables": STAFF_VARS + ", issued_org, kind, reason, due_on, report_every_days, next_report_on",
    },
    {
        "code": "supervision.reported",
        "label": "督办反馈",
        "title_template": "{{ org }}反馈了信访件{{ case_number }}的{{ report_kind }}",
        "body_template": "{{ text }}",
        "variables": STAFF_VARS + ", org, report_kind, text",
    },
    {
        "code": "supervision.continued",
        "label": "继续督办",
        "title_template": "{{ issued_org }}对信访件{{ case_number }}继续督办，新的办结期限为{{ due_on }}",
        "body_template": "{{ note }}",
        "variables": STAFF_VARS + ", issued_org, due_on, note",
    },
    {
        "code": "urging.issued",
        "label": "催办单",
        "title_template": "{{ issued_org }}对信访件{{ case_number }}发出催办单，请于{{ reply_by }}前答复",
        "body_template": "催办事项：{{ subject }}",
        "variables": STAFF_VARS + ", issued_org, subject, reply_by",
    },
    {
        "code": "urging.answered",
        "label": "催办答复",
        "title_template": "{{ org }}答复了信访件{{ case_number }}的催办单",
        "body_template": "{{ reply }}",
        "variables": STAFF_VARS + ", org, reply",
    },
    {
        "code": "instruction.recorded",
        "label": "领导批示",
        "title_template": "{{ leader }}对信访件{{ case_number }}作出批示，请于{{ commit_by }}前报告落实情况",
        "body_template": "批示内容：{{ text }}",
        "variables": STAFF_VARS + ", leader, text, commit_by",
    },
    {
        "code": "instruction.reported",
        "label": "批示落实情况",
        "title_template": "{{ org }}报告了信访件{{ case_number }}的批示落实情况",
        "body_template": "{{ report }}",
        "variables": STAFF_VARS + ", org, report",
    },
]


def seed(apps, schema_editor):
    ListingRule = apps.get_model("supervision", "ListingRule")
    UrgingRule = apps.get_model("supervision", "UrgingRule")
    NotificationKind = apps.get_model("notifications", "NotificationKind")
    for name, condition, due_days, every in LISTING_RULES:
        ListingRule.objects.get_or_create(
            condition=condition,
            org=None,
            effective_from=FROM,
            defaults={"name": name, "level": "county", "due_days": due_days, "report_every_days": every},
        )
    UrgingRule.objects.get_or_create(
        effective_from=FROM, defaults={"name": "期限届满前3日建议催办", "days_before": 3, "reply_days": 3}
    )
    for row in KINDS:
        values = dict(row, audience="staff")
        code = values.pop("code")
        NotificationKind.objects.get_or_create(code=code, defaults=values)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("notifications", "0003_failed_deliveries_list"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
