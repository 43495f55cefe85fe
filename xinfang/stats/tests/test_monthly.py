"""The monthly table (月报): rows by unit under the viewer, the page, its links and the XLSX export."""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from xinfang.cases.access import scoped_cases
from xinfang.cases.states import Channel
from xinfang.devdata.cast import make_user
from xinfang.orgs.models import AuditAction, AuditEvent, DataScope
from xinfang.stats import table as t
from xinfang.stats.periods import Period

pytestmark = pytest.mark.django_db

MARCH = Period.month(2025, 3)
TODAY = date(2025, 4, 10)


@pytest.fixture
def county(cast, flow, clock):
    """In March 2025: two cases forwarded to 自然资源局 (one a collective visit of 6), one to 东岗镇,
    one letter still at the bureau; and one case in 远山县."""
    clock.set(date(2025, 3, 3))
    flow.accept(flow.sign_for(flow.forward(flow.register())))
    clock.set(date(2025, 3, 4))
    group = [(flow_petitioner(cast, n), n < 2) for n in range(6)]
    flow.forward(flow.register(petitioners=group))
    flow.forward(flow.register(), to=cast.township)
    clock.set(date(2025, 3, 5))
    flow.register(channel=Channel.LETTER)
    from xinfang.devdata.flow import register

    register(cast.other_registrar)
    clock.set(TODAY)


def flow_petitioner(cast, n):
    from xinfang.devdata.flow import make_petitioner

    return make_petitioner(cast.registrar, name=f"群众{n}")


def rows(table):
    return [(r.label, r.base["total"], r.base["persons"]) for r in table.rows]


def test_rows_are_the_units_under_the_county_each_with_its_subtree(cast, county):
    table = t.build(scoped_cases(cast.leader), cast.county, MARCH, today=TODAY)
    assert rows(table) == [
        ("清河县信访局", 1, 1),
        ("清河县自然资源局", 2, 7),
        ("清河县住房和城乡建设局", 0, 0),
        ("清河县东岗镇人民政府", 1, 1),
    ]
    assert (table.total.base["total"], table.total.base["persons"], table.total.base["collective_batches"]) == (4, 9, 1)
    cells = {c["metric"].code: c["value"] for c in table.total.cells}
    assert (cells["total"], cells["channel_letter"], cells["visit_batches"]) == (4, 1, 3)
    # 环比 against February (nothing): no relative change of a count that was 0.
    assert [c["change"] for c in table.previous.cells][:2] == [None, None]


def test_the_bureau_staff_table_starts_at_their_government(cast, county):
    assert t.root_for(cast.statistician) == cast.county
    table = t.build(scoped_cases(cast.statistician), t.root_for(cast.statistician), MARCH, today=TODAY)
    assert table.total.base["total"] == 4


def test_a_township_statistician_sees_only_the_township(cast, county):
    clerk = make_user("town_stats", cast.township, "statistician", scope=DataScope.SUBTREE)
    root = t.root_for(clerk)
    table = t.build(scoped_cases(clerk), root, MARCH, today=TODAY)
    assert root == cast.township
    assert rows(table) == [("清河县东岗镇人民政府（本级）", 1, 1), ("东岗镇前村村民委员会", 0, 0)]
    assert table.total.base["total"] == 1


def test_drilling_down_stays_inside_the_viewer_s_tree(cast, county):
    assert t.org_for(cast.leader, cast.township.pk) == cast.township
    table = t.build(scoped_cases(cast.leader), cast.township, MARCH, root=cast.county, today=TODAY)
    assert table.total.base["total"] == 1
    with pytest.raises(Exception) as missing:
        t.org_for(cast.leader, cast.other_county.pk)
    assert missing.typename == "Http404"


def test_slicing_by_channel_narrows_every_row(cast, county):
    table = t.build(scoped_cases(cast.leader), cast.county, MARCH, slice=t.Slice(channel="letter"), today=TODAY)
    assert [r[1] for r in rows(table)] == [1, 0, 0, 0]
    urls = {c["metric"].code: c.get("url") for c in table.total.cells}
    assert urls["visit_batches"] is None  # the list of visits is not what a letters-only table counts
    assert "channel=letter" in urls["total"]


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_table_in_chinese(login, cast, county, clock):
    response = login(cast.leader).get("/stats/", {"period": "month", "year": 2025, "month": 3})
    assert response.status_code == 200
    html = response.content.decode()
    assert "信访工作统计（2025年3月）" in html
    assert "清河县自然资源局" in html and "远山县" not in html
    assert "按期办结率" in html and "去年同期（2024年3月）" in html


def test_a_count_links_to_the_cases_behind_it_and_the_list_agrees(login, cast, county):
    client = login(cast.leader)
    page = client.get("/stats/", {"period": "month", "year": 2025, "month": 3}).content.decode()
    link = re.search(r'<a href="(/cases/\?tab=search[^"]*)" title="查看这些信访件">4</a>', page)
    assert link is not None
    listing = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "共 4 件" in listing


def test_a_bad_period_is_said_and_this_month_shown(login, cast, clock):
    clock.set(date(2025, 6, 15))
    html = login(cast.statistician).get("/stats/", {"period": "range", "start": "2025-06-01"}).content.decode()
    assert "任意期间须给出开始日期和结束日期；已改为显示本月。" in html
    assert "信访工作统计（2025年6月）" in html


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"period": "month", "year": 2025, "month": 13}, "月份须为1至12"),
        ({"period": "month", "year": 2025, "month": "三"}, "月份须为1至12"),
        ({"period": "quarter", "year": 2025, "quarter": 5}, "季度须为1至4"),
        ({"period": "year", "year": 1800}, "年份须在1900至2099之间"),
        ({"period": "range", "start": "2025-13-01", "end": "2025-12-31"}, "请按“年-月-日”填写日期，如2026-03-01"),
        ({"period": "week"}, "统计期间须为月度、季度、年度或任意期间"),
    ],
)
def test_a_value_out_of_range_is_said_not_replaced_by_today_s(login, cast, clock, asked, said):
    """Month 13 used to show today's month of the year asked, with only Django's own words at the field."""
    clock.set(date(2025, 6, 15))
    html = login(cast.statistician).get("/stats/", asked).content.decode()
    assert f'<p class="error">{said}</p>' in html
    assert f'<p class="warning" role="status">{said}；已改为显示本月。</p>' in html
    assert "信访工作统计（2025年6月）" in html


def test_a_bad_value_in_another_kind_s_field_is_not_in_the_way(login, cast, clock):
    clock.set(date(2025, 6, 15))
    html = login(cast.statistician).get("/stats/", {"period": "year", "year": 2024, "month": 13}).content.decode()
    assert "信访工作统计（2024年）" in html and "已改为显示本月" not in html


@pytest.mark.parametrize("who", ["registrar", "handler", "admin", "nobody"])
def test_others_may_not_see_statistics(login, cast, who):
    response = login(getattr(cast, who)).get("/stats/")
    assert response.status_code == 403
    assert t.NOT_ALLOWED in response.content.decode()


def test_another_county_s_org_is_not_found(login, cast):
    response = login(cast.other_officer).get("/stats/", {"org": cast.county.pk})
    assert response.status_code == 404


def test_the_navigation_offers_statistics_to_those_who_may_see_them(login, cast):
    assert 'href="/stats/"' in login(cast.statistician).get("/cases/").content.decode()
    assert 'href="/stats/"' not in login(cast.registrar).get("/cases/").content.decode()


# ---------------------------------------------------------------- the XLSX export


def test_the_export_is_a_workbook_with_frozen_chinese_headers_and_percent_formats(login, cast, county):
    response = login(cast.statistician).get("/stats/monthly.xlsx", {"period": "month", "year": 2025, "month": 3})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "清河县人民政府信访工作统计表（2025年3月）"
    assert (ws["A3"].value, ws["B3"].value, ws["C3"].value) == ("单位", "信访总量（件）", "信访总量（人次）")
    assert ws.freeze_panes == "B4"
    assert [ws.cell(row=r, column=1).value for r in range(4, 9)] == [
        "清河县信访局",
        "清河县自然资源局",
        "清河县住房和城乡建设局",
        "清河县东岗镇人民政府",
        "合计",
    ]
    assert [ws.cell(row=8, column=c).value for c in (2, 3)] == [4, 9]
    headers = [ws.cell(row=3, column=c).value for c in range(1, ws.max_column + 1)]
    rate = ws.cell(row=8, column=headers.index("重复信访率") + 1)
    assert (rate.value, rate.number_format) == (0, "0.00%")
    assert ws.column_dimensions["A"].width == 34


def test_the_export_is_recorded_in_the_security_audit_log(login, cast, county):
    login(cast.statistician).get("/stats/monthly.xlsx", {"period": "quarter", "year": 2025, "quarter": 1})
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert (event.actor, event.target, event.detail) == (
        cast.statistician,
        "信访统计月报（XLSX）",
        "清河县人民政府；2025年第1季度",
    )


def test_the_export_is_refused_like_the_page(login, cast):
    assert login(cast.registrar).get("/stats/monthly.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


# ---------------------------------------------------------------- categories in two levels


@pytest.fixture
def categorised(cast, flow, clock):
    from xinfang.cases.models import Category

    child = Category.objects.filter(parent__isnull=False).order_by("code").first()
    other = Category.objects.filter(parent__isnull=False).exclude(parent=child.parent).order_by("code").first()
    third = Category.objects.filter(parent__isnull=False).exclude(parent__in=[child.parent_id, other.parent_id]).first()
    clock.set(date(2025, 3, 3))
    flow.register(category=child)
    flow.register(category=other)
    flow.register(category=third)
    clock.set(TODAY)
    return child, other


def test_a_first_level_category_counts_its_second_level(cast, categorised):
    child, other = categorised
    qs = scoped_cases(cast.leader)
    for chosen, expected in ((child.parent, 1), (child, 1), (other.parent, 1)):
        table = t.build(qs, cast.county, MARCH, slice=t.Slice(category=chosen), today=TODAY)
        assert table.total.base["total"] == expected, chosen


def test_the_category_shares_are_shown_and_a_first_level_links_with_its_second_level(login, cast, categorised):
    # The case list's category filter offers a first level with its second level ("某类（全部）", the
    # first level's id), so a first level's share links there and the list counts the same cases.
    child, other = categorised
    client = login(cast.leader)
    html = client.get("/stats/", {"period": "month", "year": 2025, "month": 3}).content.decode()
    assert "按内容分类（一级）" in html
    url = f"/cases/?tab=search&amp;category={child.parent.pk}&amp;received_from=2025-03-01&amp;received_to=2025-03-31"
    assert f'<th scope="row">{child.parent.name}</th><td class="num"><a href="{url}">1</a></td>' in html
    assert f'<th scope="row">{other.parent.name}</th><td class="num"><a href="' in html
    assert "共 1 件" in client.get(url.replace("&amp;", "&")).content.decode()


def test_a_table_sliced_to_a_first_level_links_with_the_whole_category(cast, categorised):
    child, _other = categorised
    table = t.build(scoped_cases(cast.leader), cast.county, MARCH, slice=t.Slice(category=child.parent), today=TODAY)
    assert f"category={child.parent.pk}&" in table.total.cells[0]["url"]
    table = t.build(scoped_cases(cast.leader), cast.county, MARCH, slice=t.Slice(category=child), today=TODAY)
    assert f"category={child.pk}" in table.total.cells[0]["url"]


def test_a_table_sliced_to_an_inactive_category_links_nothing(cast, categorised):
    # The list's form offers active categories only: it would ignore the filter and show more cases.
    child, _other = categorised
    child.parent.is_active = False
    child.parent.save()
    for chosen in (child.parent, child):
        table = t.build(scoped_cases(cast.leader), cast.county, MARCH, slice=t.Slice(category=chosen), today=TODAY)
        assert [c.get("url") for c in table.total.cells if c.get("url")] == [], chosen


def test_the_table_costs_the_same_queries_however_many_cases(cast, county, flow, clock):
    """Grouped in SQL: more cases (in more units) add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        t.build(scoped_cases(cast.leader), cast.county, MARCH, today=TODAY)  # warm the per-user and type caches
        with CaptureQueriesContext(connection) as captured:
            t.build(scoped_cases(cast.leader), cast.county, MARCH, today=TODAY)
        return len(captured.captured_queries)

    before = queries()
    clock.set(date(2025, 3, 20))
    for to in (cast.dept2, cast.township, cast.dept):
        flow.forward(flow.register(), to=to)
    clock.set(TODAY)
    assert queries() == before <= 4  # the units, the grouped counts, the two comparison totals


def test_the_page_costs_the_same_queries_however_many_units(login, cast, county):
    """The drill links are one query for all rows, not one per unit with units under it."""
    from xinfang.devdata.cast import make_org

    client = login(cast.leader)
    march = {"period": "month", "year": 2025, "month": 3}
    client.get("/stats/", march)  # warm the per-process caches

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stats/", march).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    town = make_org("清河县西岭镇人民政府", "government", "township", "330781102", cast.county)
    make_org("西岭镇后村村民委员会", "village_committee", "village", "330781102201", town)
    make_org("清河县水利局", "department", "county", "330781", cast.county)
    assert queries() == before
    html = client.get("/stats/", march).content.decode()
    assert f"org={town.pk}" in html and f"org={cast.township.pk}" in html


def test_the_definitions_page_explains_every_column_and_is_linked(login, cast):
    from xinfang.stats.metrics import METRICS
    from xinfang.stats.table import COLUMNS

    page = login(cast.leader).get("/stats/definitions/").content.decode()
    assert "<h1>统计口径</h1>" in page
    for code in COLUMNS:
        assert METRICS[code].definition and f"<td>{METRICS[code].definition}</td>" in page, code
    assert '<a href="/stats/definitions/">统计口径</a>' in login(cast.leader).get("/stats/").content.decode()
    assert "docs/metrics.md" not in login(cast.leader).get("/stats/ranking/").content.decode()
    assert login(cast.registrar).get("/stats/definitions/").status_code == 403
