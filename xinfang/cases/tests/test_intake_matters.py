"""Registration sees the same person's other matters, and never strands an accusation.

The same person is found by the keyed hash of the ID number across the
registering government's area; "lower level" (art 19(3)) is decided by the
org tree; a final matter is not accepted again (art 36(3)); an accusation
against the registering unit or one above it goes to a body that may handle it.
"""

import pytest

from xinfang.cases import actions as A
from xinfang.cases.access import access_case, scoped_cases
from xinfang.cases.actions import intake_warnings
from xinfang.cases.errors import NotAllowed
from xinfang.cases.spec import available_actions
from xinfang.cases.states import Kind, Status
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import make_petitioner, register, valid_id_number
from xinfang.orgs.actors import ActorKind

pytestmark = pytest.mark.django_db


def codes(warnings):
    return [w.code for w in warnings]


def test_the_county_bureau_is_told_when_the_township_already_accepted_the_matter(cast):
    township_officer = make_user("township_officer", cast.township, "petition_officer", "registrar")
    number = valid_id_number()
    theirs = make_petitioner(township_officer, name="赵一", id_number=number)
    held = A.do_accept(register(township_officer, petitioners=[(theirs, True)]), actor=township_officer)
    assert held.status == Status.HANDLING
    # The same person reaches the county bureau; the bureau's record of them is another row.
    ours = make_petitioner(cast.registrar, name="赵一", id_number=number)
    (warning,) = intake_warnings(cast.registrar, petitioner_ids=[ours.pk])
    assert warning.code == "accepted_below" and warning.offers == ["decline"]
    assert warning.message.startswith("该信访人在清河县东岗镇人民政府")
    assert "已受理或正在办理（办理中），依《信访工作条例》第十九条第三款，本级不予受理" in warning.message
    assert warning.case_id is None and held.number not in warning.message  # the bureau cannot open it


def test_a_matter_a_county_department_accepted_directly_is_a_lower_body_for_the_bureau(cast, flow):
    p = make_petitioner(cast.dept_officer)
    direct = A.do_accept(register(cast.dept_officer, petitioners=[(p, True)]), actor=cast.dept_officer)
    assert direct.status == Status.HANDLING
    assert codes(intake_warnings(cast.officer, petitioner_ids=[p.pk])) == ["accepted_below"]


def test_the_bureaus_own_case_is_a_repeat_it_may_link(cast, flow):
    p = make_petitioner(cast.registrar)
    own = flow.handling(petitioners=[(p, True)])
    (warning,) = intake_warnings(cast.registrar, petitioner_ids=[p.pk])
    assert warning.code == "repeat" and warning.offers == ["repeat"] and warning.case_id == own.pk
    assert own.number in warning.message


def test_the_other_county_is_never_told_of_our_matters(cast, flow):
    number = valid_id_number()
    ours = make_petitioner(cast.registrar, id_number=number)
    flow.handling(petitioners=[(ours, True)])
    theirs = make_petitioner(cast.other_registrar, id_number=number)
    assert intake_warnings(cast.other_registrar, petitioner_ids=[theirs.pk]) == []


def test_a_matter_made_final_is_not_accepted_again(cast, flow, now_at):
    from datetime import date

    now_at(date(2025, 3, 3))
    p = make_petitioner(cast.registrar)
    final = flow.reexamine(flow.request_reexam(flow.review_delivered(petitioners=[(p, True)])))
    assert final.status == Status.FINAL
    now_at(date(2025, 6, 2))
    (warning,) = intake_warnings(cast.registrar, petitioner_ids=[p.pk])
    assert warning.code == "final" and warning.offers == ["refuse_final"] and warning.case_id == final.pk
    assert "已于2025年03月03日终结" in warning.message and "第三十六条第三款不再受理" in warning.message

    again = register(cast.registrar, petitioners=[(p, True)])
    again = A.do_refuse_final(again, actor=cast.officer, reason="该事项已复核终结，以同一事实和理由再次提出")
    assert again.status == Status.REFUSED and not again.is_open
    event = again.events.latest("pk")
    assert event.notice == "refuse_final" and event.document.startswith("信访事项不再受理告知书")
    assert "2025年6月2日" in event.document and "不再受理" in event.document


def test_a_closed_matter_points_the_petitioner_to_review(cast, flow):
    p = make_petitioner(cast.registrar)
    closed = flow.closed(petitioners=[(p, True)])
    closed.refresh_from_db()
    (warning,) = intake_warnings(cast.registrar, petitioner_ids=[p.pk])
    assert warning.code == "closed" and warning.case_id == closed.pk
    assert f"信访人可在{closed.window_until:%Y年%m月%d日}前请求复查" in warning.message


# --- accusations the registering unit may not hold ----------------------------------------------


def accuse(actor, org):
    return register(actor, kind=Kind.ACCUSATION, accused_org=org, accused_name=f"{org.name}负责人")


@pytest.mark.parametrize("accused", ["bureau", "county"])
def test_an_accusation_against_the_bureau_or_its_government_goes_up_at_registration(cast, accused):
    org = getattr(cast, accused)
    warnings = intake_warnings(cast.registrar, petitioner_ids=[], kind=Kind.ACCUSATION, accused_org=org)
    assert codes(warnings) == ["accused_self"]
    assert warnings[0].message == (
        f"被反映的是本单位或本单位的上级（{org.name}），本单位应当回避："
        "登记后该件将直接转送示例市信访局办理，本单位此后不能查看该件"
    )
    case = accuse(cast.registrar, org)
    assert case.status == Status.FORWARDED and case.current_org == cast.city_bureau
    # Nobody in the accused's reach sees it (the county's leader is above the bureau, not in
    # its reach, and oversees it); the city bureau sees it and can act.
    in_reach = [cast.registrar, cast.officer, cast.supervisor] + ([cast.leader] if accused == "county" else [])
    for user in in_reach:
        assert not scoped_cases(user).filter(pk=case.pk).exists()
    assert "sign_for" in available_actions(cast.city_officer, access_case(cast.city_officer, case.pk))
    forward = case.events.latest("pk")
    assert forward.action == "forward" and forward.actor_kind == ActorKind.SYSTEM
    assert forward.actor_display == "系统（检举控告回避转送）"
    assert forward.document.startswith("信访事项转送函") and "按回避规定转送示例市信访局" in forward.note
    # It cannot be returned to the unit that may not hold it.
    with pytest.raises(NotAllowed) as exc:
        A.do_return(case, actor=cast.city_officer, reason="不属本单位")
    assert exc.value.message == "该件系检举控告回避转送，不能退回；如不属本单位职责，请签收后转送有权处理的机关"
    # The city bureau signs for it and routes it on in its own area.
    case = A.do_sign_for(case, actor=cast.city_officer)
    assert case.status == Status.REGISTERED and case.current_org == cast.city_bureau and case.routing_chain == []


def test_an_accusation_against_a_department_stays_with_the_bureau(cast):
    assert intake_warnings(cast.registrar, petitioner_ids=[], kind=Kind.ACCUSATION, accused_org=cast.dept) == []
    case = accuse(cast.registrar, cast.dept)
    assert case.status == Status.REGISTERED and case.current_org == cast.bureau


def test_a_department_accused_by_its_own_petitioner_sends_it_to_the_bureau(cast):
    case = accuse(cast.dept_officer, cast.dept)
    assert case.status == Status.FORWARDED and case.current_org == cast.bureau
    assert not scoped_cases(cast.dept_officer).filter(pk=case.pk).exists()
    assert "sign_for" in available_actions(cast.officer, access_case(cast.officer, case.pk))


# --- on the registration screen ---------------------------------------------------------------


def test_the_clerk_is_told_before_saving_and_sent_to_the_workbench_after(cast, login):
    from xinfang.cases.tests.test_views import reg_data

    p = make_petitioner(cast.registrar)
    client = login(cast.registrar)
    data = reg_data([p], kind="accusation", accused_name="某科长", accused_org=cast.bureau.pk)
    checked = client.post("/cases/new/", {**data, "do": "check"}).content.decode()
    assert "登记后该件将直接转送示例市信访局办理，本单位此后不能查看该件" in checked
    response = client.post("/cases/new/", {**data, "do": "register_anyway"}, follow=True)
    assert response.redirect_chain[-1][0] == "/cases/"
    body = response.content.decode()
    assert "已按回避规定转送示例市信访局，本单位不能查看该件" in body


def test_register_and_decline_a_matter_a_lower_body_is_handling(cast, login):
    from xinfang.cases.tests.test_views import reg_data

    township_officer = make_user("township_officer", cast.township, "petition_officer", "registrar")
    number = valid_id_number()
    held = register(township_officer, petitioners=[(make_petitioner(township_officer, id_number=number), True)])
    A.do_accept(held, actor=township_officer)
    ours = make_petitioner(cast.officer, id_number=number)
    client = login(cast.officer)
    data = reg_data([ours], do="check")
    assert "登记并不予受理（第十九条第三款）" in client.post("/cases/new/", data).content.decode()
    response = client.post("/cases/new/", {**data, "do": "", "register_then": "decline:0"}, follow=True)
    assert "已不予受理（第十九条第三款），并出具不予受理告知书" in response.content.decode()
    case = scoped_cases(cast.officer).exclude(pk=held.pk).get()
    assert case.status == Status.DECLINED
    notice = case.events.get(action="decline")
    assert notice.document.startswith("信访事项不予受理告知书")
    assert "清河县东岗镇人民政府" in notice.document and "第十九条第三款，本机关不予受理" in notice.document
