"""The case page's 督办催办 section, its forms, the timeline labels, the workbench tabs and /supervision/."""

from datetime import timedelta

import pytest

from xinfang.cases import workbench as wb
from xinfang.cases.states import TrackedAction
from xinfang.core import clock
from xinfang.supervision.actions import do_issue_urging, do_open_supervision, do_record_instruction
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


def due(days=15):
    return (clock.today() + timedelta(days=days)).isoformat()


def open_item(case, actor):
    return do_open_supervision(
        case, actor=actor, kind="listed", reason="挂牌督办", due_on=clock.today() + timedelta(days=15)
    )


def test_the_supervisor_opens_a_supervision_from_the_case_page(cast, flow, login):
    case = flow.handling()
    client = login(cast.supervisor)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "督办催办" in page and "开展督办" in page
    response = client.post(
        f"/supervision/cases/{case.pk}/open/",
        {"kind": "listed", "reason": "群众反映强烈", "due_on": due(), "report_every_days": "7"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    item = SupervisionItem.objects.get(case=case)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已开展督办" in page  # the message
    assert "挂牌督办" in page and "督办中" in page and "群众反映强烈" in page
    assert f"/supervision/cases/{case.pk}/conclude/{item.pk}/" in page


def test_the_timeline_shows_the_chinese_labels(cast, flow, login):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    do_issue_urging(case, actor=cast.officer, subject="请按期办结", reply_by=clock.today() + timedelta(days=3))
    do_record_instruction(
        case, actor=cast.leader, text="请依法处理", to_org=cast.dept, commit_by=clock.today() + timedelta(days=7)
    )
    page = login(cast.supervisor).get(f"/cases/{case.pk}/").content.decode()
    for label in ("开展督办", "发出催办单", "领导批示"):
        assert f"<strong>{label}</strong>" in page
    assert "supervision_open" not in page
    assert item.case.events.filter(action=TrackedAction.SUPERVISION_OPEN).count() == 1
    assert "本件办理记录的完整性校验未通过" not in page


def test_the_unit_sees_the_report_form_but_not_the_supervisors(cast, flow, login):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    page = login(cast.handler).get(f"/cases/{case.pk}/").content.decode()
    assert f"/supervision/cases/{case.pk}/report/{item.pk}/" in page
    assert f"/supervision/cases/{case.pk}/conclude/{item.pk}/" not in page
    assert "开展督办</summary>" not in page


def test_a_refusal_shows_the_form_again_with_the_reason(cast, flow, login):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    client = login(cast.unit_head)
    response = client.post(f"/supervision/cases/{case.pk}/conclude/{item.pk}/", {"outcome": "办完了"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "只有督办单位可以办结、继续督办或提级督办" in page and "办完了" in page
    response = client.post(f"/supervision/cases/{case.pk}/report/{item.pk}/", {"kind": "progress", "text": ""})
    assert response.status_code == 422


def test_a_date_in_the_past_is_shown_at_its_field(cast, flow, login):
    case = flow.handling()
    response = login(cast.supervisor).post(
        f"/supervision/cases/{case.pk}/open/",
        {"kind": "filed", "reason": "督办", "due_on": (clock.today() - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert "办结期限不能早于今天" in response.content.decode()


def test_the_other_county_gets_a_404(cast, flow, login):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    client = login(cast.other_officer)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/supervision/cases/{case.pk}/open/", {"kind": "filed"}).status_code == 404
    assert client.post(f"/supervision/cases/{case.pk}/conclude/{item.pk}/", {}).status_code == 404
    assert "挂牌督办" not in client.get("/supervision/?show=owed").content.decode()


def test_an_unknown_verb_or_item_is_a_404(cast, flow, login):
    case = flow.handling()
    client = login(cast.supervisor)
    assert client.post(f"/supervision/cases/{case.pk}/explode/", {}).status_code == 404
    assert client.post(f"/supervision/cases/{case.pk}/conclude/999999/", {}).status_code == 404
    assert client.post(f"/supervision/cases/{case.pk}/conclude/", {}).status_code == 404


def test_the_workbench_tabs(cast, flow, login):
    case = flow.handling()
    open_item(case, cast.supervisor)
    do_issue_urging(case, actor=cast.officer, subject="请按期办结", reply_by=clock.today() + timedelta(days=3))
    do_record_instruction(
        case, actor=cast.leader, text="请依法处理", to_org=cast.dept, commit_by=clock.today() + timedelta(days=7)
    )
    assert wb.counts(cast.supervisor)["supervision"] == 1
    counts = wb.counts(cast.dept_officer)
    assert (counts["supervision"], counts["urging"], counts["instructions"]) == (1, 1, 1)
    assert wb.counts(cast.other_officer)["supervision"] == 0
    assert "supervision" not in wb.counts(cast.nobody)
    page = login(cast.dept_officer).get("/cases/?tab=urging").content.decode()
    assert "待答复催办" in page and case.number in page
    page = login(cast.other_officer).get("/cases/?tab=urging").content.decode()
    assert case.number not in page


def test_urging_is_proposed_when_a_deadline_is_near(cast, flow, login, clock):
    case = flow.handling()
    deadline = case.due_date
    clock.set(deadline - timedelta(days=2))
    assert wb.counts(cast.officer).get("propose_urging") == 1
    page = login(cast.officer).get(f"/cases/{case.pk}/").content.decode()
    assert "建议催办" in page and "还有2日" in page
    (d,) = [p for p in page.split('name="deadline" value="')[1:2]]
    deadline_id = d.split('"')[0]
    response = login(cast.officer).post(
        f"/supervision/cases/{case.pk}/urge/",
        {"deadline": deadline_id, "subject": "办理期限将满", "reply_by": clock.today().isoformat()},
    )
    assert response.status_code == 302
    assert wb.counts(cast.officer).get("propose_urging") == 0  # a slip is open for that deadline
    assert "还有2日" not in login(cast.officer).get(f"/cases/{case.pk}/").content.decode()


def test_the_petitioner_s_own_window_is_never_proposed_for_urging(cast, flow, login, clock):
    case = flow.delivered()
    window = case.window_until
    assert window is not None and case.due_date is None  # only the petitioner's 复查申请期 runs
    clock.set(window - timedelta(days=1))
    assert wb.counts(cast.officer).get("propose_urging") == 0
    page = login(cast.officer).get(f"/cases/{case.pk}/").content.decode()
    assert "复查申请期将于" not in page and 'name="deadline" value="' not in page


def test_the_list_of_items(cast, flow, login, clock):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    client = login(cast.supervisor)
    assert case.number in client.get("/supervision/").content.decode()
    assert case.number not in client.get("/supervision/?show=overdue").content.decode()
    clock.set(item.due_on + timedelta(days=1))
    assert case.number in client.get("/supervision/?show=overdue").content.decode()
    assert case.number in login(cast.dept_officer).get("/supervision/?show=owed").content.decode()


def test_the_tabs_list_only_cases_with_something_to_do(cast, flow, clock):
    from dataclasses import fields

    from xinfang.orgs.models import User
    from xinfang.supervision.panel import available

    case = flow.handling(co=True)
    open_item(case, cast.supervisor)
    do_issue_urging(case, actor=cast.officer, subject="请按期办结", reply_by=clock.today() + timedelta(days=3))
    other = flow.handling()
    clock.set(other.due_date - timedelta(days=1))  # both cases' deadlines near: 建议催办
    users = [getattr(cast, f.name) for f in fields(cast) if isinstance(getattr(cast, f.name), User)]
    listed = 0
    for user in users:
        for key in ("supervision", "urging", "instructions", "propose_urging"):
            for listed_case in wb.tab_queryset(user, key) if key in wb.tab_filters(user) else []:
                listed += 1
                assert available(user, listed_case), f"{user.username} {key} {listed_case.number}"
    assert listed >= 5


def test_a_suggestion_to_urge_has_its_own_count_but_is_not_work_owed(cast, flow, clock):
    case = flow.handling()
    clock.set(case.due_date - timedelta(days=2))
    counts = wb.counts(cast.officer)
    assert (counts["propose_urging"], counts["todo"]) == (1, 0)
    assert wb.todo_count(cast.officer) == 0
    assert case.pk not in set(wb.tab_queryset(cast.officer, "all").values_list("pk", flat=True))
    assert case.pk in set(wb.tab_queryset(cast.officer, "propose_urging").values_list("pk", flat=True))


def test_the_list_of_items_comes_in_pages_of_fifty_by_due_date(cast, flow, login):
    from xinfang.supervision.views import PAGE_SIZE

    case = flow.handling()
    for days in range(PAGE_SIZE + 1):  # one more than a page, each due a day later
        do_open_supervision(
            case, actor=cast.supervisor, kind="letter", reason=f"第{days}件", due_on=clock.today() + timedelta(days)
        )
    client = login(cast.supervisor)
    first = client.get("/supervision/").content.decode()
    assert f"本单位督办的：共 {PAGE_SIZE + 1} 项，按办结期限排列。" in first
    assert "第 1 / 2 页" in first and 'href="?page=2"' in first
    last = (clock.today() + timedelta(days=PAGE_SIZE)).isoformat()
    assert last not in first
    second = client.get("/supervision/?show=mine&page=2").content.decode()
    assert "第 2 / 2 页" in second and second.count("发函督办</td>") == 1 and last in second
    other = login(cast.other_officer).get("/supervision/").content.decode()
    assert "本单位督办的：共 0 项" in other and case.number not in other
