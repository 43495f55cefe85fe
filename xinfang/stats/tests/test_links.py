"""Every figure of the 月报 and the 工作概览 that links, links to a 全部信访件 list of exactly as many cases.

At every level the viewer may open: a city leader at the city, drilled into a county, a department
and a township; a county leader at the county. Below the viewer's root and on each unit row, the
list is narrowed with its 承办单位（含下级） (``unit``); a first level with a second level under it
with its "某类（全部）" option (the first level's own id).
"""

import html as htmllib
import re
from datetime import date

import pytest

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Case, Category
from xinfang.cases.states import Channel, Kind
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import register
from xinfang.orgs.models import DataScope
from xinfang.stats import table as t
from xinfang.stats.periods import Period

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "year": 2025, "month": 3}
TODAY = date(2025, 4, 10)

# A link to the case list whose text is a figure (the pages write counts as plain integers).
LINK = re.compile(r'<a href="(/cases/\?[^"]+)"[^>]*>(\d+)</a>')


@pytest.fixture
def cases(cast, flow, clock):
    """February 2025: one visit at 清河县信访局. March: one case accepted by 自然资源局, a letter forwarded
    there and not signed for, one forwarded to 住建局, a suggestion forwarded to 东岗镇 (its own row:
    the township has a village under it), a call at the bureau; one case at 远山县信访局 and one at
    示例市信访局. Three first-level categories, each with a second level under it."""
    land, build, labour = (Category.objects.get(code=code) for code in ("0101", "0201", "0301"))
    clock.set(date(2025, 2, 10))
    flow.register(category=land)
    clock.set(date(2025, 3, 3))
    flow.accept(flow.sign_for(flow.forward(flow.register(category=land))))
    clock.set(date(2025, 3, 4))
    flow.forward(flow.register(category=build, channel=Channel.LETTER))
    flow.forward(flow.register(category=build), to=cast.dept2)
    flow.forward(flow.register(category=labour, kind=Kind.SUGGESTION), to=cast.township)
    clock.set(date(2025, 3, 5))
    flow.register(category=labour, channel=Channel.PHONE)
    other = register(cast.other_registrar, category=land)
    register(cast.city_officer, category=build)
    clock.set(TODAY)
    # Both ways a unit handles a case: as its competent org (set by forwarding), and, none set yet
    # (registered, not yet forwarded or assigned), as the org it is at now.
    assert Case.objects.filter(competent_org=cast.dept).count() == 2
    assert Case.objects.filter(competent_org__isnull=True, current_org=cast.bureau).count() == 2
    return {"land": land, "build": build, "labour": labour, "other": other}


@pytest.fixture
def city_leader(cast):
    return make_user("city_leader", cast.city, "leader", scope=DataScope.SUBTREE)


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r"共 (\d+) 件", response.content.decode())
    assert found is not None, url
    return int(found.group(1))


def follow_every_link(client, path: str, params: dict) -> list[tuple[str, int]]:
    """GET the page, then every case-list link on it as the same viewer: each list counts its figure."""
    response = client.get(path, params)
    assert response.status_code == 200
    found = [(htmllib.unescape(url), int(n)) for url, n in LINK.findall(response.content.decode())]
    for url, n in dict(found).items():  # the same list once, however often it is linked
        assert listed(client, url) == n, url
    return found


def with_unit(found, org) -> list[tuple[str, int]]:
    return [(url, n) for url, n in found if f"&unit={org.pk}&" in url]


def unit_total(found, org, total) -> bool:
    """The org's receipts in March (信访总量 with no other condition) are linked and are ``total``."""
    march = "received_from=2025-03-01&received_to=2025-03-31"
    return (f"/cases/?tab=search&unit={org.pk}&{march}", total) in found


def test_a_city_leader_s_links_at_the_city_list_each_county_s_cases(login, cast, cases, city_leader):
    client = login(city_leader)
    for path in ("/stats/", "/stats/dashboard/"):
        found = follow_every_link(client, path, MARCH)
        assert unit_total(found, cast.county, 5) and unit_total(found, cast.other_county, 1), path
        assert unit_total(found, cast.city_bureau, 1), path
        assert ("/cases/?tab=search&received_from=2025-03-01&received_to=2025-03-31", 7) in found, path


def test_a_city_leader_drilled_into_a_county_follows_every_link_to_as_many_cases(login, cast, cases, city_leader):
    client = login(city_leader)
    found = follow_every_link(client, "/stats/", {**MARCH, "org": cast.county.pk})
    assert len(dict(found)) >= 40
    # The total row and both comparison rows count the county's subtree, and so do their lists.
    assert unit_total(found, cast.county, 5)
    assert (f"/cases/?tab=search&unit={cast.county.pk}&received_from=2025-02-01&received_to=2025-02-28", 1) in found
    # Each unit row: 自然资源局 has the accepted case and the letter, 住建局 one, 东岗镇 (with its village) one.
    assert unit_total(found, cast.dept, 2) and unit_total(found, cast.dept2, 1) and unit_total(found, cast.township, 1)
    assert (
        f"/cases/?tab=search&unit={cast.dept.pk}&channel=letter&received_from=2025-03-01&received_to=2025-03-31",
        1,
    ) in found
    # Shares by category: each first level with its second level, through the list's "某类（全部）".
    land = cases["land"].parent
    assert (
        f"/cases/?tab=search&unit={cast.county.pk}&category={land.pk}&received_from=2025-03-01&received_to=2025-03-31",
        1,
    ) in found
    board = follow_every_link(client, "/stats/dashboard/", {**MARCH, "org": cast.county.pk})
    assert unit_total(board, cast.county, 5) and unit_total(board, cast.dept, 2)
    trend = f"/cases/?tab=search&unit={cast.county.pk}&received_from=2025-02-01&received_to=2025-02-28"
    assert (trend, 1) in board  # February's point of the trend
    assert len(with_unit(board, cast.county)) >= 12 + 3  # 12 months, the headline's counts, the shares


def test_a_city_leader_drilled_into_a_department_follows_every_link(login, cast, cases, city_leader):
    client = login(city_leader)
    found = follow_every_link(client, "/stats/", {**MARCH, "org": cast.dept.pk})
    # A department has nothing under it: its own row is its subtree and links like the total.
    table = t.build(scoped_cases(city_leader), cast.dept, Period.month(2025, 3), root=cast.city, today=TODAY)
    assert [(r.kind, r.base["total"]) for r in table.rows] == [("self", 2)]
    assert table.rows[0].cells[0]["url"] == table.total.cells[0]["url"]
    assert unit_total(found, cast.dept, 2)
    assert found and all(f"&unit={cast.dept.pk}&" in url for url, _n in found)
    board = follow_every_link(client, "/stats/dashboard/", {**MARCH, "org": cast.dept.pk})
    assert unit_total(board, cast.dept, 2)


def test_a_unit_s_own_row_is_not_linked_when_units_lie_under_it(login, cast, cases, city_leader):
    # 东岗镇's own cases are not its subtree (its village's are in it too): the list has no filter for them.
    table = t.build(scoped_cases(city_leader), cast.township, Period.month(2025, 3), root=cast.city, today=TODAY)
    own, village = table.rows
    assert (own.kind, own.base["total"], village.kind) == ("self", 1, "unit")
    assert [c.get("url") for c in own.cells if c.get("url")] == []
    assert f"unit={cast.village.pk}" in village.cells[0]["url"]
    found = follow_every_link(login(city_leader), "/stats/", {**MARCH, "org": cast.township.pk})
    assert unit_total(found, cast.township, 1) and unit_total(found, cast.village, 0)


def test_a_county_leader_s_every_link_lists_as_many_cases(login, cast, cases):
    client = login(cast.leader)
    found = follow_every_link(client, "/stats/", MARCH)
    # At the top the total is the leader's whole scope: no unit.
    assert ("/cases/?tab=search&received_from=2025-03-01&received_to=2025-03-31", 5) in found
    assert unit_total(found, cast.bureau, 1) and unit_total(found, cast.dept, 2) and unit_total(found, cast.township, 1)
    assert not with_unit(found, cast.other_county)
    board = follow_every_link(client, "/stats/dashboard/", MARCH)
    assert ("/cases/?tab=search&received_from=2025-03-01&received_to=2025-03-31", 5) in board
    assert unit_total(board, cast.dept, 2)  # the units' table of the board
    drilled = follow_every_link(client, "/stats/dashboard/", {**MARCH, "org": cast.township.pk})
    assert unit_total(drilled, cast.township, 1)


def test_a_table_sliced_to_a_first_level_links_with_the_whole_category(login, cast, cases):
    client = login(cast.leader)
    build = cases["build"].parent
    found = follow_every_link(client, "/stats/", {**MARCH, "category": build.pk})
    assert found and all(f"category={build.pk}&" in url for url, _n in found)
    assert (f"/cases/?tab=search&category={build.pk}&received_from=2025-03-01&received_to=2025-03-31", 2) in found
    listing = client.get(f"/cases/?tab=search&category={build.pk}").content.decode()
    assert f'<option value="{build.pk}" selected>{build.name}（全部）</option>' in listing
    # A second level as before; and a county's table sliced to it, per unit.
    found = follow_every_link(client, "/stats/", {**MARCH, "category": cases["build"].pk, "org": cast.dept.pk})
    assert unit_total([(u.replace(f"category={cases['build'].pk}&", ""), n) for u, n in found], cast.dept, 1)


def test_an_inactive_unit_s_row_is_not_linked(cast, cases):
    # The list's 承办单位 offers active orgs only: it would ignore the filter and show the whole scope.
    cast.dept2.is_active = False
    cast.dept2.save()
    table = t.build(scoped_cases(cast.leader), cast.county, Period.month(2025, 3), today=TODAY)
    row = next(r for r in table.rows if r.org == cast.dept2)
    assert row.base["total"] == 1 and [c.get("url") for c in row.cells if c.get("url")] == []


def test_the_other_county_is_not_found_and_its_cases_not_listed(login, cast, cases):
    client = login(cast.leader)
    assert client.get("/stats/", {**MARCH, "org": cast.other_county.pk}).status_code == 404
    assert client.get("/stats/dashboard/", {**MARCH, "org": cast.other_county.pk}).status_code == 404
    # The list refuses an org outside the viewer's scope (the filter is not applied, the scope still is).
    listing = client.get(f"/cases/?tab=search&unit={cast.other_county.pk}").content.decode()
    assert f"选择一个有效的选项。 {cast.other_county.pk} 不在可用的选项中。" in listing
    assert cases["other"].number not in listing and "共 6 件" in listing  # February and March
    other = login(cast.other_officer)
    assert other.get("/stats/", {**MARCH, "org": cast.county.pk}).status_code == 404
    assert other.get("/stats/dashboard/", {**MARCH, "org": cast.dept.pk}).status_code == 404
    assert listed(other, f"/cases/?tab=search&unit={cast.county.pk}") == 1  # its own case only
