"""The unit ranking on a hand-counted county: values, points, vetoes, ranks, the page, the XLSX, the API.

The first quarter of 2025 in 清河县, read on 2025-04-10, by the seeded default scheme
(docs/metrics.md §9: 及时受理率 20, 按期办结率 25, 满意率 20, 参评率 10, 复查维持率 15,
黄牌 10; vetoes: an overdue supervised item, a red card):

  自然资源局  a: accepted 01-06 in time (handling due 03-07), replied 03-10 (late), satisfied
              b: accepted 01-10 in time (due 03-11), replied 02-20, unsatisfied, review upheld 03-20
              a supervision item on a, opened 03-01, due 03-15, never concluded
      → 及时受理 100% (20), 按期办结 50% (0), 满意 50% (0), 参评 100% (10), 复查维持 100% (15),
        黄牌 0 (10): 55.00, vetoed "期内有督办事项超期"
  住建局      c: accepted 01-15 in time (due 03-16), replied 02-25, satisfied; two yellow cards in February
      → 100% (20), 100% (25), 100% (20), 100% (10), no review (left out), 2 cards (6.00):
        81 of 85 scored points, scaled to 100: 95.29
  东岗镇      d: forwarded 03-04, not signed for (nothing to score); a red card 03-20 → not ranked, vetoed
  信访局      nothing
  远山县      a case and a red card of 远山县自然资源局: never in 清河县's ranking
"""

from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from xinfang.api.models import ApiToken
from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import do_accept, do_evaluate, do_record_delivery, do_reply, do_sign_for
from xinfang.cases.models import Case
from xinfang.core import clock as core_clock
from xinfang.devdata.cast import make_org, make_user
from xinfang.devdata.flow import register
from xinfang.escalation.models import AccountabilityCard
from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.stats import ranking as r
from xinfang.stats.periods import Period
from xinfang.supervision.actions import do_conclude_supervision, do_open_supervision

pytestmark = pytest.mark.django_db

Q1 = Period.quarter(2025, 1)
TODAY = date(2025, 4, 10)
QUARTER = {"period": "quarter", "year": 2025, "quarter": 1}
D = Decimal


def card(org, color, day, **kwargs):
    at = core_clock.aware(datetime.combine(day, time(10)))
    return AccountabilityCard.objects.create(org=org, color=color, reason="督办事项逾期", issued_at=at, **kwargs)


@pytest.fixture
def county(cast, flow, clock):
    officer2 = make_user("dept2_officer", cast.dept2, "petition_officer")
    head2 = make_user("dept2_head", cast.dept2, "unit_head")
    cases = {}
    clock.set(date(2025, 1, 6))
    cases["a"] = flow.handling(assign=False)
    clock.set(date(2025, 1, 10))
    cases["b"] = flow.handling(assign=False)
    clock.set(date(2025, 1, 15))
    c = do_sign_for(flow.forward(flow.register(), to=cast.dept2), actor=officer2)
    cases["c"] = do_accept(c, actor=officer2, handler=cast.handler2)
    clock.set(date(2025, 2, 20))
    cases["b"] = do_evaluate(flow.deliver(flow.reply(cases["b"])), actor=cast.dept_officer, evaluation="unsatisfied")
    clock.set(date(2025, 2, 25))
    c = do_reply(
        cases["c"], actor=head2, request="请求维修", facts="经核查属实", decision="support", basis="《信访工作条例》"
    )
    c = do_record_delivery(
        c, actor=officer2, notice="reply", method="in_person", delivered_at=core_clock.now(), recipient="张三"
    )
    cases["c"] = do_evaluate(c, actor=officer2, evaluation="satisfied")
    clock.set(date(2025, 3, 1))
    do_open_supervision(cases["a"], actor=cast.supervisor, kind="filed", reason="请加快办理", due_on=date(2025, 3, 15))
    clock.set(date(2025, 3, 4))
    cases["d"] = flow.forward(flow.register(), to=cast.township)
    cases["b"] = flow.request_review(cases["b"], received_on=date(2025, 3, 4))
    clock.set(date(2025, 3, 10))
    cases["a"] = do_evaluate(flow.deliver(flow.reply(cases["a"])), actor=cast.dept_officer, evaluation="satisfied")
    clock.set(date(2025, 3, 20))
    cases["b"] = flow.review(cases["b"], decision="uphold")
    register(cast.other_registrar)
    card(cast.dept2, "yellow", date(2025, 2, 3))
    card(cast.dept2, "yellow", date(2025, 2, 10))
    card(cast.dept2, "yellow", date(2024, 12, 31))  # before the quarter
    card(cast.dept2, "yellow", date(2025, 2, 11), revoked_at=core_clock.now())  # revoked: not standing
    card(cast.township, "red", date(2025, 3, 20))
    card(cast.other_dept, "red", date(2025, 3, 20))
    clock.set(TODAY)
    return cases


def ranked(ranking):
    return [(row.org.name, row.rank, row.score.total, row.score.vetoes) for row in ranking.rows]


def items(row):
    return {i.code: (i.value, i.points) for i in row.score.items}


def test_the_units_are_ranked_by_their_handling_with_the_vetoed_after(cast, county):
    ranking = r.build(scoped_cases(cast.leader), cast.county, Q1, today=TODAY)
    assert ranking.scheme.code == "default-ranking"
    assert ranked(ranking) == [
        ("清河县住房和城乡建设局", 1, D("95.29"), []),
        ("清河县自然资源局", 2, D("55.00"), ["期内有督办事项超期"]),
        ("清河县信访局", None, None, []),
        ("清河县东岗镇人民政府", None, None, ["期内被记红牌警告"]),
    ]


def test_each_unit_sees_why_value_points_and_weight_per_item(cast, county):
    rows = {row.org.name: row for row in r.build(scoped_cases(cast.leader), cast.county, Q1, today=TODAY).rows}
    assert items(rows["清河县自然资源局"]) == {
        "timely_acceptance_rate": (D("100.00"), D("20.00")),
        "on_time_rate": (D("50.00"), D("0.00")),
        "satisfaction_rate": (D("50.00"), D("0.00")),
        "evaluation_rate": (D("100.00"), D("10.00")),
        "review_upheld_rate": (D("100.00"), D("15.00")),
        "yellow_cards": (0, D("10.00")),
    }
    assert items(rows["清河县住房和城乡建设局"]) == {
        "timely_acceptance_rate": (D("100.00"), D("20.00")),
        "on_time_rate": (D("100.00"), D("25.00")),
        "satisfaction_rate": (D("100.00"), D("20.00")),
        "evaluation_rate": (D("100.00"), D("10.00")),
        "review_upheld_rate": (None, None),
        "yellow_cards": (2, D("6.00")),
    }
    assert [i.weight for i in rows["清河县自然资源局"].score.items] == [20, 25, 20, 10, 15, 10]


def test_an_overdue_supervised_item_counts_while_overdue_in_the_period(cast, county):
    qs = scoped_cases(cast.leader)
    assert r.supervised_overdue(qs, cast.county, Q1, TODAY) == {cast.dept.path: 1}
    assert r.supervised_overdue(qs, cast.county, Period.month(2025, 2), TODAY) == {}  # not yet due in February
    # Still open in April: overdue on every day of it so far.
    assert r.supervised_overdue(qs, cast.county, Period.month(2025, 4), TODAY) == {cast.dept.path: 1}


def test_an_item_concluded_after_its_due_date_counts_in_the_periods_it_was_overdue(cast, county, clock):
    qs = scoped_cases(cast.leader)
    late = do_open_supervision(county["b"], actor=cast.supervisor, kind="letter", reason="催", due_on=date(2025, 4, 12))
    on_time = do_open_supervision(
        county["b"], actor=cast.supervisor, kind="letter", reason="催", due_on=date(2025, 4, 20)
    )
    clock.set(date(2025, 4, 15))
    for item in (late, on_time):
        do_conclude_supervision(county["b"], item.pk, actor=cast.supervisor, outcome="已办结")
    clock.set(date(2025, 5, 10))
    april, may = Period.month(2025, 4), Period.month(2025, 5)
    assert r.supervised_overdue(qs, cast.county, april, date(2025, 5, 10)) == {cast.dept.path: 2}  # a's and late
    assert r.supervised_overdue(qs, cast.county, may, date(2025, 5, 10)) == {cast.dept.path: 1}  # a's, still open


def test_skip_level_and_collective_visits_never_change_a_score(cast, county):
    before = r.build(scoped_cases(cast.leader), cast.county, Q1, today=TODAY)
    Case.objects.filter(pk__in=[county["a"].pk, county["b"].pk]).update(is_skip_level=True, is_collective=True)
    after = r.build(scoped_cases(cast.leader), cast.county, Q1, today=TODAY)
    assert ranked(after) == ranked(before)
    assert [items(row) for row in after.rows] == [items(row) for row in before.rows]
    info = {row.org.name: row.info for row in after.rows}["清河县自然资源局"]
    assert info == {"total": 2, "collective_batches": 2, "skip_level": 2, "repeat": 0}  # shown, not scored


def test_a_township_ranks_only_its_own_subtree(cast, county):
    ranking = r.build(scoped_cases(cast.leader), cast.township, Q1, root=cast.county, today=TODAY)
    assert ranked(ranking) == [("东岗镇前村村民委员会", None, None, [])]


def test_without_a_scheme_in_force_nothing_is_ranked(cast, county):
    from xinfang.stats.models import ScoringScheme

    ScoringScheme.objects.update(effective_to=date(2024, 12, 31))
    ranking = r.build(scoped_cases(cast.leader), cast.county, Q1, today=TODAY)
    assert (ranking.scheme, ranking.rows) == (None, [])


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_ranking_the_breakdown_and_the_rules(login, cast, county):
    html = login(cast.leader).get("/stats/ranking/", QUARTER).content.decode()
    assert "清河县人民政府所属单位信访工作排名（2025年第1季度）" in html
    assert "评分方案：信访工作考核默认评分方案（满分 100 分）" in html
    assert '<th scope="row">清河县住房和城乡建设局</th>\n      <td class="num"><strong>95.29</strong></td>' in html
    assert '<span class="error">期内有督办事项超期</span>' in html
    assert "不参加排名" in html and "远山县" not in html
    assert "<li>期内有督办事项超期：督办事项超期大于或等于1件</li>" in html
    assert "集体访、越级信访、重复信访和信访总量只作情况反映，不计分" in html


def test_a_unit_with_units_under_it_drills_down_to_their_ranking(login, cast, county):
    client = login(cast.leader)
    html = client.get("/stats/ranking/", QUARTER).content.decode()
    url = f"/stats/ranking/?period=quarter&amp;year=2025&amp;quarter=1&amp;org={cast.township.pk}"
    assert f'<a href="{url}">清河县东岗镇人民政府</a>' in html
    assert "<a href=" not in html.split("清河县自然资源局</")[0].rsplit("<th", 1)[1]  # no units under it
    below = client.get(url.replace("&amp;", "&")).content.decode()
    assert "清河县东岗镇人民政府所属单位信访工作排名（2025年第1季度）" in below
    assert "东岗镇前村村民委员会" in below and "清河县自然资源局" not in below
    up = f"/stats/ranking/?period=quarter&amp;year=2025&amp;quarter=1&amp;org={cast.county.pk}"
    assert f'<a href="{up}">清河县人民政府</a>' in below  # the breadcrumbs lead back up


def test_the_statistics_page_links_to_the_ranking_of_its_period(login, cast, county):
    html = login(cast.statistician).get("/stats/", QUARTER).content.decode()
    assert '<a class="button" href="/stats/ranking/?period=quarter&amp;year=2025&amp;quarter=1">单位排名</a>' in html


def test_the_navigation_offers_the_ranking_to_those_who_may_see_it(login, cast):
    assert 'href="/stats/ranking/"' in login(cast.statistician).get("/cases/").content.decode()
    assert 'href="/stats/ranking/"' not in login(cast.registrar).get("/cases/").content.decode()


@pytest.mark.parametrize("who", ["registrar", "handler", "admin", "nobody"])
def test_others_may_not_see_the_ranking(login, cast, who):
    response = login(getattr(cast, who)).get("/stats/ranking/")
    assert response.status_code == 403
    assert "只有统计员、领导、督查员、单位负责人和受理交办员可以查看统计" in response.content.decode()


def test_another_county_s_ranking_is_not_found_and_its_own_holds_only_its_units(login, cast, county):
    assert login(cast.leader).get("/stats/ranking/", {**QUARTER, "org": cast.other_county.pk}).status_code == 404
    client = login(cast.other_officer)
    assert client.get("/stats/ranking/", {**QUARTER, "org": cast.county.pk}).status_code == 404
    html = client.get("/stats/ranking/", QUARTER).content.decode()
    assert "远山县自然资源局" in html and "清河县" not in html


def test_the_ranking_page_costs_the_same_queries_however_many_units_and_cases(
    login, cast, county, flow, clock, django_assert_num_queries
):
    client = login(cast.leader)
    client.get("/stats/ranking/", QUARTER)  # warm the per-process caches (content types, the calendar)
    # The session, the user, their roles, their org, their scope's grants; the scheme's assignments, the
    # default scheme, its items, its vetoes; the units, the grouped case counts (from the rollups: the orgs
    # outside the county, the rollup sums, whether a case is an exception (a query per set until one has a
    # row), the exceptions' facts, those cases, the backlog's candidates, whether a case is handled outside
    # and those cases), the overdue
    # supervision items, the cards; which units have units under them (the drill links); the unread notices of the
    # navigation. None of them per unit.
    with django_assert_num_queries(QUERIES):
        assert client.get("/stats/ranking/", QUARTER).status_code == 200
    clock.set(date(2025, 3, 25))
    make_org("清河县水利局", "department", "county", "330781", cast.county)
    for to in (cast.dept2, cast.township, cast.dept):
        flow.forward(flow.register(), to=to)
    card(cast.village, "yellow", date(2025, 3, 25))
    clock.set(TODAY)
    with django_assert_num_queries(QUERIES):
        html = client.get("/stats/ranking/", QUARTER).content.decode()
    assert "清河县水利局" in html


QUERIES = 20


# ---------------------------------------------------------------- the XLSX export


def test_the_export_is_the_ranking_read_back_with_openpyxl(login, cast, county):
    response = login(cast.statistician).get("/stats/ranking.xlsx", QUARTER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="xinfang-ranking-20250101-20250331.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "清河县人民政府所属单位信访工作排名（2025年第1季度）"
    headers = [ws.cell(row=3, column=c).value for c in range(1, ws.max_column + 1)]
    assert headers[:5] == ["名次", "单位", "总分（满分100）", "及时受理率", "及时受理率得分（20分）"]
    assert headers[-5:] == [
        "一票否决",
        "信访总量（件，不计分）",
        "集体访（批次，不计分）",
        "越级信访（件，不计分）",
        "重复信访（件，不计分）",
    ]
    rows = [[ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)] for r in range(4, 8)]
    assert [row[:3] for row in rows] == [
        [1, "清河县住房和城乡建设局", 95.29],
        [2, "清河县自然资源局", 55.0],
        ["不参加排名", "清河县信访局", None],
        ["不参加排名", "清河县东岗镇人民政府", None],
    ]
    veto = headers.index("一票否决")
    assert (rows[1][veto], rows[3][veto]) == ("期内有督办事项超期", "期内被记红牌警告")
    on_time = headers.index("按期办结率")
    assert (rows[1][on_time], ws.cell(row=5, column=on_time + 1).number_format) == (0.5, "0.00%")
    assert ws.freeze_panes == "C4"
    rules = load_workbook(BytesIO(response.content))["评分规则"]
    assert rules["A1"].value == "信访工作考核默认评分方案（满分100分）"
    assert [c.value for c in rules[3]] == ["及时受理率", 20, "≥100", "≤80", "不计入（总分按其余各项折算）"]
    assert [c.value for c in rules[8]] == ["黄牌警告（张）", 10, "≤0", "≥5", "不计入（总分按其余各项折算）"]
    assert (rules["A11"].value, rules["B11"].value) == ("期内有督办事项超期", "督办事项超期大于或等于1件")


def test_the_export_is_recorded_in_the_security_audit_log(login, cast, county):
    login(cast.statistician).get("/stats/ranking.xlsx", QUARTER)
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert (event.actor, event.target, event.detail) == (
        cast.statistician,
        "信访工作排名（XLSX）",
        "清河县人民政府；2025年第1季度；信访工作考核默认评分方案",
    )


def test_the_export_is_refused_like_the_page(login, cast):
    assert login(cast.registrar).get("/stats/ranking.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


# ---------------------------------------------------------------- the API


def api_get(client, user, params):
    token = ApiToken.issue(user, "test")[1]
    return client.get("/api/v1/stats/ranking", params, headers={"Authorization": f"Bearer {token}"})


def test_the_api_gives_the_ranking_with_the_rules_and_the_breakdown(client, cast, county):
    response = api_get(client, cast.statistician, QUARTER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["org"]["name"], body["period"]["label"], body["scheme"]["full_score"]) == (
        "清河县人民政府",
        "2025年第1季度",
        100.0,
    )
    assert [(row["rank"], row["org"]["name"], row["total"], row["vetoes"]) for row in body["rows"]] == [
        (1, "清河县住房和城乡建设局", 95.29, []),
        (2, "清河县自然资源局", 55.0, ["期内有督办事项超期"]),
        (None, "清河县信访局", None, []),
        (None, "清河县东岗镇人民政府", None, ["期内被记红牌警告"]),
    ]
    assert body["rows"][0]["items"][-1] == {"metric": "yellow_cards", "value": 2, "weight": 10.0, "points": 6.0}
    assert body["rows"][0]["items"][4] == {
        "metric": "review_upheld_rate",
        "value": None,
        "weight": 15.0,
        "points": None,
    }
    assert body["vetoes"][0] == {
        "name": "期内有督办事项超期",
        "metric": "supervised_overdue",
        "op": "gte",
        "threshold": 1.0,
        "condition": "督办事项超期大于或等于1件",
    }
    assert body["items"][0]["label"] == "及时受理率"


def test_the_api_refuses_another_county_and_those_without_statistics(client, cast, county):
    assert api_get(client, cast.leader, {**QUARTER, "org": cast.other_county.pk}).status_code == 404
    refused = api_get(client, cast.registrar, QUARTER)
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "not_allowed",
        "message": "只有统计员、领导、督查员、单位负责人和受理交办员可以查看统计",
        "field": None,
    }


def test_the_api_says_when_no_scheme_is_in_force(client, cast, county):
    from xinfang.stats.models import ScoringScheme

    ScoringScheme.objects.update(effective_to=date(2024, 12, 31))
    body = api_get(client, cast.leader, QUARTER).json()
    assert (body["scheme"], body["items"], body["vetoes"], body["rows"]) == (None, [], [], [])


def test_the_ranking_is_in_the_openapi_document(login, cast):
    doc = login(cast.statistician).get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/stats/ranking"]["get"]
    assert (operation["operationId"], operation["summary"]) == ("stats_ranking", "单位排名")
