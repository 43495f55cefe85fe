"""/api/v1/stats/* answers the /stats/ page's figures, read from the same rollups the page reads."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases.states import Channel, Kind
from xinfang.devdata.flow import Flow, register
from xinfang.stats import rolled

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "year": 2025, "month": 3}
Q1 = {"period": "quarter", "year": 2025, "quarter": 1}


@pytest.fixture
def county(cast, clock):
    """February 2025: a closed case at 自然资源局. March: one accepted there, one forwarded to 东岗镇, a
    suggestion by letter at the bureau; one case in 远山县."""
    flow = Flow(cast)
    clock.set(date(2025, 2, 3))
    flow.closed()
    clock.set(date(2025, 3, 3))
    flow.accept(flow.sign_for(flow.forward(flow.register())))
    flow.forward(flow.register(), to=cast.township)
    flow.register(channel=Channel.LETTER, kind=Kind.SUGGESTION)
    register(cast.other_registrar)
    clock.set(date(2025, 4, 10))
    return flow


def _figure(value):
    return float(value) if value is not None and not isinstance(value, int) else value


def screen(client, params) -> dict:
    """The page's table as the API writes it: each row's figures by column code."""
    response = client.get("/stats/", params)
    assert response.status_code == 200
    table = response.context["table"]

    def values(row):
        return {c["metric"].code: _figure(c["value"]) for c in row.cells}

    return {
        "rows": [(r.label, values(r)) for r in table.rows],
        "total": values(table.total),
        "previous": values(table.previous),
        "last_year": values(table.last_year),
    }


@pytest.fixture
def spied(monkeypatch):
    """Counts the rollups' answers to a table (``rolled.grouped``), for the API's calls to show they read them."""
    calls = []
    grouped = rolled.grouped

    def spy(*args, **kwargs):
        calls.append(args[1])
        return grouped(*args, **kwargs)

    monkeypatch.setattr(rolled, "grouped", spy)
    return calls


@pytest.mark.parametrize("params", [MARCH, Q1], ids=["month", "quarter"])
@pytest.mark.parametrize("where", ["county", "township"])
def test_the_monthly_api_gives_the_page_s_figures(api_as, login, cast, county, params, where):
    expected = (3 if where == "county" else 1) + (1 if params is Q1 and where == "county" else 0)
    params = {**params, **({"org": cast.township.pk} if where == "township" else {})}
    page = screen(login(cast.leader), params)
    body = api_as(cast.leader).get("/api/v1/stats/monthly", params).json()
    assert [(r["label"], r["values"]) for r in body["rows"]] == page["rows"]
    assert body["total"]["values"] == page["total"]
    assert (body["previous"]["values"], body["last_year"]["values"]) == (page["previous"], page["last_year"])
    assert body["total"]["values"]["total"] == expected


def test_a_metric_from_the_api_is_the_page_s_total(api_as, login, cast, county):
    page = screen(login(cast.leader), Q1)
    api = api_as(cast.leader)
    for code in ("total", "channel_letter", "accepted", "closure_rate", "timely_acceptance_rate", "kind_suggestion"):
        body = api.get(f"/api/v1/stats/metric/{code}", Q1).json()
        if code in page["total"]:
            assert body["value"] == page["total"][code], code
            assert body["previous"] == page["previous"][code], code
    assert api.get("/api/v1/stats/metric/kind_suggestion", Q1).json()["value"] == 1
    body = api.get("/api/v1/stats/metric/closure_rate", {**Q1, "org": cast.dept.pk}).json()
    assert (body["numerator"], body["denominator"], body["value"]) == (1, 2, 50.0)  # the February case closed


def test_the_api_reads_the_rollups_the_page_reads(api_as, cast, county, spied):
    api = api_as(cast.leader)
    assert api.get("/api/v1/stats/monthly", MARCH).status_code == 200
    assert spied == [cast.county] * 3  # the period, 上期 and 去年同期
    spied.clear()
    assert api.get("/api/v1/stats/metric/total", {**MARCH, "org": cast.dept.pk}).status_code == 200
    assert spied == [cast.dept] * 3
    spied.clear()
    # A range that is not whole months: the rollups cannot answer, the direct queries do.
    assert (
        api.get("/api/v1/stats/monthly", {"period": "range", "start": "2025-03-02", "end": "2025-03-20"}).json()[
            "total"
        ]["values"]["total"]
        == 3
    )
    assert spied == []


def test_the_monthly_api_costs_the_same_queries_however_many_cases(api_as, cast, county, clock):
    api = api_as(cast.leader)
    api.get("/api/v1/stats/monthly", MARCH)  # warm the per-process caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/stats/monthly", MARCH).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    clock.set(date(2025, 3, 20))
    for to in (cast.dept2, cast.township, cast.dept):
        county.forward(county.register(), to=to)
    clock.set(date(2025, 4, 10))
    assert queries() == before
