"""Who sees a case: participants' scopes, never the other county, never the accused."""

import pytest
from django.http import Http404

from xinfang.cases import actions as A
from xinfang.cases.access import access_case, scoped_cases
from xinfang.cases.errors import Invalid
from xinfang.cases.states import Kind
from xinfang.devdata.cast import make_org, make_user
from xinfang.devdata.flow import make_petitioner
from xinfang.petitioners.access import scoped_petitioners


def accusation(flow, **kwargs):
    kwargs.setdefault("accused_name", "清河县自然资源局某科长")
    return flow.register(kind=Kind.ACCUSATION, summary="检举某科长收受好处费", **kwargs)


def test_the_other_county_gets_404(cast, flow):
    case = flow.register()
    for user in (cast.other_officer, cast.other_registrar, cast.nobody):
        with pytest.raises(Http404):
            access_case(user, case.pk)
        assert not scoped_cases(user).filter(pk=case.pk).exists()
    assert access_case(cast.officer, case.pk) == case


def test_a_bad_id_is_404_like_a_missing_case(cast):
    for bad in ("abc", None, 999999):
        with pytest.raises(Http404):
            access_case(cast.officer, bad)


def test_participants_and_superiors_see_the_case_the_assigned_handler_only_his_own(cast, flow):
    case = flow.assign(flow.register())
    assert access_case(cast.dept_officer, case.pk)
    assert access_case(cast.unit_head, case.pk)
    assert access_case(cast.leader, case.pk)  # county subtree
    with pytest.raises(Http404):
        access_case(cast.handler, case.pk)  # assigned scope, not his case yet
    with pytest.raises(Http404):
        access_case(cast.handler2, case.pk)  # dept2 takes no part
    case = flow.accept(flow.sign_for(case))
    assert access_case(cast.handler, case.pk)


def test_a_co_unit_sees_the_case(cast, flow):
    case = flow.assign(flow.register(), co=True)
    assert access_case(cast.handler2, case.pk)


def test_accusations_are_never_routed_to_the_accused_unit_or_below(cast, flow):
    sub = make_org("清河县自然资源局执法大队", "department", "county", "330781", cast.dept)
    case = accusation(flow, accused_org=cast.dept)
    for target in (cast.dept, sub):
        with pytest.raises(Invalid) as exc:
            A.do_assign(case, actor=cast.officer, lead_org=target)
        assert "被反映" in exc.value.message
        with pytest.raises(Invalid):
            A.do_forward(case, actor=cast.officer, to_org=target)
    with pytest.raises(Invalid):  # nor as a co-unit
        A.do_assign(case, actor=cast.officer, lead_org=cast.dept2, co_orgs=[cast.dept])
    case.refresh_from_db()
    assert case.status == "registered" and case.events.count() == 1
    case = A.do_assign(case, actor=cast.officer, lead_org=cast.county)  # the accused's superior may handle it
    assert case.competent_org == cast.county


def test_accusations_are_never_routed_to_the_accused_persons_unit(cast, flow):
    case = accusation(flow, accused_user=cast.unit_head)
    with pytest.raises(Invalid):
        A.do_forward(case, actor=cast.officer, to_org=cast.dept)


def test_claims_against_nobody_route_anywhere(cast, flow):
    case = flow.register(accused_org=cast.dept)  # a claim naming a unit is not an accusation
    assert A.do_forward(case, actor=cast.officer, to_org=cast.dept).status == "forwarded"


def test_the_accused_units_staff_and_the_accused_person_get_404(cast, flow):
    # Made visible to the accused unit on purpose (a co-unit participant row), so only the
    # accusation rule stands between its staff and the case.
    case = accusation(flow, accused_org=cast.dept)
    case.participants.create(org=cast.dept, role="co")
    for user in (cast.dept_officer, cast.unit_head, cast.handler):
        with pytest.raises(Http404):
            access_case(user, case.pk)
        assert not scoped_cases(user).filter(pk=case.pk).exists()
    # The scopes that should still see it do.
    for user in (cast.officer, cast.registrar, cast.leader, cast.supervisor):
        assert access_case(user, case.pk) == case

    against_person = accusation(flow, accused_user=cast.dept_officer)
    against_person.participants.create(org=cast.dept, role="co")
    with pytest.raises(Http404):
        access_case(cast.dept_officer, against_person.pk)
    assert access_case(cast.unit_head, against_person.pk)  # a colleague is not the accused


def test_an_accusation_against_a_government_is_hidden_from_everything_under_it(cast, flow):
    case = accusation(flow, accused_org=cast.county)
    for user in (cast.officer, cast.leader, cast.registrar):
        with pytest.raises(Http404):
            access_case(user, case.pk)
    boss = make_user("city_leader", cast.city, "leader")
    assert access_case(boss, case.pk)


def test_petitioners_on_a_visible_case_become_visible_to_that_org(cast, flow):
    p = make_petitioner(cast.registrar, name="李四")
    assert not scoped_petitioners(cast.dept_officer).filter(pk=p.pk).exists()
    case = flow.register(petitioners=[(p, True)])
    assert not scoped_petitioners(cast.dept_officer).filter(pk=p.pk).exists()
    flow.forward(case)
    assert scoped_petitioners(cast.dept_officer).filter(pk=p.pk).exists()
    assert not scoped_petitioners(cast.other_officer).filter(pk=p.pk).exists()
    assert not scoped_petitioners(cast.dept_officer).filter(pk=make_petitioner(cast.registrar).pk).exists()


def test_petitioners_of_an_accusation_stay_hidden_from_the_accused(cast, flow):
    p = make_petitioner(cast.registrar, name="王五")
    case = accusation(flow, accused_org=cast.dept, petitioners=[(p, True)])
    case.participants.create(org=cast.dept, role="co")
    assert not scoped_petitioners(cast.dept_officer).filter(pk=p.pk).exists()
