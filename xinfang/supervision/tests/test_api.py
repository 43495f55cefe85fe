"""The JSON API of supervision: a round trip through the same actions, the refusals in Chinese, 404s."""

from datetime import timedelta

import pytest

from xinfang.core import clock

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权查看", "field": None}


def day(n):
    return (clock.today() + timedelta(days=n)).isoformat()


def test_open_report_continue_conclude_round_trip(cast, flow, api_as):
    case = flow.handling()
    supervisor, handler = api_as(cast.supervisor), api_as(cast.handler)
    r = supervisor.post(
        f"/api/v1/cases/{case.pk}/supervision",
        {"kind": "listed", "reason": "挂牌督办", "due_on": day(15), "report_every_days": 7},
    )
    assert r.status_code == 201, r.content
    item = r.json()
    assert (item["kind_label"], item["status"], item["owed_by_org"]["name"]) == ("挂牌督办", "open", "清河县自然资源局")
    r = handler.post(
        f"/api/v1/cases/{case.pk}/supervision/{item['id']}/reports", {"kind": "progress", "text": "正在核实"}
    )
    assert r.status_code == 201 and r.json()["reports"][0]["text"] == "正在核实"
    r = supervisor.post(f"/api/v1/cases/{case.pk}/supervision/{item['id']}/continue", {"due_on": day(20)})
    assert (r.status_code, r.json()["version"]) == (200, 2)  # the report on day one left the next report date
    r = supervisor.post(f"/api/v1/cases/{case.pk}/supervision/{item['id']}/conclude", {"outcome": "已办结"})
    assert (r.status_code, r.json()["status_label"]) == (200, "已办结")
    listed = handler.get(f"/api/v1/cases/{case.pk}/supervision").json()
    assert [i["status"] for i in listed["supervision"]] == ["concluded"]
    events = handler.get(f"/api/v1/cases/{case.pk}/events").json()
    labels = [e["action_label"] for e in events]
    assert "督办办结" in labels


def test_refusals_are_the_pages(cast, flow, api_as):
    case = flow.handling()
    r = api_as(cast.handler).post(
        f"/api/v1/cases/{case.pk}/supervision", {"kind": "filed", "reason": "x", "due_on": day(5)}
    )
    assert r.status_code == 403
    assert r.json()["message"] == "只有督查员、领导或同级以上信访部门可以开展督办"
    r = api_as(cast.supervisor).post(
        f"/api/v1/cases/{case.pk}/supervision", {"kind": "filed", "reason": "x", "due_on": day(-1)}
    )
    assert (r.status_code, r.json()["field"], r.json()["message"]) == (422, "due_on", "办结期限不能早于今天")


def test_the_other_county_and_a_missing_item_get_a_404(cast, flow, api_as):
    case = flow.handling()
    other = api_as(cast.other_officer)
    assert other.get(f"/api/v1/cases/{case.pk}/supervision").json() == NOT_FOUND
    r = other.post(f"/api/v1/cases/{case.pk}/urging", {"subject": "催办", "reply_by": day(3)})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    r = api_as(cast.supervisor).post(f"/api/v1/cases/{case.pk}/supervision/99999/conclude", {})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_urging_and_instructions_round_trip(cast, flow, api_as):
    case = flow.handling()
    r = api_as(cast.officer).post(f"/api/v1/cases/{case.pk}/urging", {"subject": "请按期办结", "reply_by": day(3)})
    assert r.status_code == 201, r.content
    slip = r.json()
    r = api_as(cast.dept_officer).post(f"/api/v1/cases/{case.pk}/urging/{slip['id']}/answer", {"reply": "本周办结"})
    assert (r.status_code, r.json()["status"]) == (200, "answered")
    r = api_as(cast.leader).post(
        f"/api/v1/cases/{case.pk}/instructions",
        {"text": "请依法处理", "to_org_id": cast.dept.pk, "to_user_id": cast.unit_head.pk, "commit_by": day(7)},
    )
    assert r.status_code == 201, r.content
    ins = r.json()
    assert (ins["to_org"]["id"], ins["to_user"]["name"]) == (cast.dept.pk, "unit_head")
    r = api_as(cast.unit_head).post(f"/api/v1/cases/{case.pk}/instructions/{ins['id']}/report", {"report": "已落实"})
    assert r.json()["status"] == "reported"
    r = api_as(cast.leader).post(f"/api/v1/cases/{case.pk}/instructions/{ins['id']}/close", {})
    assert r.json()["status_label"] == "已办结"
    r = api_as(cast.leader).post(
        f"/api/v1/cases/{case.pk}/instructions", {"text": "x", "to_org_id": 2**62, "commit_by": day(7)}
    )
    assert (r.status_code, r.json()["field"], r.json()["message"]) == (422, "to_org_id", "落实单位不存在")
