"""The petitioner pages in a real Chromium: messages come from the server, in Chinese."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as
from xinfang.devdata.flow import make_petitioner
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = pytest.mark.browser


def test_it_explains_a_missing_reveal_reason_in_chinese_from_the_server(page, e2e_cast):
    petitioner = make_petitioner(e2e_cast.registrar, name="陈秀兰")
    login_as(page, "registrar")
    page.goto(f"/petitioners/{petitioner.pk}/")
    # The browser's own validation (in the browser's language) would keep the form from being sent at all.
    page.get_by_role("button", name="查看完整信息").click()
    expect(page.locator("#pii")).to_contain_text("请填写查看完整信息的事由")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
