"""GET /api/v1/stats/monthly and /api/v1/stats/metric/{code}: the page's figures, the page's access."""

from datetime import date

import pytest

from xinfang.devdata.flow import Flow, register
from xinfang.stats.table import NOT_ALLOWED

pytestmark = pytest.mark.django_db

MARCH = {"period": "month", "year": 2025, "month": 3}


@pytest.fixture
def march(cast, clock):
    """Two cases in March 2025 forwarded to 自然资源局, one accepted in time and closed; one in 远山县."""
    flow = Flow(cast)
    clock.set(date(2025, 3, 3))
    flow.closed()
    clock.set(date(2025, 3, 4))
    flow.forward(flow.register())
    register(cast.other_registrar)
    clock.set(date(2025, 4, 10))


def test_the_monthly_table_has_a_row_per_unit_and_a_total(api_as, cast, march):
    response = api_as(cast.statistician).get("/api/v1/stats/monthly", MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["org"]["name"], body["period"]["label"]) == ("清河县人民政府", "2025年3月")
    assert [(r["label"], r["values"]["total"]) for r in body["rows"]] == [
        ("清河县信访局", 0),
        ("清河县自然资源局", 2),
        ("清河县住房和城乡建设局", 0),
        ("清河县东岗镇人民政府", 0),
    ]
    assert (body["total"]["values"]["total"], body["total"]["values"]["closure_rate"]) == (2, 100.0)
    assert body["previous"]["label"] == "上期（2025年2月）"
    assert body["previous"]["changes"]["total"] is None  # February had none
    assert {"code": "on_time_rate", "label": "按期办结率", "unit": "%", "is_rate": True} in body["columns"]


def test_one_metric_with_its_parts_and_comparisons(api_as, cast, march):
    response = api_as(cast.leader).get("/api/v1/stats/metric/timely_acceptance_rate", MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    got = {k: body[k] for k in ("code", "label", "value", "numerator", "denominator", "previous", "mom")}
    assert got == {
        "code": "timely_acceptance_rate",
        "label": "及时受理率",
        "value": 100.0,
        "numerator": 1,
        "denominator": 1,
        "previous": None,
        "mom": None,
    }


def test_a_metric_for_a_unit_counts_its_subtree(api_as, cast, march):
    client = api_as(cast.leader)
    assert client.get("/api/v1/stats/metric/total", {**MARCH, "org": cast.dept.pk}).json()["value"] == 2
    assert client.get("/api/v1/stats/metric/total", {**MARCH, "org": cast.township.pk}).json()["value"] == 0


def test_those_without_a_statistics_role_are_refused(api_as, cast):
    response = api_as(cast.registrar).get("/api/v1/stats/monthly")
    assert response.status_code == 403
    assert response.json() == {"code": "not_allowed", "message": NOT_ALLOWED, "field": None}


def test_another_county_s_org_is_not_found(api_as, cast):
    response = api_as(cast.other_officer).get("/api/v1/stats/monthly", {"org": cast.county.pk})
    assert response.status_code == 404


def test_a_period_that_cannot_be_reported_is_a_chinese_422(api_as, cast):
    response = api_as(cast.statistician).get(
        "/api/v1/stats/monthly", {"period": "range", "start": "2025-03-10", "end": "2025-03-01"}
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"], body["message"]) == ("invalid", "period", "统计期间的结束日期不能早于开始日期")


def test_an_unknown_metric_is_not_found(api_as, cast):
    # A path that names nothing answers 404, as every path of the API does (there is no ranking here).
    response = api_as(cast.statistician).get("/api/v1/stats/metric/ranking")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
