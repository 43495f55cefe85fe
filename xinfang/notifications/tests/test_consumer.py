"""Case events become notifications through the outbox: consent, the statutory notices, routing."""

import json

import pytest

from xinfang.cases import outbox
from xinfang.devdata.flow import make_petitioner
from xinfang.notifications.delivery import deliver_all
from xinfang.notifications.models import Delivery, Notification, SmsConsent

pytestmark = pytest.mark.django_db


def drain():
    return outbox.drain("notifications").done


def test_registration_records_the_sms_consent_of_the_petitioners_who_gave_it(cast, flow):
    yes = make_petitioner(cast.registrar, name="李四")
    no = make_petitioner(cast.registrar, name="王五")
    case = flow.register(petitioners=[(yes, True), (no, False)], sms_consent=[yes.pk])
    assert case.events.get().data["sms_consent"] == [yes.pk]  # in the history itself
    drain()
    assert list(SmsConsent.objects.values_list("case_id", "petitioner_id", "consented")) == [(case.pk, yes.pk, True)]


def test_acceptance_is_told_by_sms_to_the_consenting_petitioner_only(cast, flow, sms_file):
    yes = make_petitioner(cast.registrar, name="李四", phones=["13812340001"])
    no = make_petitioner(cast.registrar, name="王五", phones=["13812340002"])
    case = flow.accept(
        flow.sign_for(flow.assign(flow.register(petitioners=[(yes, True), (no, False)], sms_consent=[yes.pk])))
    )
    drain()
    assert Notification.objects.filter(petitioner__isnull=False).count() == 2  # both are owed the notice
    assert deliver_all().sent == 1
    (line,) = sms_file.read_text().splitlines()
    record = json.loads(line)
    assert record["to"] == "138****0001"
    assert record["text"] == (
        f"【清河县自然资源局】您提出的信访事项（编号{case.number}）已受理，我们将依法办理并书面答复，受理告知书将依法送达。"
    )
    drain()
    assert Delivery.objects.count() == 1  # drained again: nothing sent twice


def test_the_routed_unit_s_officers_are_told_in_their_inbox(cast, flow):
    case = flow.assign(flow.register())
    drain()
    (note,) = Notification.objects.filter(user__isnull=False)
    assert note.user == cast.dept_officer
    assert note.title == f"清河县信访局交办信访件{case.number}，请及时签收"
    assert note.url == f"/cases/{case.pk}/"


def test_a_case_that_moved_on_before_the_drain_tells_nobody_it_is_waiting(cast, flow):
    flow.sign_for(flow.assign(flow.register()))
    drain()
    assert not Notification.objects.filter(kind__code="case.routed").exists()


def test_the_handler_is_told_when_named(cast, flow):
    case = flow.accept(flow.sign_for(flow.assign(flow.register())))
    drain()
    assert Notification.objects.get(kind__code="case.handler").user == cast.handler
    assert Notification.objects.get(kind__code="case.handler").title == f"您被指定为信访件{case.number}的承办人"


def test_a_handler_named_after_an_acceptance_without_one_is_told_once(cast, flow):
    from xinfang.cases.actions import do_accept, do_assign_handler

    case = do_accept(flow.sign_for(flow.assign(flow.register())), actor=cast.dept_officer, handler=None)
    do_assign_handler(case, actor=cast.dept_officer, handler=cast.handler)
    drain()
    told = Notification.objects.filter(kind__code="case.handler")
    assert [n.user for n in told] == [cast.handler]


def test_a_handler_replaced_before_the_drain_is_not_told_of_the_case(cast, flow):
    from xinfang.cases.actions import do_assign_handler
    from xinfang.devdata.cast import make_user

    other = make_user("dept_handler_b", cast.dept, "handler", full_name="郑二")
    case = flow.accept(flow.sign_for(flow.assign(flow.register())))
    do_assign_handler(case, actor=cast.dept_officer, handler=other)
    drain()
    told = Notification.objects.filter(kind__code="case.handler")
    assert [n.user for n in told] == [other]


def test_old_history_notifies_no_one_but_keeps_its_consent(cast, flow, clock, settings):
    p = make_petitioner(cast.registrar)
    flow.assign(flow.register(petitioners=[(p, True)], sms_consent=[p.pk]))
    clock.advance(days=settings.NOTIFY_EVENT_MAX_AGE_DAYS + 1)
    drain()
    assert not Notification.objects.exists()
    assert SmsConsent.objects.filter(petitioner=p).exists()


def test_an_accusation_never_tells_the_accused_person(cast, flow):
    from xinfang.cases.states import Kind

    case = flow.register(kind=Kind.ACCUSATION, accused_user=cast.dept_officer)
    case = flow.assign(case, lead=cast.dept2)
    drain()
    assert not Notification.objects.filter(user=cast.dept_officer).exists()
    assert case.current_org == cast.dept2
