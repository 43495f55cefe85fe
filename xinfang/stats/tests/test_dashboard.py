"""工作概览: the dashboard's figures, each linked to the cases behind it, for the viewer's subtree only."""

import html as htmllib
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases.access import scoped_cases
from xinfang.cases.states import Channel
from xinfang.devdata.cast import make_user
from xinfang.orgs.models import DataScope
from xinfang.stats import dashboard as d
from xinfang.stats.periods import Period

pytestmark = pytest.mark.django_db

MARCH = Period.month(2025, 3)
TODAY = date(2025, 4, 10)
Q_MARCH = {"period": "month", "year": 2025, "month": 3}


@pytest.fixture
def county(cast, flow, clock):
    """March 2025: one case accepted by 自然资源局, two forwarded (to 自然资源局 and 东岗镇) and not signed
    for, one letter at the bureau; February: one visit; and one case in 远山县."""
    from xinfang.devdata.flow import register

    clock.set(date(2025, 2, 10))
    flow.register()
    clock.set(date(2025, 3, 3))
    flow.accept(flow.sign_for(flow.forward(flow.register())))
    clock.set(date(2025, 3, 4))
    flow.forward(flow.register())
    flow.forward(flow.register(), to=cast.township)
    clock.set(date(2025, 3, 5))
    flow.register(channel=Channel.LETTER)
    register(cast.other_registrar)
    clock.set(TODAY)


def links(page: str, figure: str) -> list[tuple[str, int]]:
    found = re.findall(rf'<a href="([^"]+)" data-figure="{figure}">(\d+)</a>', page)
    return [(htmllib.unescape(url), int(n)) for url, n in found]


def listed(client, url: str) -> int:
    listing = client.get(url).content.decode()
    found = re.search(r"共 (\d+) 件", listing)
    assert found is not None, url
    return int(found.group(1))


def test_the_board_has_the_month_s_totals_trend_shares_and_deadlines(cast, county):
    board = d.build(scoped_cases(cast.leader), cast.county, MARCH, root=cast.county, today=TODAY)
    headline = {c["metric"].code: c for c in board.headline}
    assert headline["total"]["value"] == 4
    assert headline["total"]["mom"]["change"] == 300  # February had 1: +300% 环比
    assert headline["total"]["yoy"]["change"] is None  # nothing in March 2024
    assert [p["label"] for p in board.trend][0] == "2024年4月" and board.trend[-1]["label"] == "2025年3月"
    assert [p["total"] for p in board.trend][-2:] == [1, 4]
    assert {r["label"]: r["count"] for r in board.shares["channel"]["rows"]} == {"来访": 3, "来信": 1}
    assert sum(u["count"] for u in board.overdue_units) == board.due["overdue"]["count"] > 0
    assert [u["name"] for u in board.units] == [
        "清河县信访局",
        "清河县自然资源局",
        "清河县住房和城乡建设局",
        "清河县东岗镇人民政府",
    ]


def test_the_leader_s_page_links_each_figure_to_a_list_of_the_same_count(login, cast, county):
    client = login(cast.leader)
    response = client.get("/stats/dashboard/", Q_MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "工作概览（2025年3月）" in page and "远山县" not in page
    checked = 0
    for figure in ("total", "trend", "share-channel", "overdue", "due_soon", "overdue-unit"):
        for url, n in links(page, figure):
            if n or figure != "trend":
                assert listed(client, url) == n, (figure, url)
                checked += 1
    assert checked >= 8


def test_the_charts_have_their_data_without_inline_script(login, cast, county):
    page = login(cast.leader).get("/stats/dashboard/", Q_MARCH).content.decode()
    assert '<script id="dashboard-data" type="application/json">' in page
    assert "vendor/echarts-6.1.0/echarts.min.js" in page and "stats/dashboard.js" in page
    assert re.search(r"<script>(?!</script>)", page) is None  # the CSP forbids inline scripts


def test_drilling_down_to_a_department_shows_its_board(login, cast, county):
    client = login(cast.leader)
    page = client.get("/stats/dashboard/", Q_MARCH).content.decode()
    drill = re.search(r'<a href="([^"]+)">清河县自然资源局</a>', page)
    assert drill is not None
    dept = client.get(htmllib.unescape(drill.group(1))).content.decode()
    assert "清河县自然资源局及其下级单位" in dept
    found = links(dept, "overdue-unit") + links(dept, "overdue") + links(dept, "due_soon")
    assert len(found) == 3 and found[0][1] > 0  # a department has no units under it: its own counts link
    for url, n in found:
        assert listed(client, url) == n
    # The list's 承办单位（含下级） is the department's subtree, as its board counts it.
    total = links(dept, "total")
    assert total == [(f"/cases/?tab=search&unit={cast.dept.pk}&received_from=2025-03-01&received_to=2025-03-31", 2)]
    assert listed(client, total[0][0]) == 2


def test_a_township_statistician_sees_only_the_township(login, cast, county):
    clerk = make_user("town_stats", cast.township, "statistician", scope=DataScope.SUBTREE)
    page = login(clerk).get("/stats/dashboard/", Q_MARCH).content.decode()
    assert "清河县东岗镇人民政府及其下级单位" in page and "清河县自然资源局" not in page
    board = d.build(scoped_cases(clerk), cast.township, MARCH, root=cast.township, today=TODAY)
    assert board.headline[0]["value"] == 1


def test_another_county_s_org_is_not_found(login, cast):
    assert login(cast.other_officer).get("/stats/dashboard/", {"org": cast.county.pk}).status_code == 404


def test_those_without_statistics_are_refused(login, cast):
    assert login(cast.registrar).get("/stats/dashboard/").status_code == 403


def test_the_leader_lands_on_the_dashboard_and_others_on_the_workbench(login, cast):
    assert login(cast.leader).get("/").headers["Location"] == "/stats/dashboard/"
    assert login(cast.registrar).get("/").headers["Location"] == "/cases/"


def test_the_page_costs_the_same_queries_however_many_cases(login, cast, county, flow, clock):
    client = login(cast.leader)
    client.get("/stats/dashboard/", Q_MARCH)  # warm the per-process caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stats/dashboard/", Q_MARCH).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    clock.set(date(2025, 3, 20))
    for to in (cast.dept2, cast.township, cast.dept):
        flow.forward(flow.register(), to=to)
    flow.register(channel=Channel.PHONE)
    clock.set(TODAY)
    # Session and user, the org checks, the monthly table's from the rollups (per period: the rollup sums,
    # whether a case is an exception (one query per set until one has a row), the exceptions' facts, those
    # cases, the backlog's candidates, whether a case is handled outside the county and those cases; the
    # orgs outside it once), the trend's and the 2 shares' (each: the rollup sums, whether a case is pending,
    # then its facts and those cases, and the cases handled outside), the outside orgs once more, the deadline
    # figures' query. None of them per case.
    assert queries() == before <= 43


def test_the_units_with_the_most_overdue_cases_come_first(cast, flow, clock):
    """Ranked by their overdue cases, a tie by the org tree's order; a unit with none is not listed."""
    clock.set(date(2025, 3, 3))
    flow.register()  # left at the bureau to decide
    for to in (cast.dept2, cast.dept2, cast.dept):
        flow.forward(flow.register(), to=to)
    today = date(2025, 4, 1)
    clock.set(date(2025, 3, 20))
    flow.register()  # not yet due
    clock.set(today)
    board = d.build(scoped_cases(cast.leader), cast.county, Period.month(2025, 3), root=cast.county, today=today)
    assert [(u["name"], u["count"]) for u in board.overdue_units] == [
        ("清河县住房和城乡建设局", 2),
        ("清河县信访局", 1),
        ("清河县自然资源局", 1),
    ]
    assert (board.due["overdue"]["count"], board.due["due_soon"]["count"]) == (4, 1)
    assert board.overdue_units[0]["url"] == f"/cases/?tab=search&due=overdue&org={cast.dept2.pk}"
