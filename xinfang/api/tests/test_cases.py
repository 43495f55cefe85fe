"""Scoped reads, filters, and the JSON error contract of /api/v1/cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.models import Case
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import Flow, make_petitioner, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(cast):
    return Flow(cast)


def _ids(response):
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


def test_the_list_is_scoped_and_the_other_county_sees_none(cast, flow, api_as):
    ours = flow.register()
    theirs = register(cast.other_registrar, petitioners=[(make_petitioner(cast.other_registrar), False)])
    assert _ids(api_as(cast.registrar).get("/api/v1/cases")) == [ours.pk]
    assert _ids(api_as(cast.other_registrar).get("/api/v1/cases")) == [theirs.pk]
    assert _ids(api_as(cast.nobody).get("/api/v1/cases")) == []
    assert api_as(cast.nobody).get("/api/v1/cases").json()["count"] == 0


def test_the_list_paginates_with_limit_and_offset(cast, flow, api_as):
    created = [flow.register(received_at=timezone.now() - timedelta(hours=10 - i)) for i in range(5)]
    api = api_as(cast.registrar)
    first = api.get("/api/v1/cases", {"limit": 2}).json()
    assert first["count"] == 5 and first["limit"] == 2 and first["offset"] == 0
    assert [c["id"] for c in first["items"]] == [created[4].pk, created[3].pk]  # newest received first
    rest = api.get("/api/v1/cases", {"limit": 2, "offset": 4}).json()
    assert [c["id"] for c in rest["items"]] == [created[0].pk]
    oldest_first = api.get("/api/v1/cases", {"ordering": "received_at", "limit": 1}).json()
    assert oldest_first["items"][0]["id"] == created[0].pk
    too_big = api.get("/api/v1/cases", {"limit": 1000})
    assert too_big.status_code == 422 and too_big.json()["code"] == "validation_error"
    assert too_big.json()["field"] == "limit"


def test_the_list_counts_only_so_far_past_the_page(cast, flow, api_as, monkeypatch):
    """A full count of a city's scope grows with every case ever registered: it stops COUNT_AHEAD past the page."""
    monkeypatch.setattr("xinfang.api.cases.COUNT_AHEAD", 2)
    for _ in range(5):
        flow.register()
    api = api_as(cast.registrar)
    first = api.get("/api/v1/cases", {"limit": 1}).json()
    assert (first["count"], first["count_exact"], len(first["items"])) == (4, False, 1)
    later = api.get("/api/v1/cases", {"limit": 2, "offset": 1}).json()
    assert (later["count"], later["count_exact"]) == (5, True)


def test_the_list_filters(cast, flow, api_as):
    visit = flow.register(summary="反映拆迁安置问题", urgency="critical")
    letter = flow.register(channel="letter", summary="反映工资拖欠")
    assigned = flow.assign(flow.register(summary="反映环境污染"))
    api = api_as(cast.registrar)
    assert _ids(api.get("/api/v1/cases", {"channel": "letter"})) == [letter.pk]
    assert _ids(api.get("/api/v1/cases", {"urgency": "critical"})) == [visit.pk]
    assert _ids(api.get("/api/v1/cases", {"q": "拆迁"})) == [visit.pk]
    assert _ids(api.get("/api/v1/cases", {"q": letter.number})) == [letter.pk]
    assert _ids(api.get("/api/v1/cases", {"status": "assigned"})) == [assigned.pk]
    assert set(_ids(api.get("/api/v1/cases?status=assigned&status=registered"))) == {visit.pk, letter.pk, assigned.pk}
    assert _ids(api.get("/api/v1/cases", {"current_org": cast.dept.pk})) == [assigned.pk]
    today = timezone.localdate()
    assert len(_ids(api.get("/api/v1/cases", {"received_from": today - timedelta(days=1)}))) == 3
    assert _ids(api.get("/api/v1/cases", {"received_to": today - timedelta(days=2)})) == []
    # Overdue and due soon are queries over the stored due date.
    Case.objects.filter(pk=visit.pk).update(due_date=today - timedelta(days=1))
    Case.objects.filter(pk=letter.pk).update(due_date=today + timedelta(days=2))
    Case.objects.filter(pk=assigned.pk).update(due_date=today + timedelta(days=20))
    assert _ids(api.get("/api/v1/cases", {"due": "overdue"})) == [visit.pk]
    assert _ids(api.get("/api/v1/cases", {"due": "due_soon"})) == [letter.pk]
    assert _ids(api.get("/api/v1/cases", {"ordering": "due_date"})) == [visit.pk, letter.pk, assigned.pk]
    overdue = api.get(f"/api/v1/cases/{visit.pk}").json()
    assert overdue["overdue"] is True and overdue["days_left"] == -1
    bad = api.get("/api/v1/cases", {"status": "nonsense"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_a_case_outside_scope_is_the_same_404_as_a_missing_one(cast, flow, api_as):
    case = flow.register()
    other = api_as(cast.other_registrar)
    outside = other.get(f"/api/v1/cases/{case.pk}")
    missing = other.get("/api/v1/cases/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert outside.json()["code"] == "not_found" and outside.json()["message"]
    assert other.get(f"/api/v1/cases/{case.pk}/events").json() == missing.json()
    assert other.get(f"/api/v1/cases/{case.pk}/deadlines").status_code == 404
    # Acting on it is the same 404, not a 403 that would confirm it exists.
    acted = api_as(cast.other_officer).post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.other_dept.pk})
    assert acted.status_code == 404 and acted.json() == missing.json()


def test_the_accused_unit_gets_404(cast, api_as):
    accused_staff = make_user("dept_head2", cast.dept, "unit_head", "petition_officer")
    case = register(cast.registrar, kind="accusation", accused_name="某局长", accused_org=cast.dept)
    assert api_as(cast.registrar).get(f"/api/v1/cases/{case.pk}").status_code == 200
    for user in (accused_staff, cast.dept_officer):
        api = api_as(user)
        assert api.get(f"/api/v1/cases/{case.pk}").status_code == 404
        assert case.pk not in _ids(api.get("/api/v1/cases"))
    # And routing it to the accused unit is refused.
    refused = api_as(cast.officer).post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid" and refused.json()["field"] == "lead_org_id"


def test_a_stale_expected_version_is_a_409_conflict_and_changes_nothing(cast, flow, api_as):
    case = flow.register()
    api = api_as(cast.officer)
    version = api.get(f"/api/v1/cases/{case.pk}").json()["version"]
    A.do_forward(case, actor=cast.officer, to_org=cast.dept2)  # someone else acts first
    response = api.post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk, "expected_version": version})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    # No word of kept text: that is the case page's (it re-renders the form).
    assert response.json()["message"] == "该信访件已被他人更新，请刷新后核对再办理"
    case.refresh_from_db()
    assert case.status == "forwarded" and case.competent_org_id == cast.dept2.pk


def test_errors_carry_a_stable_code_and_a_chinese_message(cast, flow, api_as):
    case = flow.register()
    url = f"/api/v1/cases/{case.pk}"
    # 403: the registrar may see the case but may not route it
    denied = api_as(cast.registrar).post(f"{url}/forward", {"to_org_id": cast.dept.pk})
    assert denied.status_code == 403 and denied.json()["code"] == "not_allowed"
    # 409: accepting a case that has not been routed
    wrong_state = api_as(cast.officer).post(f"{url}/accept", {})
    assert wrong_state.status_code == 409 and wrong_state.json()["code"] == "invalid_transition"
    # 422 invalid: an action refuses a value; the target org must exist
    missing_org = api_as(cast.officer).post(f"{url}/forward", {"to_org_id": 999999})
    assert missing_org.status_code == 422
    assert missing_org.json() == {"code": "invalid", "message": "接收单位不存在或已停用", "field": "to_org_id"}
    # 422 validation_error: the body does not match the schema
    malformed = api_as(cast.officer).post(f"{url}/forward", {"to_org_id": "abc"})
    body = malformed.json()
    assert malformed.status_code == 422 and body["code"] == "validation_error" and body["field"] == "to_org_id"
    assert "须为整数" in body["message"]
    missing = api_as(cast.officer).post(f"{url}/forward", {})
    assert missing.json()["code"] == "validation_error" and "必填" in missing.json()["message"]


def test_a_forward_target_need_not_be_in_the_actors_scope(cast, flow, api_as):
    case = flow.register()
    response = api_as(cast.officer).post(f"/api/v1/cases/{case.pk}/forward", {"to_org_id": cast.township.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["current_org"]["id"] == cast.township.pk


def test_the_detail_lists_the_actions_the_caller_may_take(cast, flow, api_as):
    case = flow.register()
    officer = api_as(cast.officer).get(f"/api/v1/cases/{case.pk}").json()
    actions = {a["action"]: a["path"] for a in officer["available_actions"]}
    assert actions["assign"] == f"/api/v1/cases/{case.pk}/assign"
    assert actions["forward"] == f"/api/v1/cases/{case.pk}/forward"
    registrar = api_as(cast.registrar).get(f"/api/v1/cases/{case.pk}").json()
    assert "assign" not in {a["action"] for a in registrar["available_actions"]}


def test_registration_validates_petitioners_category_and_role(cast, api_as, flow):
    base = {
        "petitioners": [{"id": 999999}],
        "channel": "visit",
        "received_at": timezone.now().isoformat(),
        "kind": "claim",
        "summary": "摘要",
        "content": "内容",
        "category": "0101",
    }
    unknown = api_as(cast.registrar).post("/api/v1/cases", base)
    assert unknown.status_code == 422 and unknown.json()["field"] == "petitioners"
    theirs = make_petitioner(cast.other_registrar)
    out_of_scope = api_as(cast.registrar).post("/api/v1/cases", {**base, "petitioners": [{"id": theirs.pk}]})
    assert out_of_scope.json() == unknown.json()
    mine = make_petitioner(cast.registrar)
    ok_body = {**base, "petitioners": [{"id": mine.pk, "is_representative": True}]}
    bad_category = api_as(cast.registrar).post("/api/v1/cases", {**ok_body, "category": "nope"})
    assert bad_category.status_code == 422 and bad_category.json()["field"] == "category"
    handler = api_as(cast.handler).post("/api/v1/cases", ok_body)
    assert handler.status_code == 403 and handler.json()["code"] == "not_allowed"
    empty = api_as(cast.registrar).post("/api/v1/cases", {**ok_body, "petitioners": []})
    assert empty.status_code == 422 and empty.json()["field"] == "petitioners"


def test_registration_returns_the_repeat_warning(cast, api_as, flow):
    petitioner = make_petitioner(cast.registrar)
    first = register(cast.registrar, petitioners=[(petitioner, True)])
    body = {
        "petitioners": [{"id": petitioner.pk, "is_representative": True}],
        "channel": "visit",
        "received_at": timezone.now().isoformat(),
        "kind": "claim",
        "summary": "再次反映",
        "content": "同一事项",
        "category": "0101",
    }
    response = api_as(cast.registrar).post("/api/v1/cases", body)
    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert [w["code"] for w in warnings] == ["repeat"] and warnings[0]["case_id"] == first.pk


def test_malformed_json_is_a_json_error(cast, flow, api_as):
    api = api_as(cast.officer)
    case = flow.register()
    response = api.client.post(
        f"/api/v1/cases/{case.pk}/forward",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request" and "JSON" in response.json()["message"]


def test_an_unexpected_error_is_500_json_without_details(cast, flow, api_as, monkeypatch):
    from xinfang.cases import deadlines

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    case = flow.assign(flow.register())
    monkeypatch.setattr(deadlines, "meet", boom)  # a bug deep inside the action
    response = api_as(cast.dept_officer).post(f"/api/v1/cases/{case.pk}/sign-for", {})
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and "secret" not in response.content.decode()


def test_the_list_query_count_does_not_grow_with_the_page(cast, flow, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(cast.registrar)
    flow.register()
    api.get("/api/v1/cases")  # warm: token last_used_at written once
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/v1/cases").json()["items"]) == 1
    for _ in range(6):
        flow.assign(flow.register())
    with CaptureQueriesContext(connection) as seven:
        assert len(api.get("/api/v1/cases").json()["items"]) == 7
    assert len(seven) == len(one) <= 8  # 2 of them: the capped count's scope look-ups (access.count_up_to)


def test_an_accusation_against_the_registering_bureau_returns_where_it_went_not_the_case(cast, api_as):
    from xinfang.devdata.flow import make_petitioner

    p = make_petitioner(cast.registrar)
    response = api_as(cast.registrar).post(
        "/api/v1/cases",
        {
            "petitioners": [{"id": p.pk, "is_representative": True}],
            "channel": "letter",
            "received_at": "2026-11-30T09:00:00+08:00",
            "kind": "accusation",
            "summary": "检举信访局工作人员",
            "content": "检举信访局某科长收受好处。",
            "category": "0101",
            "accused_name": "某科长",
            "accused_org_id": cast.bureau.pk,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["case"] is None and body["forwarded_to"] == {"id": cast.city_bureau.pk, "name": "示例市信访局"}
    assert body["number"].startswith("清河县信访局〔2026〕")
    assert [w["code"] for w in body["warnings"]] == ["accused_self"]


def test_the_list_filters_by_a_units_whole_subtree(cast, flow, api_as):
    at_dept = flow.handling()
    at_bureau = flow.register()
    api = api_as(cast.leader)
    assert set(_ids(api.get(f"/api/v1/cases?unit={cast.county.pk}"))) == {at_dept.pk, at_bureau.pk}
    assert _ids(api.get(f"/api/v1/cases?unit={cast.dept.pk}")) == [at_dept.pk]
    assert _ids(api_as(cast.other_officer).get(f"/api/v1/cases?unit={cast.dept.pk}")) == []
