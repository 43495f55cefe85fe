"""Two-factor login in a real browser: enrol on 账户安全, then log in with the code; no CSP violation."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from e2e.helpers import expect_logged_in, is_csp_violation, login_as, logout
from xinfang.devdata.cast import PASSWORD
from xinfang.orgs.tests.test_two_factor import code_for

pytestmark = pytest.mark.browser


def test_a_handler_enrols_and_then_logs_in_with_the_code(page, e2e_cast, console_errors, results_dir):
    login_as(page, e2e_cast.handler.username, PASSWORD)
    expect_logged_in(page)
    page.get_by_role("link", name="账户安全").click()
    expect(page.get_by_role("heading", name="账户安全")).to_be_visible()
    page.get_by_role("button", name="启用两步验证").click()
    qr = page.get_by_role("img", name="两步验证二维码")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100  # drawn, at a scannable size
    expect(page.locator("code.manual-key")).to_have_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$"))
    page.screenshot(path=str(results_dir / "two-factor-enrol.png"))
    device = TOTPDevice.objects.get(user=e2e_cast.handler, confirmed=False)
    page.get_by_label("验证码").fill(code_for(device))
    page.get_by_role("button", name="启用两步验证").click()
    expect(page.locator(".messages")).to_contain_text("已启用两步验证")

    logout(page)
    login_as(page, e2e_cast.handler.username, PASSWORD)
    expect(page.get_by_text("请打开手机上的验证器")).to_be_visible()
    device.refresh_from_db()
    page.get_by_label("验证码").fill(code_for(device, steps_ahead=1))
    page.get_by_role("button", name="验证并登录").click()
    expect_logged_in(page)
    assert [e for e in console_errors if is_csp_violation(e)] == []
