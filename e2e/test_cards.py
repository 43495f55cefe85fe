"""问责登记簿 in a real Chromium: a supervised item lapses, the sweep records a yellow card against the
unit, the supervisor finds it from the navigation, sees it in the case's history and revokes it with a
reason; the unit's head sees the card and the revocation in the unit's own register."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import PHONE, expect_no_sideways_scroll, login_as, reseed_migration_data, switch_user
from xinfang.devdata.flow import Flow

pytestmark = pytest.mark.browser


def _reseed():
    """The notification kinds and the national ladder of the data migrations (a flush removed them)."""
    from django.apps import apps

    from xinfang.escalation.models import EscalationRule
    from xinfang.notifications.models import NotificationKind

    if not NotificationKind.objects.filter(code="case.handler").exists():
        importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)
    if not EscalationRule.objects.exists():
        importlib.import_module("xinfang.escalation.migrations.0002_seed_national_ladder").seed(apps, None)


def test_a_lapsed_supervision_gets_a_yellow_card_that_the_supervisor_revokes(
    page, e2e_cast, results_dir, console_errors
):
    from xinfang.escalation.sweep import run_sweep
    from xinfang.supervision.models import SupervisionItem

    reseed_migration_data()
    _reseed()
    cast = e2e_cast
    case = Flow(cast).handling(summary="反映村道硬化工程质量问题")
    today = timezone.localdate()
    run_sweep(today - timedelta(days=2))  # the ladder's cursors, as a running scheduler has them
    SupervisionItem.objects.create(
        case=case,
        kind="listed",
        reason="群众反映强烈，挂牌督办",
        due_on=today - timedelta(days=1),
        owed_by_org=cast.dept,
        issued_org=cast.bureau,
        issued_by=cast.supervisor,
    )
    result = run_sweep(today)
    assert sum(r.cards for r in result.rules) == 1

    # 1. The supervisor opens the register from the navigation and finds the card.
    login_as(page, "supervisor")
    page.get_by_role("navigation").get_by_role("link", name="问责登记簿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("问责登记簿（黄牌 / 红牌）")
    row = page.locator("tbody tr", has_text="清河县自然资源局")
    expect(row).to_contain_text("黄牌警告")
    expect(row).to_contain_text(f"督办事项（期限 {(today - timedelta(days=1)).isoformat()}）逾期 1 天未办结")
    expect(row).to_contain_text("有效")
    page.screenshot(path=str(results_dir / "cards-register.png"), full_page=True)

    # 2. The card's case shows it in its history.
    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    timeline = page.locator("ol.timeline").last
    expect(timeline).to_contain_text("记录问责（黄牌/红牌）")
    expect(timeline).to_contain_text("黄牌警告：清河县自然资源局")

    # 3. Revoking needs a reason; with one, the card is revoked and the history says so.
    page.go_back()
    row = page.locator("tbody tr", has_text="清河县自然资源局")
    row.get_by_label("撤销理由").fill("延期申请已获批准，系统未及时登记")
    row.get_by_role("button", name="撤销").click()
    expect(page.locator(".messages")).to_contain_text("已撤销清河县自然资源局的黄牌警告。")
    expect(page.get_by_text("没有符合条件的问责记录。")).to_be_visible()
    page.get_by_label("状态").select_option(label="已撤销")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr", has_text="清河县自然资源局")).to_contain_text("延期申请已获批准，系统未及时登记")
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("ol.timeline").last).to_contain_text("撤销问责记录")

    # 4. The unit's head sees the unit's own register, revocation included, and cannot revoke.
    switch_user(page, "unit_head")
    page.get_by_role("navigation").get_by_role("link", name="问责登记簿").click()
    page.get_by_label("状态").select_option(label="全部")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("tbody tr", has_text="清河县自然资源局")
    expect(row).to_contain_text("已撤销")
    expect(row.get_by_role("button", name="撤销")).to_have_count(0)

    page.set_viewport_size(PHONE)
    page.reload()
    expect_no_sideways_scroll(page, "the card register")
    page.screenshot(path=str(results_dir / "cards-register-phone.png"), full_page=True)
    assert console_errors == []
