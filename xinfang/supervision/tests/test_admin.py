"""The Chinese admin: rules editable, items shown read-only."""

import pytest
from django.contrib.auth import get_user_model

from xinfang.supervision.tests.test_supervision_actions import open_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, cast):
    user = get_user_model().objects.create_superuser("root", password="x-root-pw-123456")
    client.force_login(user)
    return client


def test_the_rules_are_listed_in_chinese(admin_client):
    page = admin_client.get("/admin/supervision/listingrule/").content.decode()
    assert "挂牌督办规则" in page and "重复信访件挂牌督办" in page
    assert "期限届满前3日建议催办" in admin_client.get("/admin/supervision/urgingrule/").content.decode()


def test_items_are_read_only(admin_client, cast, flow):
    item = open_item(flow.handling(), cast.supervisor)
    page = admin_client.get(f"/admin/supervision/supervisionitem/{item.pk}/change/").content.decode()
    assert item.case.number in page
    assert item.reason not in page  # the petition's matter is read on the case page
    assert admin_client.get("/admin/supervision/supervisionitem/add/").status_code == 403
