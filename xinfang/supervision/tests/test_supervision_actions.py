"""督办: opening, reporting, concluding, continuing and escalating, each with its rule and message."""

from datetime import timedelta

import pytest
from django.http import Http404

from xinfang.cases.access import scoped_cases
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.events import chain_break
from xinfang.cases.models import CaseOrg
from xinfang.core import clock
from xinfang.notifications.models import Notification
from xinfang.supervision.actions import (
    do_conclude_supervision,
    do_continue_supervision,
    do_escalate_supervision,
    do_open_supervision,
    do_report_supervision,
)
from xinfang.supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


def open_item(case, actor, **kw):
    kw.setdefault("kind", "listed")
    kw.setdefault("reason", "群众反映强烈，挂牌督办")
    kw.setdefault("due_on", clock.today() + timedelta(days=15))
    kw.setdefault("report_every_days", 7)
    return do_open_supervision(case, actor=actor, **kw)


def recipients(kind):
    return set(Notification.objects.filter(kind__code=kind).values_list("user__username", flat=True))


def test_the_supervisor_opens_a_listed_supervision_on_a_case_held_by_a_department(cast, flow):
    case = flow.handling()
    version = case.version
    item = open_item(case, cast.supervisor)
    assert (item.owed_by_org, item.issued_org, item.issued_by) == (cast.dept, cast.bureau, cast.supervisor)
    assert item.status == "open" and item.version == 1
    assert item.next_report_on == clock.today() + timedelta(days=7)
    case.refresh_from_db()
    assert case.version == version + 1
    event = case.events.order_by("-seq").first()
    assert (event.action, event.get_action_display()) == ("supervision_open", "开展督办")
    assert event.data["item"] == item.pk
    assert chain_break(case.events.all(), version=case.version) is None
    # The supervised unit's officer, head and the handler are told; not the supervisor.
    assert recipients("supervision.opened") == {"dept_officer", "unit_head", "handler"}
    title = Notification.objects.filter(kind__code="supervision.opened").first().title
    assert title == f"清河县信访局对信访件{case.number}挂牌督办，请于{item.due_on:%Y-%m-%d}前办结"


def test_a_leader_may_open_supervision(cast, flow):
    item = open_item(flow.handling(), cast.leader)
    assert item.issued_org == cast.county


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("handler", "只有督查员、领导或同级以上信访部门可以开展督办"),
        ("dept_officer", "只有督查员、领导或同级以上信访部门可以开展督办"),
        ("registrar", "只有督查员、领导或同级以上信访部门可以开展督办"),
    ],
)
def test_others_may_not_open_supervision(cast, flow, who, message):
    case = flow.handling()
    with pytest.raises(NotAllowed) as err:
        open_item(case, getattr(cast, who))
    assert err.value.message == message
    assert not SupervisionItem.objects.exists()


def test_a_petition_bureau_at_the_same_level_may_open_supervision(cast, flow):
    item = open_item(flow.handling(), cast.officer)
    assert item.issued_org == cast.bureau


def test_no_one_supervises_their_own_unit(cast, flow):
    case = flow.register()  # still at the county bureau
    with pytest.raises(NotAllowed) as err:
        open_item(case, cast.supervisor)
    assert err.value.message == "该信访件由本单位办理，不能督办本单位"


def test_an_ended_case_is_not_supervised(cast, flow):
    case = flow.closed()
    with pytest.raises(NotAllowed) as err:
        open_item(case, cast.supervisor)
    assert err.value.message == "信访件已办结，不能再开展督办"


def test_the_other_county_gets_a_404(cast, flow):
    case = flow.handling()
    with pytest.raises(Http404):
        open_item(case, cast.other_officer)
    item = open_item(case, cast.supervisor)
    with pytest.raises(Http404):
        do_conclude_supervision(case, item.pk, actor=cast.other_officer)
    with pytest.raises(Http404):
        do_report_supervision(case, item.pk, actor=cast.other_officer, kind="progress", text="x")


def test_an_item_of_another_case_is_a_404(cast, flow):
    item = open_item(flow.handling(), cast.supervisor)
    other = flow.handling()
    with pytest.raises(Http404):
        do_conclude_supervision(other, item.pk, actor=cast.supervisor)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_on": "yesterday"}, "due_on", "办结期限不能早于今天"),
        ({"reason": "  "}, "reason", "请填写督办事由"),
        ({"kind": "phone"}, "kind", "请选择督办方式"),
        ({"report_every_days": 200}, "report_every_days", "反馈周期须在1至90日之间"),
    ],
)
def test_the_input_is_checked(cast, flow, changes, field, message):
    case = flow.handling()
    if changes.get("due_on") == "yesterday":
        changes["due_on"] = clock.today() - timedelta(days=1)
    with pytest.raises(Invalid) as err:
        open_item(case, cast.supervisor, **changes)
    assert (err.value.field, err.value.message) == (field, message)


def test_the_supervised_unit_reports_progress_and_the_next_report_moves(cast, flow, clock):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    clock.advance(days=5)
    report = do_report_supervision(case, item.pk, actor=cast.handler, kind="progress", text="已约谈信访人，正在核实")
    item.refresh_from_db()
    assert report.org == cast.dept
    assert item.next_report_on == clock.today() + timedelta(days=7)
    assert item.version == 2  # a tracked date moved: reminders are keyed afresh
    assert recipients("supervision.reported") == {"supervisor"}
    event = case.events.order_by("-seq").first()
    assert (event.get_action_display(), event.note) == ("督办反馈", "进展情况：已约谈信访人，正在核实")


def test_the_final_result_stops_the_progress_reports(cast, flow):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    do_report_supervision(case, item.pk, actor=cast.unit_head, kind="final", text="已答复信访人")
    item.refresh_from_db()
    assert item.next_report_on is None and item.status == "open"


@pytest.mark.parametrize("who", ["handler2", "supervisor", "officer"])
def test_only_the_supervised_unit_reports(cast, flow, who):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    with pytest.raises((NotAllowed, Http404)) as err:
        do_report_supervision(case, item.pk, actor=getattr(cast, who), kind="progress", text="x")
    if err.type is NotAllowed:
        assert err.value.message == "只有被督办单位的受理交办员、承办人或单位负责人可以反馈督办情况"


def test_the_supervisor_concludes_and_then_nothing_more_is_reported(cast, flow, clock):
    clock.set(clock.now())
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    with pytest.raises(NotAllowed) as err:
        do_conclude_supervision(case, item.pk, actor=cast.unit_head)
    assert err.value.message == "只有督办单位可以办结、继续督办或提级督办"
    item = do_conclude_supervision(case, item.pk, actor=cast.supervisor, outcome="已按期办结")
    assert item.status == "concluded" and item.closed_at == clock.now()
    with pytest.raises(NotAllowed) as err:
        do_report_supervision(case, item.pk, actor=cast.handler, kind="progress", text="x")
    assert err.value.message == "督办事项已办结，不能再反馈"
    assert case.events.order_by("-seq").first().get_action_display() == "督办办结"


def test_continuing_sets_a_new_due_date_and_a_new_version(cast, flow):
    case = flow.handling()
    item = open_item(case, cast.supervisor)
    new_due = item.due_on + timedelta(days=10)
    item = do_continue_supervision(case, item.pk, actor=cast.supervisor, due_on=new_due, note="请加快办理")
    assert (item.due_on, item.version, item.status) == (new_due, 2, "open")
    with pytest.raises(Invalid) as err:
        do_continue_supervision(case, item.pk, actor=cast.supervisor, due_on=new_due)
    assert err.value.message == "新的办结期限与原期限相同"
    assert recipients("supervision.continued") == {"dept_officer", "unit_head", "handler"}


def test_escalating_hands_the_item_to_the_city_bureau(cast, flow):
    case = flow.handling()
    assert not scoped_cases(cast.city_officer).filter(pk=case.pk).exists()
    item = open_item(case, cast.supervisor)
    new = do_escalate_supervision(case, item.pk, actor=cast.supervisor, note="逾期未办结")
    item.refresh_from_db()
    assert item.status == "escalated" and new.escalated_from == item
    assert (new.issued_org, new.owed_by_org, new.status) == (cast.city_bureau, cast.dept, "open")
    # The city bureau now takes part in the case as its supervisor, and sees it.
    assert CaseOrg.objects.filter(case=case, org=cast.city_bureau, role="supervising").exists()
    assert scoped_cases(cast.city_officer).filter(pk=case.pk).exists()
    assert "city_officer" in recipients("supervision.opened")
    # The city bureau has no higher level in the cast's tree.
    with pytest.raises(NotAllowed) as err:
        do_escalate_supervision(case, new.pk, actor=cast.city_officer)
    assert err.value.message == "没有上一级信访部门，不能提级督办"
    assert case.events.filter(action="supervision_escalate").get().note == "提请示例市信访局督办：逾期未办结"
