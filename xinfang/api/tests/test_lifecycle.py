"""The whole statutory lifecycle, driven only through /api/v1/ by the cast."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.devdata.flow import valid_id_number

pytestmark = pytest.mark.django_db


def register_petitioner(api, name="王五", **extra):
    body = {"name": name, "id_number": valid_id_number(), "phones": ["13812345678"], **extra}
    response = api.post("/api/v1/petitioners", body)
    assert response.status_code == 201, response.content
    return response.json()


def register_case(api, petitioners, **extra):
    body = {
        "petitioners": [{"id": p["id"], "is_representative": True} for p in petitioners],
        "channel": "visit",
        "received_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "kind": "claim",
        "urgency": "urgent",
        "person_count": len(petitioners),
        "place_code": "330781",
        "place_name": "清河县东岗镇",
        "summary": "反映征地补偿款未发放",
        "content": "信访人反映其承包地被征收后补偿款至今未发放到位，请求依法支付。",
        "category": "0101",
        **extra,
    }
    response = api.post("/api/v1/cases", body)
    assert response.status_code == 201, response.content
    return response.json()


class Step:
    """POST an action as a user and check the status and the event count it leaves."""

    def __init__(self, api_as, case_id):
        self.api_as = api_as
        self.case_id = case_id
        self.version = None

    def __call__(self, user, path, body=None, *, status, events):
        api = self.api_as(user)
        payload = dict(body or {})
        if self.version is not None:
            payload.setdefault("expected_version", self.version)
        response = api.post(f"/api/v1/cases/{self.case_id}/{path}", payload)
        assert response.status_code == 200, (path, response.json())
        case = response.json()
        assert case["status"] == status, (path, case["status"])
        assert case["status_label"]
        self.version = case["version"]
        listed = api.get(f"/api/v1/cases/{self.case_id}/events").json()
        assert len(listed) == events, (path, [e["action"] for e in listed])
        return case


def test_the_whole_lifecycle_runs_through_the_api(cast, api_as):
    registrar = api_as(cast.registrar)
    p1 = register_petitioner(registrar, "王五")
    p2 = register_petitioner(registrar, "赵六")
    assert p1["id_masked"] and "*" in p1["id_masked"] and "*" in p1["phones"][0]

    # 登记 at the bureau
    created = register_case(registrar, [p1, p2])
    case = created["case"]
    assert case["status"] == "registered" and case["version"] == 1
    assert case["due_clock"] == "routing" and case["due_date"]
    assert [p["name"] for p in case["petitioners"]] == ["王五", "赵六"]
    assert isinstance(created["warnings"], list)
    step = Step(api_as, case["id"])
    step.version = case["version"]
    assert registrar.get(f"/api/v1/cases/{case['id']}/deadlines").json()[0]["clock"] == "routing"

    # 交办 to the lead unit with a co-unit
    case = step(
        cast.officer,
        "assign",
        {"lead_org_id": cast.dept.pk, "co_org_ids": [cast.dept2.pk], "note": "请依法办理并报结"},
        status="assigned",
        events=2,
    )
    assert case["competent_org"]["id"] == cast.dept.pk and case["is_assigned"]
    assert [o["id"] for o in case["co_orgs"]] == [cast.dept2.pk]

    # 签收 and 受理 by the lead unit
    case = step(cast.dept_officer, "sign-for", status="to_decide", events=3)
    assert case["due_clock"] == "acceptance"
    case = step(cast.dept_officer, "accept", {"handler_id": cast.handler.pk}, status="handling", events=4)
    assert case["handler"]["id"] == cast.handler.pk and case["due_clock"] == "handling"
    due_before = case["due_date"]

    # 延期: requested by the handler, approved by the unit head
    case = step(cast.handler, "extension/request", {"days": 30, "reason": "需补充调查"}, status="handling", events=5)
    assert case["extension_requested_days"] == 30
    case = step(cast.unit_head, "extension/approve", status="handling", events=6)
    assert case["extension_days"] == 30 and case["due_date"] > due_before
    deadlines = api_as(cast.unit_head).get(f"/api/v1/cases/{case['id']}/deadlines").json()
    handling = [d for d in deadlines if d["clock"] == "handling"][0]
    assert handling["extension_days"] == 30 and handling["status"] == "open"

    # 答复: drafted by the handler, signed by the unit head, delivered
    reply = {
        "request": "请求支付征地补偿款",
        "facts": "经核查，补偿款已按标准核定并发放",
        "decision": "not_support",
        "basis": "《中华人民共和国土地管理法》第四十八条",
    }
    case = step(cast.handler, "reply/draft", reply, status="handling", events=7)
    assert case["reply_draft"]["decision"] == "not_support"
    case = step(cast.unit_head, "reply", status="replied", events=8)
    assert case["reply_decision"] == "not_support" and case["review_org"]["id"] == cast.county.pk
    case = step(
        cast.handler,
        "deliveries",
        {"notice": "reply", "method": "in_person", "delivered_at": timezone.now().isoformat(), "recipient": "王五"},
        status="replied",
        events=9,
    )
    assert case["reply_delivered_on"] and case["window_until"]

    # 评价 不满意, the co-unit reports, the lead unit reports back, the bureau confirms
    case = step(
        cast.handler, "evaluate", {"evaluation": "unsatisfied", "source": "follow_up"}, status="replied", events=10
    )
    assert case["evaluation"] == "unsatisfied"
    case = step(cast.handler2, "co-report", {"report": "住建局已核实安置房情况"}, status="replied", events=11)
    case = step(cast.handler, "report-back", {"note": "已答复并送达"}, status="reported", events=12)
    case = step(cast.officer, "confirm-closure", status="closed", events=13)
    assert case["closed_on"]

    # 复查 by the county government, acting through its petition bureau
    case = step(cast.registrar, "review/request", {"note": "信访人不服处理意见"}, status="review_requested", events=14)
    assert case["due_clock"] == "review_decision" and case["due_date"]
    case = step(
        cast.officer,
        "review",
        {"decision": "uphold", "reasons": "原处理意见认定事实清楚"},
        status="reviewed",
        events=15,
    )
    assert case["reexam_org"]["id"] == cast.city.pk
    case = step(
        cast.officer,
        "deliveries",
        {"notice": "review", "method": "post", "delivered_at": timezone.now().isoformat()},
        status="reviewed",
        events=16,
    )
    assert case["review_delivered_on"] and case["window_until"]

    # 复核 by the city government, acting through the city petition bureau
    case = step(cast.city_officer, "reexam/request", status="reexam_requested", events=17)
    assert case["due_clock"] == "reexam_decision"
    case = step(
        cast.city_officer, "reexam", {"decision": "uphold", "reasons": "复查意见正确"}, status="final", events=18
    )
    assert case["final_on"]
    assert all(a["action"] == "record_delivery" for a in case["available_actions"])
    events = api_as(cast.city_officer).get(f"/api/v1/cases/{case['id']}/events").json()
    assert events[0]["action"] == "register" and events[-1]["to_status"] == "final"
    assert events[-1]["notice"] == "reexam" and events[-1]["document"]
    final_deadlines = api_as(cast.city_officer).get(f"/api/v1/cases/{case['id']}/deadlines").json()
    assert final_deadlines and all(d["status"] != "open" for d in final_deadlines)


def _post(api_as, user, case, path, body=None):
    response = api_as(user).post(f"/api/v1/cases/{case.pk}/{path}", body or {})
    assert response.status_code == 200, (path, response.json())
    return response.json()


def test_the_other_branches_run_through_the_api(cast, api_as):
    from xinfang.devdata.flow import Flow

    flow = Flow(cast)
    today = timezone.localdate().isoformat()

    # 退回 as misrouted, then 转送 elsewhere, 签收, 不予受理
    case = flow.assign(flow.register())
    assert _post(api_as, cast.dept_officer, case, "return", {"reason": "不属本单位职责"})["status"] == "registered"
    assert _post(api_as, cast.officer, case, "forward", {"to_org_id": cast.dept.pk})["status"] == "forwarded"
    assert _post(api_as, cast.dept_officer, case, "sign-for")["status"] == "to_decide"
    declined = _post(api_as, cast.dept_officer, case, "decline", {"reason": "已经人民法院受理"})
    assert declined["status"] == "declined" and declined["decline_reason"] == "已经人民法院受理"

    # 导入法定途径
    case = flow.sign_for(flow.forward(flow.register()))
    assert _post(api_as, cast.dept_officer, case, "redirect", {"channel": "litigation"})["status"] == "redirected"

    # 按重复件合并
    original = flow.register()
    repeat = flow.register()
    merged = _post(api_as, cast.officer, repeat, "merge", {"original_id": original.pk})
    assert merged["status"] == "merged" and merged["repeat_of"] == original.pk

    # handling steps, hearing pause, rejected extension, a handler change
    case = flow.handling()
    _post(
        api_as, cast.handler, case, "steps", {"kind": "investigation", "happened_on": today, "description": "实地核查"}
    )
    started = _post(api_as, cast.handler, case, "hearing/start", {"note": "组织听证"})
    assert started["hearing_open"] is True
    assert [d for d in started["deadlines"] if d["clock"] == "handling"][0]["paused"] is True
    assert _post(api_as, cast.handler, case, "hearing/end")["hearing_open"] is False
    _post(api_as, cast.handler, case, "extension/request", {"days": 10, "reason": "需要鉴定"})
    rejected = _post(api_as, cast.unit_head, case, "extension/reject", {"note": "期限内可办结"})
    assert rejected["extension_requested_days"] == 0 and rejected["extension_days"] == 0
    from xinfang.devdata.cast import make_user

    colleague = make_user("handler3", cast.dept, "handler")
    changed = _post(api_as, cast.unit_head, case, "assign-handler", {"handler_id": colleague.pk})
    assert changed["handler"]["id"] == colleague.pk
    # The unit head is not a 承办人 and is not named one (the form does not offer them either).
    refused = api_as(cast.unit_head).post(f"/api/v1/cases/{case.pk}/assign-handler", {"handler_id": cast.unit_head.pk})
    assert refused.status_code == 422
    assert refused.json() == {"code": "invalid", "message": "承办人须为主办单位的承办人", "field": "handler_id"}

    # 补办: the bureau sends a reported case back to the lead unit
    case = flow.deliver(flow.replied())
    _post(api_as, cast.handler, case, "report-back")
    sent_back = _post(api_as, cast.officer, case, "send-back", {"reason": "请补充送达回证"})
    assert sent_back["status"] == "handling" and sent_back["current_org"]["id"] == cast.dept.pk

    # a forwarded (not assigned) case is closed by the competent org itself
    case = flow.delivered(assign=False)
    assert _post(api_as, cast.handler, case, "close")["status"] == "closed"
