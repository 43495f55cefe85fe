"""Helpers for browser tests that are plain functions, not fixtures."""

from playwright.sync_api import Page, expect

from xinfang.orgs.testing import PASSWORD

LOGIN_PATH = "/accounts/login/"
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def login_as(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Log in through the real login form, as a person would.

    The page's context has the live server as its base URL, so relative
    paths work. Does not assert success: a wrong password stays on the form.
    """
    page.goto(LOGIN_PATH)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def expect_logged_in(page: Page) -> None:
    """The application shell is showing: the top bar's logout button and the main navigation landmark.

    The landmark is checked for presence, not visibility: it is empty (zero
    height) while no app has landed a nav entry the user may see.
    """
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_attached()


def static_asset_missing(path: str) -> bool:
    """True when Django's staticfiles finders cannot find `path` (it would 404 in the browser)."""
    from django.contrib.staticfiles import finders

    return finders.find(path) is None


def is_csp_violation(text: str) -> bool:
    return any(marker in text for marker in CSP_MARKERS)
