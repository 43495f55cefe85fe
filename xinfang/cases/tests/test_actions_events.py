"""Every action writes exactly one append-only CaseEvent, with the notice it produced."""

import pytest
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.models import CaseEvent


class Recorder:
    def __init__(self, case):
        self.case = case
        self.seen = CaseEvent.objects.filter(case=case).count()

    def step(self, action, fn, *, notice="", title=""):
        before = CaseEvent.objects.get(case=self.case, pk=CaseEvent.objects.filter(case=self.case).latest("pk").pk)
        from_status = self.case.__class__.objects.get(pk=self.case.pk).status
        case = fn()
        events = list(CaseEvent.objects.filter(case=case, pk__gt=before.pk))
        assert len(events) == 1, (action, events)
        e = events[0]
        assert e.action == action
        assert e.from_status == from_status and e.to_status == case.status
        assert e.actor is not None and e.actor_org_id == e.actor.org_id
        assert e.notice == notice
        if title:
            assert title in e.document and case.number in e.document
        else:
            assert notice == ""
        self.case = case
        return case


def test_the_full_lifecycle_writes_one_event_per_action_with_its_notice(cast, flow):
    c = cast
    case = flow.register()
    first = CaseEvent.objects.get(case=case)
    assert (first.action, first.from_status, first.to_status) == ("register", "", "registered")
    r = Recorder(case)
    r.step("assign", lambda: A.do_assign(r.case, actor=c.officer, lead_org=c.dept, co_orgs=[c.dept2]))
    assert "信访事项交办函" in CaseEvent.objects.filter(case=case, action="assign").get().document
    r.step("sign_for", lambda: A.do_sign_for(r.case, actor=c.dept_officer))
    r.step(
        "accept",
        lambda: A.do_accept(r.case, actor=c.dept_officer, handler=c.handler),
        notice="acceptance",
        title="受理告知书",
    )
    r.step(
        "record_step",
        lambda: A.do_record_step(
            r.case, actor=c.handler, kind="hearing", happened_on=timezone.localdate(), description="现场核查"
        ),
    )
    r.step("request_extension", lambda: A.do_request_extension(r.case, actor=c.handler, days=30, reason="需鉴定"))
    r.step(
        "approve_extension",
        lambda: A.do_approve_extension(r.case, actor=c.unit_head),
        notice="extension",
        title="延期办理告知书",
    )
    r.step("start_hearing", lambda: A.do_start_hearing(r.case, actor=c.handler))
    r.step("end_hearing", lambda: A.do_end_hearing(r.case, actor=c.handler))
    r.step("co_report", lambda: A.do_co_report(r.case, actor=c.handler2, report="已配合核查"))
    r.step(
        "draft_reply",
        lambda: A.do_draft_reply(
            r.case, actor=c.handler, request="请求", facts="事实", decision="explain", basis="依据"
        ),
    )
    r.step("reply", lambda: A.do_reply(r.case, actor=c.unit_head), notice="reply", title="处理意见书")
    r.step("record_delivery", lambda: flow.deliver(r.case))
    r.step("evaluate", lambda: A.do_evaluate(r.case, actor=c.handler, evaluation="unsatisfied"))
    r.step("report_back", lambda: A.do_report_back(r.case, actor=c.handler))
    r.step("confirm_closure", lambda: A.do_confirm_closure(r.case, actor=c.officer))
    r.step("request_review", lambda: A.do_request_review(r.case, actor=c.officer))
    r.step(
        "review",
        lambda: A.do_review(r.case, actor=c.officer, decision="uphold", reasons="事实清楚"),
        notice="review",
        title="复查意见书",
    )
    r.step("record_delivery", lambda: flow.deliver(r.case, notice="review", actor=c.officer))
    r.step("request_reexam", lambda: A.do_request_reexam(r.case, actor=c.city_officer))
    r.step(
        "reexamine",
        lambda: A.do_reexamine(r.case, actor=c.city_officer, decision="uphold", reasons="正确"),
        notice="reexam",
        title="复核意见书",
    )
    assert r.case.status == "final"
    assert r.case.events.count() == 21


def test_decline_and_redirect_write_their_notice(cast, flow):
    a = flow.sign_for(flow.forward(flow.register()))
    r = Recorder(a)
    r.step(
        "decline",
        lambda: A.do_decline(a, actor=cast.dept_officer, reason="已经依法处理完毕"),
        notice="decline",
        title="不予受理告知书",
    )
    assert "已经依法处理完毕" in a.events.get(action="decline").document
    b = flow.sign_for(flow.forward(flow.register()))
    r = Recorder(b)
    r.step(
        "redirect",
        lambda: A.do_redirect(b, actor=cast.dept_officer, channel="admin_review"),
        notice="redirect",
        title="导入法定途径告知书",
    )
    assert "行政复议" in b.events.get(action="redirect").document


def test_merge_return_send_back_and_close_write_one_event(cast, flow):
    original = flow.register()
    dup = flow.register()
    Recorder(dup).step("merge_as_repeat", lambda: A.do_merge_as_repeat(dup, actor=cast.officer, original=original))
    dup.refresh_from_db()
    assert dup.repeat_of == original and dup.due_date is None
    case = flow.forward(flow.register())
    Recorder(case).step("return", lambda: A.do_return(case, actor=cast.dept_officer, reason="不属我局职责"))
    case = flow.deliver(flow.replied(assign=False))
    Recorder(case).step("close", lambda: A.do_close(case, actor=cast.unit_head))


def test_merging_into_an_ended_case_or_itself_is_invalid(cast, flow):
    from xinfang.cases.errors import Invalid

    case = flow.register()
    with pytest.raises(Invalid):
        A.do_merge_as_repeat(case, actor=cast.officer, original=case)
    ended = flow.sign_for(flow.forward(flow.register()))
    ended = A.do_decline(ended, actor=cast.dept_officer, reason="理由")
    with pytest.raises(Invalid):
        A.do_merge_as_repeat(case, actor=cast.officer, original=ended)


def test_case_events_are_append_only(cast, flow):
    case = flow.register()
    event = case.events.get()
    event.note = "改写历史"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert case.events.get().note == ""


def test_a_refused_action_writes_no_event_and_changes_nothing(cast, flow):
    from xinfang.cases.errors import NotAllowed

    case = flow.register()
    with pytest.raises(NotAllowed):
        A.do_assign(case, actor=cast.registrar, lead_org=cast.dept)
    case.refresh_from_db()
    assert case.events.count() == 1 and case.status == "registered" and case.version == 1


def test_a_delivery_needs_the_notice_to_exist_and_is_recorded_once(cast, flow):
    from xinfang.cases.errors import Invalid

    case = flow.handling()
    with pytest.raises(Invalid):
        flow.deliver(case, notice="reply")  # no reply yet
    case = flow.deliver(case, notice="acceptance")
    with pytest.raises(Invalid):
        flow.deliver(case, notice="acceptance")
    assert case.deliveries.count() == 1


def test_a_postal_delivery_keeps_its_tracking_number_in_the_record_and_the_history(cast, flow):
    from xinfang.cases.errors import Invalid

    case = flow.handling()
    with pytest.raises(Invalid) as refused:
        A.do_record_delivery(
            case,
            actor=cast.dept_officer,
            notice="acceptance",
            method="in_person",
            delivered_at=timezone.now(),
            tracking_number="XA123456789CN",
        )
    assert refused.value.message == "只有邮寄送达需要填写邮件号"
    case = A.do_record_delivery(
        case,
        actor=cast.dept_officer,
        notice="acceptance",
        method="post",
        delivered_at=timezone.now(),
        tracking_number=" XA123456789CN ",
    )
    (d,) = case.deliveries.all()
    assert (d.tracking_number, d.recorded_by, d.recorded_by_petitioner) == ("XA123456789CN", cast.dept_officer, None)
    assert case.events.latest("seq").note.endswith("，邮件号XA123456789CN")


@pytest.mark.parametrize(
    ("method", "message"), [("in_person", "直接送达须填写签收人"), ("lodged", "留置送达须填写受送达人")]
)
def test_a_delivery_by_hand_needs_the_name_of_who_received_it(cast, flow, method, message):
    from xinfang.cases.errors import Invalid

    case = flow.handling()
    with pytest.raises(Invalid) as refused:
        A.do_record_delivery(
            case,
            actor=cast.dept_officer,
            notice="acceptance",
            method=method,
            delivered_at=timezone.now(),
            recipient=" ",
        )
    assert (refused.value.message, refused.value.field) == (message, "recipient")
    assert not case.deliveries.exists()
    case = A.do_record_delivery(
        case, actor=cast.dept_officer, notice="acceptance", method=method, delivered_at=timezone.now(), recipient="张三"
    )
    assert case.deliveries.get().recipient == "张三"


def test_a_petitioner_confirming_receipt_is_an_electronic_delivery_at_that_moment(cast, flow):
    from xinfang.cases.errors import NotAllowed
    from xinfang.orgs.actors import Actor

    case = flow.replied()
    petitioner = case.case_petitioners.get().petitioner
    me = Actor.petitioner(petitioner)
    case = A.do_record_delivery(
        case, actor=me, notice="reply", method="in_person", delivered_at=timezone.now(), recipient="别人"
    )
    d = case.deliveries.get(notice="reply")
    assert (d.method, d.recipient, d.recorded_by, d.recorded_by_petitioner) == (
        "electronic",
        petitioner.name,
        None,
        petitioner,
    )
    assert case.reply_delivered_on is not None
    e = case.events.latest("seq")
    assert (e.action, e.actor_kind, e.actor_petitioner) == ("record_delivery", "petitioner", petitioner)
    A.do_record_delivery(case, actor=me, notice="acceptance", method="electronic", delivered_at=timezone.now())
    with pytest.raises(NotAllowed) as refused:
        A.do_record_delivery(case, actor=me, notice="acceptance", method="electronic", delivered_at=timezone.now())
    assert str(refused.value) == "没有待确认收到的文书"
