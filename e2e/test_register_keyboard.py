"""The registration screen by keyboard, in a real Chromium: Enter never jumps, focus stays where the clerk works."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.devdata.flow import make_petitioner

pytestmark = pytest.mark.browser

SEARCH = "查找已登记的信访人（姓名 / 身份证号码 / 电话）"


def mark_page(page):
    """A marker that a reload (the form sent) would wipe."""
    page.evaluate("window.__samePage = true")


def still_same_page(page) -> bool:
    page.wait_for_timeout(400)  # time for a submission to start, if Enter sent one
    return page.evaluate("window.__samePage === true")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_enter_in_a_field_does_not_send_the_form_and_the_search_box_searches_in_place(page, e2e_cast):
    reseed_migration_data()
    make_petitioner(e2e_cast.registrar, name="蒋秀英")
    login_as(page, "registrar")
    page.goto("/cases/new/")
    mark_page(page)
    summary = page.get_by_label("内容摘要")
    summary.fill("反映小区物业服务")
    summary.press("Enter")
    assert still_same_page(page)
    expect(summary).to_be_focused()
    place = page.get_by_label("问题属地", exact=True)
    place.fill("东岗镇")
    place.press("Enter")
    assert still_same_page(page)
    expect(place).to_be_focused()

    search = page.get_by_label(SEARCH)
    search.fill("蒋秀英")
    search.press("Enter")
    expect(page.locator("#lookup-results")).to_contain_text("蒋秀英")
    assert still_same_page(page)
    expect(search).to_be_focused()


def test_focus_goes_on_to_the_case_after_choosing_and_stays_in_the_list_after_removing(page, e2e_cast):
    reseed_migration_data()
    make_petitioner(e2e_cast.registrar, name="蒋秀英")
    make_petitioner(e2e_cast.registrar, name="蒋建国")
    login_as(page, "registrar")
    page.goto("/cases/new/")
    page.get_by_label("内容摘要").fill("反映小区物业服务")
    search = page.get_by_label(SEARCH)
    search.fill("蒋秀英")
    page.locator("#lookup-results").get_by_role("button", name="选择").click()
    expect(page.locator("table.chosen")).to_contain_text("蒋秀英")
    expect(page.get_by_label("来源渠道")).to_be_focused()  # the next field after the petitioners
    expect(page.get_by_label("内容摘要")).to_have_value("反映小区物业服务")

    page.get_by_label(SEARCH).fill("蒋建国")
    page.locator("#lookup-results").get_by_role("button", name="选择").click()
    expect(page.locator("table.chosen")).to_contain_text("蒋建国")
    expect(page.get_by_label("来源渠道")).to_be_focused()

    # Removing the first row leaves the focus on the 移除 of the row now in its place.
    chosen = page.locator("table.chosen")
    chosen.locator("tr", has_text="蒋秀英").get_by_role("button", name="移除").click()
    expect(page.locator("table.chosen")).not_to_contain_text("蒋秀英")
    assert focused_id(page).startswith("remove-")
    expect(page.locator("table.chosen tr", has_text="蒋建国").get_by_role("button", name="移除")).to_be_focused()
    # Removing the last one: back to the search box, to find someone else.
    page.locator("table.chosen").get_by_role("button", name="移除").click()
    expect(page.get_by_label(SEARCH)).to_be_focused()


def test_quick_create_by_keyboard_goes_on_to_the_case(page, e2e_cast):
    reseed_migration_data()
    login_as(page, "registrar")
    page.goto("/cases/new/")
    page.locator("summary", has_text="新建信访人").click()
    mark_page(page)
    name = page.get_by_label("姓名", exact=True)
    name.fill("陈秀兰")
    name.press("Enter")
    assert still_same_page(page)
    expect(name).to_be_focused()
    page.get_by_role("button", name="新建并选择").click()
    expect(page.locator("table.chosen")).to_contain_text("陈秀兰")
    expect(page.get_by_label("来源渠道")).to_be_focused()
