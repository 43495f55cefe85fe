"""GET /api/v1/notifications and marking read: my own notifications only, in the OpenAPI document."""

import pytest

from xinfang.notifications import notify
from xinfang.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cast, db):
    import importlib

    from django.apps import apps

    importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)
    notify("case.handler", users=[cast.handler], dedupe="api:1")
    notify("case.routed", users=[cast.handler], dedupe="api:2", context={"action": "转送", "from_org": "清河县信访局"})
    return list(Notification.objects.order_by("pk"))


def test_it_lists_my_notifications_newest_first_with_filters(cast, api_as, two):
    api = api_as(cast.handler)
    body = api.get("/api/v1/notifications").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert [i["title"] for i in body["items"]] == ["清河县信访局转送信访件，请及时签收", "您被指定为信访件的承办人"]
    assert body["items"][0]["kind"] == "case.routed" and body["items"][0]["kind_label"] == "新交转办信访件"
    assert api.get("/api/v1/notifications", {"kind": "case.handler"}).json()["count"] == 1


def test_mark_read_and_read_all(cast, api_as, two):
    api = api_as(cast.handler)
    first = api.post(f"/api/v1/notifications/{two[0].pk}/read")
    assert first.status_code == 200 and first.json()["read_at"] is not None
    assert api.get("/api/v1/notifications", {"unread": "true"}).json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1, "unread": 0}


def test_another_users_notification_is_a_404(cast, api_as, two):
    response = api_as(cast.other_officer).post(f"/api/v1/notifications/{two[0].pk}/read")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"], "field": None}
    assert api_as(cast.other_officer).get("/api/v1/notifications").json()["count"] == 0
    two[0].refresh_from_db()
    assert two[0].read_at is None


def test_it_needs_a_token(client, two):
    assert client.get("/api/v1/notifications").status_code == 401


def test_the_openapi_document_describes_the_notification_endpoints(cast, api_as, login):
    response = login(cast.handler).get("/api/v1/openapi.json")
    paths = response.json()["paths"]
    assert paths["/api/v1/notifications"]["get"]["summary"] == "我的消息"
    assert paths["/api/v1/notifications/{notification_id}/read"]["post"]["summary"] == "标为已读"
    assert paths["/api/v1/notifications/read-all"]["post"]["summary"] == "全部标为已读"
