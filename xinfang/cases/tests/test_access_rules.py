"""Who reads what: accusation readers, the superuser flag, co-unit handlers, registration warnings."""

import pytest

from xinfang.cases.access import ACCUSATION_READERS, scoped_cases
from xinfang.cases.actions import intake_warnings
from xinfang.cases.models import Case
from xinfang.cases.states import Kind
from xinfang.devdata.cast import Cast, make_user
from xinfang.devdata.flow import make_petitioner, register, valid_id_number
from xinfang.orgs.models import Role

pytestmark = pytest.mark.django_db


def sees(user, case) -> bool:
    return scoped_cases(user).filter(pk=case.pk).exists()


def test_accusations_are_read_by_the_roles_that_handle_them_not_by_the_administrator_or_statistician(cast, flow):
    accusation = register(cast.registrar, kind=Kind.ACCUSATION, accused_org=cast.dept, accused_name="某局长")
    claim = flow.register()
    assert sees(cast.registrar, accusation) and sees(cast.officer, accusation) and sees(cast.supervisor, accusation)
    assert sees(cast.leader, accusation)
    for user in (cast.admin, cast.statistician):
        assert not sees(user, accusation) and sees(user, claim)
    assert {
        Role.REGISTRAR,
        Role.PETITION_OFFICER,
        Role.HANDLER,
        Role.UNIT_HEAD,
        Role.LEADER,
        Role.SUPERVISOR,
    } == ACCUSATION_READERS


def test_the_superuser_flag_does_not_widen_case_access(cast, flow, login):
    ours = flow.register()
    theirs = register(cast.other_registrar)
    cast.admin.is_superuser = True
    cast.admin.is_staff = True
    cast.admin.save()
    admin = type(cast.admin).objects.get(pk=cast.admin.pk)
    assert sees(admin, ours) and not sees(admin, theirs)
    client = login(admin)
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    # Nor is the admin site a back door: its case list is the access layer's.
    listing = client.get("/admin/cases/case/").content.decode()
    assert ours.number in listing and theirs.number not in listing


def test_a_co_unit_handler_sees_the_case_while_it_is_open_not_after_it_ended(cast, flow):
    case = flow.replied(co=True)
    assert sees(cast.handler2, case)  # owes the co-unit's feedback
    case = flow.co_report(flow.deliver(case))
    assert sees(cast.handler2, case)  # reported, still open: may follow it
    from xinfang.cases import actions as A

    case = flow.report_back(case)
    case = A.do_confirm_closure(case, actor=cast.officer)
    assert case.status == "closed"
    assert not sees(cast.handler2, case)
    # The co-unit's officer, with the unit's scope, still sees its past work.
    co_officer = make_user("zjj_officer", cast.dept2, "petition_officer")
    assert sees(co_officer, case)


def test_registration_warnings_never_name_a_case_the_user_cannot_open(cast, flow):
    number = valid_id_number()
    township_officer = make_user("township_officer", cast.township, "petition_officer", "registrar")
    at_township = make_petitioner(township_officer, id_number=number)
    register(township_officer, petitioners=[(at_township, True)])
    at_bureau = make_petitioner(cast.registrar, id_number=number)
    flow.handling(petitioners=[(at_bureau, True)])
    at_city = make_petitioner(cast.city_officer, id_number=number)
    register(cast.city_officer, petitioners=[(at_city, True)])
    people = {u.pk: p for u, p in ((township_officer, at_township), (cast.city_officer, at_city))}
    users = [
        getattr(cast, name)
        for name in Cast.__dataclass_fields__
        if name
        not in {
            "city",
            "city_bureau",
            "county",
            "bureau",
            "dept",
            "dept2",
            "township",
            "village",
            "other_county",
            "other_bureau",
            "other_dept",
        }
    ] + [township_officer]
    checked = 0
    for user in users:
        for warning in intake_warnings(user, petitioner_ids=[people.get(user.pk, at_bureau).pk]):
            checked += 1
            if warning.case_id is not None:
                assert sees(user, scoped_cases(user).get(pk=warning.case_id)), (user.username, warning)
            invisible = [c.number for c in Case.objects.exclude(pk__in=scoped_cases(user))]
            assert not any(n in warning.message for n in invisible), (user.username, warning.message)
    assert checked > 5
