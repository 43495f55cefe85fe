"""工作概览 in a real Chromium: the leader lands on the dashboard, sees the charts drawn and their
tables, drills down to a department and follows a figure to the cases behind it."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.core import clock
from xinfang.devdata.flow import Flow, register

pytestmark = pytest.mark.browser


def count_of_list(page) -> int:
    found = re.search(r"共 (\d+) 件", page.content())
    assert found is not None
    return int(found.group(1))


def test_the_leader_sees_the_dashboard_drills_down_and_follows_a_figure(page, e2e_cast, results_dir, console_errors):
    reseed_migration_data()
    flow = Flow(e2e_cast)
    for _ in range(3):
        flow.forward(flow.register())
    flow.forward(flow.register(), to=e2e_cast.township)
    register(e2e_cast.registrar, received_at=clock.now() - timedelta(days=40))

    login_as(page, "leader")
    page.goto("/")
    page.wait_for_url("**/stats/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作概览")
    for chart in ("trend", "channel", "category"):
        expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
    expect(page.locator("table.dash-trend tbody tr")).to_have_count(12)
    page.screenshot(path=str(results_dir / "dashboard-desktop.png"), full_page=True)

    # The month's total links to the list of the same count.
    total = page.locator('a[data-figure="total"]')
    figure = int(total.inner_text())
    assert figure >= 4
    total.click()
    page.wait_for_url("**/cases/?tab=search**")
    assert count_of_list(page) == figure

    # Drill down to the department, then follow its overdue count.
    page.go_back()
    page.locator("table.dash-units").get_by_role("link", name="清河县自然资源局").click()
    expect(page.locator("nav[aria-label='单位层级']")).to_contain_text("清河县自然资源局")
    page.screenshot(path=str(results_dir / "dashboard-department.png"), full_page=True)
    due_link = page.locator('a[data-figure="due_soon"], a[data-figure="overdue"]').first
    figure = int(due_link.inner_text())
    due_link.click()
    page.wait_for_url("**/cases/?tab=search**")
    assert count_of_list(page) == figure

    # At phone size the charts still draw and the tables fit.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/stats/dashboard/")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    page.screenshot(path=str(results_dir / "dashboard-phone.png"), full_page=True)
    assert console_errors == []
