"""Seed the notification kinds and their Chinese templates (editable in the admin afterwards).

Idempotent: a kind that exists (perhaps edited by an administrator) is left as it is.
"""

from django.db import migrations

STAFF_VARS = "case_number, case_summary, case_org, received_date, actor, today"
NOTICE_VARS = STAFF_VARS + ", org_name, notice"

KINDS = [
    {
        "code": "case.routed",
        "label": "新交转办信访件",
        "audience": "staff",
        "title_template": "{{ from_org }}{{ action }}信访件{{ case_number }}，请及时签收",
        "body_template": "{{ case_summary }}",
        "variables": STAFF_VARS + ", action, from_org",
    },
    {
        "code": "case.handler",
        "label": "指定承办人",
        "audience": "staff",
        "title_template": "您被指定为信访件{{ case_number }}的承办人",
        "body_template": "{{ case_summary }}",
        "variables": STAFF_VARS,
    },
    {
        "code": "notice.acceptance",
        "label": "受理告知（短信）",
        "audience": "petitioner",
        "title_template": "受理告知：{{ case_number }}",
        "sms_template": "【{{ org_name }}】您提出的信访事项（编号{{ case_number }}）已受理，我们将依法办理并书面答复，受理告知书将依法送达。",
        "sms_default": True,
        "variables": NOTICE_VARS,
    },
    {
        "code": "notice.decline",
        "label": "不予受理告知（短信）",
        "audience": "petitioner",
        "title_template": "不予受理告知：{{ case_number }}",
        "sms_template": "【{{ org_name }}】您提出的信访事项（编号{{ case_number }}）依法不予受理，不予受理告知书将依法送达，请注意查收。",
        "sms_default": True,
        "variables": NOTICE_VARS,
    },
    {
        "code": "notice.extension",
        "label": "延期告知（短信）",
        "audience": "petitioner",
        "title_template": "延期告知：{{ case_number }}",
        "sms_template": "【{{ org_name }}】您提出的信访事项（编号{{ case_number }}）办理期限已依法延长，延期告知书将依法送达。",
        "sms_default": True,
        "variables": NOTICE_VARS,
    },
    {
        "code": "notice.reply",
        "label": "答复告知（短信）",
        "audience": "petitioner",
        "title_template": "答复告知：{{ case_number }}",
        "sms_template": "【{{ org_name }}】您提出的信访事项（编号{{ case_number }}）已作出处理意见，信访事项处理意见书将依法送达；如不服，可依法请求复查。",
        "sms_default": True,
        "variables": NOTICE_VARS,
    },
]


def seed(apps, schema_editor):
    NotificationKind = apps.get_model("notifications", "NotificationKind")
    for row in KINDS:
        values = dict(row)
        code = values.pop("code")
        NotificationKind.objects.get_or_create(code=code, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications_deliveries_consent")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
