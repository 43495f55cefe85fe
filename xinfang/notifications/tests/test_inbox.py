"""The in-app inbox: my notifications only, the unread badge in the navigation, mark read, filters, htmx."""

import pytest

from xinfang.notifications import notify
from xinfang.notifications.models import ChannelPreference, Notification, StaffContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(cast, flow):
    case = flow.register()
    notify(
        "case.routed",
        case=case,
        users=[cast.officer],
        dedupe="i:1",
        context={"action": "交办", "from_org": "示例市信访局"},
    )
    notify("case.handler", case=case, users=[cast.officer], dedupe="i:2")
    return case


def test_the_inbox_lists_my_notifications_with_their_case_link(cast, login, routed):
    page = login(cast.officer).get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"示例市信访局交办信访件{routed.number}，请及时签收" in html
    note = Notification.objects.get(dedupe="i:1")
    assert f'href="/notifications/{note.pk}/open/"' in html
    assert "未读 <strong>2</strong> 条" in html


def test_the_navigation_shows_the_unread_count(cast, login, routed):
    html = login(cast.officer).get("/cases/").content.decode()
    assert '<a href="/notifications/">消息 <span id="unread-badge" class="badge"' in html
    assert 'aria-label="未读消息 2 条">2</span>' in html


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(cast, login, routed):
    note = Notification.objects.get(dedupe="i:1")
    response = login(cast.officer).get(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{routed.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_by_htmx_swaps_the_row_and_the_badge(cast, login, routed):
    note = Notification.objects.get(dedupe="i:1")
    response = login(cast.officer).post(f"/notifications/{note.pk}/read/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="n-{note.pk}">') and '<span class="muted">已读</span>' in html
    assert 'hx-swap-oob="true"' in html and 'aria-label="未读消息 1 条">1</span>' in html


def test_mark_all_read(cast, login, routed):
    client = login(cast.officer)
    assert client.post("/notifications/read-all/")["Location"] == "/notifications/"
    assert not Notification.objects.filter(user=cast.officer, read_at__isnull=True).exists()
    assert (
        client.post("/notifications/read-all/", headers={"HX-Request": "true"})["HX-Trigger"] == "notifications-changed"
    )


def test_filters_narrow_the_list_and_htmx_gets_only_the_list(cast, login, routed):
    client = login(cast.officer)
    Notification.objects.filter(dedupe="i:2").update(read_at="2026-01-01T00:00:00Z")
    html = client.get("/notifications/", {"show": "unread"}, headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in html and "请及时签收" in html and "承办人" not in html
    html = client.get("/notifications/", {"kind": "case.handler"}).content.decode()
    assert f"您被指定为信访件{routed.number}的承办人" in html and "请及时签收" not in html
    html = client.get("/notifications/", {"show": "unread", "kind": "case.handler"}).content.decode()
    assert "没有未读消息。" in html


def test_another_users_notification_is_a_404(cast, login, routed):
    note = Notification.objects.get(dedupe="i:1")
    client = login(cast.other_officer)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{note.pk}/open/").status_code == 404
    assert "请及时签收" not in client.get("/notifications/").content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_the_badge_fragment_counts_my_unread(cast, login, routed):
    html = login(cast.officer).get("/notifications/badge/").content.decode()
    assert 'aria-label="未读消息 2 条">2</span>' in html
    html = login(cast.other_officer).get("/notifications/badge/").content.decode()
    assert "hidden" in html and ">0</span>" in html


def test_each_user_chooses_channels_and_a_mobile_number(cast, login):
    client = login(cast.handler)
    page = client.get("/notifications/settings/").content.decode()
    assert "指定承办人" in page and "受理告知（短信）" not in page  # petitioners' kinds are not staff choices
    from xinfang.notifications.models import NotificationKind

    kind = NotificationKind.objects.get(code="case.handler")
    response = client.post("/notifications/settings/", {"mobile": "139 1234 5678", f"sms-{kind.pk}": "on"})
    assert response.status_code == 302
    assert StaffContact.objects.get(user=cast.handler).mobile == "13912345678"
    pref = ChannelPreference.objects.get(user=cast.handler, kind=kind)
    assert pref.sms and not pref.email
    response = client.post("/notifications/settings/", {"mobile": "0571-87654321"})
    assert response.status_code == 422 and "接收短信须填写手机号码" in response.content.decode()
