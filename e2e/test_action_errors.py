"""An action form that comes back with errors puts the person at the first error.

A county's 交办 form lists every unit of the county as a possible co-unit, so
it is taller than the screen: the 确认交办 button is far below 主办单位.
"""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.devdata.cast import make_org
from xinfang.devdata.flow import register
from xinfang.orgs.models import OrgKind, OrgLevel

pytestmark = pytest.mark.browser

COUNTY_UNITS = [
    "清河县发展和改革局",
    "清河县教育局",
    "清河县公安局",
    "清河县民政局",
    "清河县司法局",
    "清河县财政局",
    "清河县人力资源和社会保障局",
    "清河县生态环境分局",
    "清河县交通运输局",
    "清河县水利局",
    "清河县农业农村局",
    "清河县商务局",
    "清河县文化和旅游局",
    "清河县卫生健康局",
    "清河县退役军人事务局",
    "清河县应急管理局",
    "清河县市场监督管理局",
    "清河县医疗保障局",
    "清河县综合行政执法局",
    "清河县西岭镇人民政府",
]
REQUIRED = "请选择主办单位"


@pytest.fixture
def case(e2e_cast):
    reseed_migration_data()
    for n, name in enumerate(COUNTY_UNITS):
        make_org(name, OrgKind.DEPARTMENT, OrgLevel.COUNTY, "330781", e2e_cast.county, short=f"u{n}")
    return register(e2e_cast.registrar, summary="反映承包地征收补偿款未发放")


def test_it_brings_the_first_error_into_view_and_focuses_it_after_htmx_swaps_the_form(page, case):
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="交办", exact=True).click()
    form = page.locator(".action-form")
    assert form.bounding_box()["height"] > page.viewport_size["height"], "the 交办 form fits on the screen"
    form.get_by_label("交办要求").fill("请依法办理并按期报结")
    button = form.get_by_role("button", name="确认交办")
    button.click()  # scrolls down to the button: 主办单位 is now above the screen

    lead = form.get_by_label("主办单位")
    expect(form.locator(".has-error")).to_contain_text(REQUIRED)
    expect(lead).to_be_focused()
    expect(lead).to_be_in_viewport()
    expect(form.get_by_label("交办要求")).to_have_value("请依法办理并按期报结")

    lead.select_option(label="清河县自然资源局")
    button.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.locator(".messages")).to_contain_text("已交办")


def test_it_focuses_the_first_error_on_a_full_page_action_form(page, case):
    page.set_viewport_size({"width": 1280, "height": 600})
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/act/assign/")
    with page.expect_navigation():  # a plain POST, as without htmx: the server answers with the whole page
        page.locator(".action-form form").evaluate("f => HTMLFormElement.prototype.submit.call(f)")

    lead = page.get_by_label("主办单位")
    expect(page.locator(".has-error")).to_contain_text(REQUIRED)
    expect(lead).to_be_focused()
    expect(lead).to_be_in_viewport()


def test_it_leaves_the_focus_alone_when_an_action_form_loads_without_errors(page, case):
    login_as(page, "officer")
    page.goto(f"/cases/{case.pk}/")
    link = page.get_by_role("link", name="交办", exact=True)
    link.click()

    expect(page.locator(".action-form")).to_be_visible()
    expect(page.get_by_label("主办单位")).not_to_be_focused()
    expect(link).to_be_focused()
