"""催办单 and 领导批示: issuing, answering, reporting back, closing, each with its rule and message."""

from datetime import timedelta

import pytest
from django.http import Http404

from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.core import clock
from xinfang.notifications.models import Notification
from xinfang.supervision.actions import (
    do_answer_urging,
    do_close_instruction,
    do_issue_urging,
    do_record_instruction,
    do_report_instruction,
    do_withdraw_urging,
)

pytestmark = pytest.mark.django_db


def recipients(kind):
    return set(Notification.objects.filter(kind__code=kind).values_list("user__username", flat=True))


def urge(case, actor, **kw):
    kw.setdefault("subject", "办理期限将满，请抓紧办理")
    kw.setdefault("reply_by", clock.today() + timedelta(days=3))
    return do_issue_urging(case, actor=actor, **kw)


def test_the_bureau_urges_the_holding_unit_which_answers(cast, flow):
    case = flow.handling()
    slip = urge(case, cast.officer)
    assert (slip.owed_by_org, slip.issued_org, slip.target, slip.status) == (cast.dept, cast.bureau, "holding", "open")
    assert recipients("urging.issued") == {"dept_officer", "unit_head", "handler"}
    assert case.events.order_by("-seq").first().get_action_display() == "发出催办单"
    slip = do_answer_urging(case, slip.pk, actor=cast.handler, reply="已约谈信访人，本周内答复")
    assert (slip.status, slip.replied_by) == ("answered", cast.handler)
    assert recipients("urging.answered") == {"officer"}
    with pytest.raises(NotAllowed) as err:
        do_answer_urging(case, slip.pk, actor=cast.handler, reply="再次答复")
    assert err.value.message == "催办单已答复，不能再答复"


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("registrar", "只有受理交办员或督查员可以发出催办单"),
        ("dept_officer", "该信访件由本单位办理，不能向本单位发出催办单"),
    ],
)
def test_who_may_not_urge(cast, flow, who, message):
    case = flow.handling()
    with pytest.raises(NotAllowed) as err:
        urge(case, getattr(cast, who))
    assert err.value.message == message


def test_only_the_urged_unit_answers_and_only_the_issuer_withdraws(cast, flow):
    case = flow.handling()
    slip = urge(case, cast.supervisor)
    with pytest.raises(NotAllowed) as err:
        do_answer_urging(case, slip.pk, actor=cast.officer, reply="x")
    assert err.value.message == "只有被催办单位的受理交办员、承办人或单位负责人可以答复催办"
    with pytest.raises(NotAllowed) as err:
        do_withdraw_urging(case, slip.pk, actor=cast.dept_officer)
    assert err.value.message == "只有发出催办单的单位可以撤回"
    assert do_withdraw_urging(case, slip.pk, actor=cast.officer, note="已办结").status == "withdrawn"


def test_a_reply_date_in_the_past_and_an_empty_subject_are_refused(cast, flow):
    case = flow.handling()
    with pytest.raises(Invalid) as err:
        urge(case, cast.officer, reply_by=clock.today() - timedelta(days=1))
    assert (err.value.field, err.value.message) == ("reply_by", "答复期限不能早于今天")
    with pytest.raises(Invalid) as err:
        urge(case, cast.officer, subject="")
    assert err.value.message == "请填写催办事项"


def test_the_other_county_gets_a_404(cast, flow):
    case = flow.handling()
    with pytest.raises(Http404):
        urge(case, cast.other_officer)
    slip = urge(case, cast.officer)
    with pytest.raises(Http404):
        do_answer_urging(case, slip.pk, actor=cast.other_officer, reply="x")


def test_the_lead_unit_urges_its_co_unit_for_its_feedback(cast, flow):
    case = flow.handling(co=True)
    slip = urge(case, cast.handler, target="co_feedback", co_org=cast.dept2, subject="请反馈协办情况")
    assert (slip.owed_by_org, slip.issued_org) == (cast.dept2, cast.dept)
    assert recipients("urging.issued") == {"handler2"}
    assert do_answer_urging(case, slip.pk, actor=cast.handler2, reply="已反馈").status == "answered"


def test_only_the_lead_unit_urges_a_co_unit_and_only_a_co_unit(cast, flow):
    case = flow.handling(co=True)
    with pytest.raises(NotAllowed) as err:
        urge(case, cast.officer, target="co_feedback", co_org=cast.dept2)
    assert err.value.message == "只有主办单位可以催促协办单位反馈"
    with pytest.raises(Invalid) as err:
        urge(case, cast.handler, target="co_feedback", co_org=cast.township)
    assert err.value.message == "请选择本件的协办单位"


def test_a_co_unit_that_reported_is_not_urged(cast, flow):
    case = flow.co_report(flow.handling(co=True))
    with pytest.raises(Invalid) as err:
        urge(case, cast.handler, target="co_feedback", co_org=cast.dept2)
    assert err.value.message == "清河县住房和城乡建设局已反馈协办情况"


# --- instructions -----------------------------------------------------------------------------


def instruct(case, actor, **kw):
    kw.setdefault("text", "请自然资源局依法依规妥善处理，一周内报结果")
    kw.setdefault("to_org", None)
    kw.setdefault("commit_by", clock.today() + timedelta(days=7))
    return do_record_instruction(case, actor=actor, **kw)


def test_the_leader_instructs_the_unit_reports_back_and_the_leader_closes(cast, flow):
    case = flow.handling()
    instruction = instruct(case, cast.leader, to_org=cast.dept, to_user=cast.unit_head)
    assert (instruction.to_org, instruction.issued_by, instruction.status) == (cast.dept, cast.leader, "open")
    assert recipients("instruction.recorded") == {"unit_head", "dept_officer", "handler"}
    assert case.events.order_by("-seq").first().get_action_display() == "领导批示"
    instruction = do_report_instruction(case, instruction.pk, actor=cast.unit_head, report="已落实，已答复信访人")
    assert instruction.status == "reported"
    assert recipients("instruction.reported") == {"leader"}
    with pytest.raises(NotAllowed) as err:
        do_close_instruction(case, instruction.pk, actor=cast.supervisor)
    assert err.value.message == "只有作出批示的领导可以办结批示"
    assert do_close_instruction(case, instruction.pk, actor=cast.leader).status == "closed"
    labels = list(case.events.order_by("seq").values_list("action", flat=True))[-3:]
    assert labels == ["instruction_record", "instruction_report", "instruction_close"]


def test_only_a_leader_instructs(cast, flow):
    with pytest.raises(NotAllowed) as err:
        instruct(flow.handling(), cast.supervisor, to_org=cast.dept)
    assert err.value.message == "只有领导可以作出批示"


@pytest.mark.parametrize(
    ("to", "user", "message"),
    [
        ("other_dept", None, "只能批示本级及下级单位落实"),
        (None, None, "请选择落实单位"),
        ("dept", "handler2", "落实责任人须为被批示单位的工作人员"),
    ],
)
def test_the_instructed_unit_and_person_are_checked(cast, flow, to, user, message):
    case = flow.handling()
    with pytest.raises(Invalid) as err:
        instruct(
            case, cast.leader, to_org=getattr(cast, to) if to else None, to_user=getattr(cast, user) if user else None
        )
    assert err.value.message == message


def test_only_the_instructed_unit_reports(cast, flow):
    case = flow.handling()
    instruction = instruct(case, cast.leader, to_org=cast.dept)
    with pytest.raises(NotAllowed) as err:
        do_report_instruction(case, instruction.pk, actor=cast.officer, report="x")
    assert err.value.message == "只有被批示单位的受理交办员、承办人、单位负责人或落实责任人可以报告落实情况"
    with pytest.raises(Http404):
        do_report_instruction(case, instruction.pk, actor=cast.other_officer, report="x")
