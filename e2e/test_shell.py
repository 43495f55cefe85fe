"""The application shell in a real browser: login, identity, layout, CSP."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import LOGIN_PATH, expect_logged_in, is_csp_violation, login_as
from xinfang.devdata.cast import PASSWORD

pytestmark = pytest.mark.browser

NO_HSCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_registrar_logs_in_and_sees_the_chinese_shell(page, e2e_cast, results_dir):
    login_as(page, e2e_cast.registrar.username, PASSWORD)

    expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))
    expect_logged_in(page)
    topbar = page.locator("header.topbar")
    expect(topbar.get_by_role("link", name="信访业务管理系统")).to_be_visible()
    expect(topbar).to_contain_text("清河县信访局")
    expect(topbar).to_contain_text("登记员")
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    page.screenshot(path=str(results_dir / "shell.png"))


def test_wrong_password_shows_a_chinese_error_and_no_shell(page, e2e_cast):
    login_as(page, e2e_cast.registrar.username, "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    expect(page.get_by_label("用户名")).to_have_value(e2e_cast.registrar.username)


def test_anonymous_visit_lands_on_the_login_page(page, e2e_cast):
    page.goto("/")

    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)


def visit_login_then_shell(page, cast):
    page.goto("/")  # the login page, as a stranger
    page.wait_for_load_state("networkidle")
    login_as(page, cast.registrar.username, PASSWORD)
    expect_logged_in(page)
    page.wait_for_load_state("networkidle")


def test_pages_have_no_csp_violations(page, e2e_cast, console_errors):
    visit_login_then_shell(page, e2e_cast)

    assert [e for e in console_errors if is_csp_violation(e)] == []


def test_pages_have_no_console_errors(page, e2e_cast, console_errors):
    visit_login_then_shell(page, e2e_cast)

    assert console_errors == []


def test_no_horizontal_scrollbar_at_1280x800(page, e2e_cast):
    assert page.viewport_size == {"width": 1280, "height": 800}
    page.goto(LOGIN_PATH)
    assert page.evaluate(NO_HSCROLL), "login page scrolls sideways"

    login_as(page, e2e_cast.registrar.username, PASSWORD)
    expect_logged_in(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"shell is {width}px wide at 1280x800"
