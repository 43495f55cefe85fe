"""The main pages at phone size (375x812): the page never scrolls sideways.

Wide tables scroll inside their own box instead; everything in them stays
reachable by scrolling that box.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import LOGIN_PATH, PHONE, expect_no_sideways_scroll, login_as, reseed_migration_data
from xinfang.devdata.flow import Flow, register

pytestmark = pytest.mark.browser


@pytest.fixture
def county(e2e_cast):
    """A county with a queue: new cases, one in handling with a co-unit, one replied, one in 复查."""
    reseed_migration_data()
    cast = e2e_cast
    now = timezone.now()
    register(cast.registrar, summary="反映小区电梯长期停运无人维修", received_at=now - timedelta(days=14))
    register(cast.registrar, summary="反映拖欠农民工工资", channel="letter", received_at=now - timedelta(days=40))
    register(cast.registrar, summary="反映道路施工夜间扰民", channel="phone", urgency="urgent")
    fresh = register(cast.registrar, summary="反映村集体土地承包经营权被调整")
    flow = Flow(cast)
    handling = flow.handling(co=True, summary="反映承包地征收补偿款未发放到位")
    replied = flow.replied(summary="反映宅基地审批久拖不决")
    flow.request_review(flow.delivered(summary="反映养老保险待遇核定有误"))
    return {"cast": cast, "fresh": fresh, "handling": handling, "replied": replied}


def test_it_keeps_the_login_page_within_a_phone_screen(page, e2e_cast):
    page.set_viewport_size(PHONE)
    page.goto(LOGIN_PATH)

    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect_no_sideways_scroll(page, "the login page")


def test_it_keeps_the_bureau_officers_pages_within_a_phone_screen(page, county, results_dir):
    page.set_viewport_size(PHONE)
    login_as(page, "officer")
    handling, fresh = county["handling"], county["fresh"]

    page.goto("/cases/")
    expect(page.locator("table.cases")).to_contain_text("反映道路施工夜间扰民")
    page.screenshot(path=str(results_dir / "phone-workbench.png"), full_page=True)
    expect_no_sideways_scroll(page, "the workbench")
    page.goto("/cases/?tab=search")
    expect(page.locator("table.cases")).to_contain_text("反映宅基地审批久拖不决")
    expect_no_sideways_scroll(page, "the workbench's 全部信访件 tab")

    page.goto(f"/cases/{handling.pk}/")
    expect(page.locator("table.deadlines")).to_contain_text("受理告知")
    expect(page.locator("ol.timeline")).to_contain_text("交办")
    page.screenshot(path=str(results_dir / "phone-case.png"), full_page=True)
    expect_no_sideways_scroll(page, "a case page with deadlines and a timeline")

    page.goto(f"/cases/{fresh.pk}/")
    page.get_by_role("link", name="交办", exact=True).click()
    expect(page.locator(".action-form")).to_be_visible()
    expect_no_sideways_scroll(page, "a case page with the 交办 form loaded")

    page.goto(f"/cases/{fresh.pk}/act/assign/")
    expect(page.get_by_role("button", name="确认交办")).to_be_visible()
    expect_no_sideways_scroll(page, "the 交办 page")

    page.goto("/petitioners/")
    expect(page.locator("#results table")).to_contain_text("张三")
    expect_no_sideways_scroll(page, "the petitioner list")
    page.locator("#results table").get_by_role("link", name="张三").first.click()
    expect(page.get_by_role("heading", name="张三")).to_be_visible()
    expect_no_sideways_scroll(page, "a petitioner page")

    page.goto("/clock/?year=2024&start=2024-09-27&days=5&working=on")
    expect(page.get_by_role("heading", name="工作日历：2024 年")).to_be_visible()
    expect_no_sideways_scroll(page, "the work calendar with a computed due date")


def test_it_keeps_the_registration_page_within_a_phone_screen(page, county):
    page.set_viewport_size(PHONE)
    login_as(page, "registrar")

    page.goto("/cases/new/")
    expect(page.get_by_role("heading", name="登记信访件")).to_be_visible()
    expect_no_sideways_scroll(page, "the registration page")
    page.get_by_label("查找已登记的信访人（姓名 / 身份证号码 / 电话）").fill("张三")
    expect(page.locator("table.lookup-results")).to_contain_text("张三")
    expect_no_sideways_scroll(page, "the registration page with petitioners found")
    page.locator("table.lookup-results").get_by_role("button", name="选择").first.click()
    expect(page.locator("table.chosen")).to_contain_text("张三")
    expect_no_sideways_scroll(page, "the registration page with a petitioner chosen")


def test_it_keeps_the_county_leaders_workbench_within_a_phone_screen(page, county):
    page.set_viewport_size(PHONE)
    login_as(page, "leader")

    for url in ["/cases/", "/cases/?tab=review", "/cases/?tab=search"]:
        page.goto(url)
        expect(page.locator("table.cases")).to_be_visible()
        expect_no_sideways_scroll(page, f"the leader's workbench at {url}")
    page.goto(f"/cases/{county['replied'].pk}/")
    page.locator("details", has_text="信访事项处理意见书").first.locator("summary").click()
    expect(page.locator(".document").last).to_contain_text("不予支持")
    expect_no_sideways_scroll(page, "a replied case page with its reply opinion open")


def test_it_scrolls_a_wide_table_inside_its_own_box(page, county):
    page.set_viewport_size(PHONE)
    login_as(page, "officer")
    page.goto("/cases/?tab=search")

    table = page.locator("table.cases")
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert table.evaluate("t => t.scrollWidth > t.clientWidth"), "the workbench table fits: nothing to scroll"
    last_column = table.locator("th", has_text="期限")
    table.evaluate("t => { t.scrollIntoView(); t.scrollLeft = t.scrollWidth; }")
    expect(last_column).to_be_in_viewport()
    assert page.evaluate("window.scrollX") == 0
