"""督办 in a real Chromium: the supervisor lists a case for supervision (挂牌督办), the unit's handler
finds it in the inbox and files a progress report, the supervisor concludes it."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import VIEWPORT
from e2e.helpers import PHONE, expect_no_sideways_scroll, login_as, reseed_migration_data, switch_user
from xinfang.devdata.flow import Flow

pytestmark = pytest.mark.browser


def _reseed_kinds():
    """The notification kinds and supervision rules of the data migrations (a flush removed them)."""
    from django.apps import apps

    from xinfang.notifications.models import NotificationKind

    if not NotificationKind.objects.filter(code="case.handler").exists():
        importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)
    if not NotificationKind.objects.filter(code="supervision.opened").exists():
        importlib.import_module("xinfang.supervision.migrations.0002_seed_rules_and_kinds").seed(apps, None)


def test_listed_supervision_from_opening_to_conclusion(page, e2e_cast, results_dir, console_errors):
    reseed_migration_data()
    _reseed_kinds()
    case = Flow(e2e_cast).handling(summary="反映承包地征收补偿款未发放")
    case_url = f"/cases/{case.pk}/"
    due = (timezone.localdate() + timedelta(days=15)).isoformat()

    # 1. The supervisor lists the case for supervision from its page.
    login_as(page, "supervisor")
    page.goto(case_url)
    panel = page.locator("section#supervision")
    panel.locator("summary", has_text="开展督办").click()
    form = panel.get_by_role("form", name="开展督办")
    form.get_by_label("督办方式").select_option(label="挂牌督办")
    form.get_by_label("督办事由").fill("群众多次反映，挂牌督办，限期办结")
    form.get_by_label("办结期限").fill(due)
    form.get_by_label("进展反馈周期（日，可不填）").fill("7")
    form.get_by_role("button", name="确认督办").click()
    page.wait_for_url(f"**{case_url}")
    expect(page.locator(".messages")).to_contain_text("已开展督办")
    expect(panel.locator(".supervision-item")).to_contain_text("挂牌督办")
    expect(panel.locator(".supervision-item")).to_contain_text("督办中")
    page.screenshot(path=str(results_dir / "supervision-opened.png"), full_page=True)
    page.set_viewport_size(PHONE)  # the item's actions, set off and touch-sized, on a phone
    expect_no_sideways_scroll(page, "the case page with an open supervision item")
    panel.locator(".supervision-item").screenshot(path=str(results_dir / "supervision-opened-phone.png"))
    page.set_viewport_size(VIEWPORT)

    # 2. The handler of the supervised unit finds it in the inbox and reports progress.
    switch_user(page, "handler")
    page.goto("/notifications/")
    notice = page.locator("#inbox a", has_text="挂牌督办")
    expect(notice).to_contain_text(case.number)
    notice.click()
    page.wait_for_url(f"**{case_url}")
    panel = page.locator("section#supervision")
    panel.locator("summary", has_text="督办反馈").click()
    form = panel.get_by_role("form", name="督办反馈")
    form.get_by_label("反馈类型").select_option(label="进展情况")
    form.get_by_label("反馈内容").fill("已约谈信访人并现场核实，补偿款正在拨付")
    form.get_by_role("button", name="提交反馈").click()
    page.wait_for_url(f"**{case_url}")
    expect(page.locator(".messages")).to_contain_text("已督办反馈")
    expect(panel.locator(".supervision-item")).to_contain_text("已约谈信访人并现场核实")
    expect(panel.locator("summary", has_text="办结")).to_have_count(0)  # the supervised unit cannot conclude

    # 3. The supervisor concludes it; the case's history names each step in Chinese.
    switch_user(page, "supervisor")
    page.goto(case_url)
    panel = page.locator("section#supervision")
    panel.locator("summary", has_text="办结").first.click()
    form = panel.get_by_role("form", name="督办办结")
    form.get_by_label("办结意见（可不填）").fill("补偿款已拨付到位，同意办结")
    form.get_by_role("button", name="确认办结").click()
    page.wait_for_url(f"**{case_url}")
    expect(page.locator(".messages")).to_contain_text("已督办办结")
    expect(panel.locator(".supervision-item")).to_contain_text("已办结")
    timeline = page.locator("ol.timeline").last
    for label in ("开展督办", "督办反馈", "督办办结"):
        expect(timeline).to_contain_text(label)

    # Phone-sized, the section fits the screen.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(case_url)
    expect_no_sideways_scroll(page, "the case page with its supervision section")
    assert console_errors == []
