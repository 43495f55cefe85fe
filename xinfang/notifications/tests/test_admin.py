"""The Chinese admin: templates are editable, failed deliveries are listed and can be sent again."""

import pytest

from xinfang.notifications import notify
from xinfang.notifications.models import ChannelPreference, Delivery, NotificationKind, StaffContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(cast, django_user_model):
    # After the cast, whose rows have fixed ids.
    return django_user_model.objects.create_superuser("root", "root@example.gov.cn", "pw")


@pytest.fixture
def failed(cast):
    kind = NotificationKind.objects.get(code="case.handler")
    StaffContact.objects.create(user=cast.handler, mobile="13912345678")
    ChannelPreference.objects.create(user=cast.handler, kind=kind, sms=True)
    notify("case.handler", users=[cast.handler], dedupe="a:1")
    Delivery.objects.update(status="failed", attempts=8, last_error="短信网关返回 HTTP 503")
    return Delivery.objects.get()


def test_the_failed_deliveries_list_shows_them_masked_and_resends(superuser, client, failed):
    client.force_login(superuser)
    page = client.get("/admin/notifications/faileddelivery/").content.decode()
    assert "发送失败的通知" in page and "139****5678" in page and "13912345678" not in page
    assert "短信网关返回 HTTP 503" in page
    response = client.post(
        "/admin/notifications/faileddelivery/", {"action": "resend", "_selected_action": [failed.pk]}, follow=True
    )
    assert "已安排重新发送 1 条" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending"


def test_templates_are_edited_in_the_admin_and_kinds_are_not_deleted(superuser, client):
    client.force_login(superuser)
    kind = NotificationKind.objects.get(code="notice.acceptance")
    page = client.get(f"/admin/notifications/notificationkind/{kind.pk}/change/").content.decode()
    assert "短信模板" in page and "删除" not in page.split('<div class="submit-row">', 1)[-1][:400]
    assert client.get("/admin/notifications/deliveryattempt/").status_code == 200
    assert client.get("/admin/background/jobrun/").status_code == 200
