"""A session that lapses while a form is open loses nothing that was typed.

The session is expired by dropping the browser's session cookie, as the
browser does when SESSION_COOKIE_AGE runs out; the CSRF cookie stays.
"""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.devdata.cast import PASSWORD
from xinfang.devdata.flow import register

pytestmark = pytest.mark.browser

NOTE = "请依法调查核实，十五日内书面报告办理结果"
SAVED = "登录已过期，请重新登录，您填写的内容已保存在本机，登录后自动恢复"
RESTORED = "已恢复登录前填写的内容，请核对后提交"


@pytest.fixture
def case(e2e_cast):
    reseed_migration_data()
    return register(e2e_cast.registrar, summary="反映承包地征收补偿款未发放")


def expire_session(page):
    page.context.clear_cookies(name="sessionid")


def drafts(page) -> set[str]:
    """The drafts kept in this tab (htmx keeps its own things in sessionStorage too)."""
    return {k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("xinfang:draft:")}


def log_in_again(page, username):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_it_keeps_the_typed_action_form_over_a_lapsed_session_and_restores_it_after_login(
    page, case, e2e_cast, results_dir
):
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="交办", exact=True).click()
    form = page.locator(".action-form")
    form.get_by_label("主办单位").select_option(label="清河县自然资源局")
    form.get_by_label("清河县住房和城乡建设局").check()
    form.get_by_label("交办要求").fill(NOTE)
    expire_session(page)

    form.get_by_role("button", name="确认交办").click()

    expect(page.locator(".notice-expired")).to_have_text("登录已过期，请重新登录")
    expect(page.locator("#action-panel .action-form")).to_be_visible()  # no login page swapped into the panel
    page.screenshot(path=str(results_dir / "session-expired-case.png"))
    page.wait_for_url(re.compile(r"/accounts/login/\?"))
    expect(page.get_by_role("alert")).to_have_text(SAVED)
    page.screenshot(path=str(results_dir / "session-expired-login.png"))
    assert drafts(page) == {f"xinfang:draft:/cases/{case.pk}/act/assign/"}
    assert "csrfmiddlewaretoken" not in page.evaluate("Object.values(sessionStorage).join()")

    log_in_again(page, "officer")

    page.wait_for_url(f"**/cases/{case.pk}/act/assign/")
    expect(page.get_by_text(RESTORED)).to_be_visible()
    expect(page.get_by_label("主办单位")).to_have_value(str(e2e_cast.dept.pk))
    expect(page.get_by_label("清河县住房和城乡建设局")).to_be_checked()
    expect(page.get_by_label("交办要求")).to_have_value(NOTE)
    assert drafts(page) == set()
    page.screenshot(path=str(results_dir / "session-restored.png"))

    page.get_by_role("button", name="确认交办").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.locator(".messages")).to_contain_text("已交办")
    expect(page.locator("ol.timeline")).to_contain_text(NOTE)
    page.goto(f"/cases/{case.pk}/act/assign/")
    expect(page.get_by_text(RESTORED)).to_have_count(0)


def test_it_sends_a_lapsed_click_on_an_action_button_to_the_login_page_and_back_to_the_form(page, case):
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    expire_session(page)

    page.get_by_role("link", name="交办", exact=True).click()

    page.wait_for_url(re.compile(r"/accounts/login/\?"))
    expect(page.get_by_role("alert")).to_have_text("登录已过期，请重新登录")
    log_in_again(page, "officer")
    page.wait_for_url(f"**/cases/{case.pk}/act/assign/")
    expect(page.get_by_role("button", name="确认交办")).to_be_visible()


def test_it_keeps_a_draft_from_whoever_logs_in_next_on_the_same_computer(page, case):
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="交办", exact=True).click()
    page.locator(".action-form").get_by_label("交办要求").fill(NOTE)
    expire_session(page)
    page.get_by_role("button", name="确认交办").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?"))

    log_in_again(page, "leader")  # the county leader may see the case, but did not type this

    page.wait_for_url(f"**/cases/{case.pk}/act/assign/")
    expect(page.get_by_label("交办要求")).to_have_value("")
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    assert drafts(page) == set()


def test_it_keeps_a_half_typed_registration_when_its_petitioner_search_meets_a_lapsed_session(page, case):
    login_as(page, "registrar")
    page.goto("/cases/new/")
    page.get_by_label("内容摘要").fill("反映村道硬化工程拖欠工程款")
    page.get_by_label("信访内容").fill("信访人反映其承建的村道硬化工程已验收两年，工程款至今未结清。")
    expire_session(page)

    page.get_by_label("查找已登记的信访人（姓名 / 身份证号码 / 电话）").fill("张三")  # htmx looks the name up

    page.wait_for_url(re.compile(r"/accounts/login/\?"))
    expect(page.get_by_role("alert")).to_have_text(SAVED)
    log_in_again(page, "registrar")
    page.wait_for_url("**/cases/new/")
    expect(page.get_by_text(RESTORED)).to_be_visible()
    expect(page.get_by_label("内容摘要")).to_have_value("反映村道硬化工程拖欠工程款")
    expect(page.get_by_label("信访内容")).to_have_value("信访人反映其承建的村道硬化工程已验收两年，工程款至今未结清。")
