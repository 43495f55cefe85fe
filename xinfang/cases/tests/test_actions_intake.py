"""Registration rules and the warnings a clerk sees (they never block)."""

import pytest

from xinfang.cases.actions import intake_warnings
from xinfang.cases.errors import Invalid
from xinfang.cases.models import Category
from xinfang.cases.states import Kind
from xinfang.devdata.flow import make_petitioner, register


def codes(warnings):
    return [w.code for w in warnings]


def test_categories_are_seeded_in_two_levels(db):
    assert Category.objects.filter(parent=None).count() >= 12
    land = Category.objects.get(code="01")
    assert land.name == "征地拆迁" and land.children.filter(code="0101", name="征收补偿").exists()


def test_it_warns_of_a_repeat_when_the_petitioner_has_an_open_case_in_the_same_category(cast, flow):
    p = make_petitioner(cast.registrar)
    cat = Category.objects.get(code="0101")
    first = flow.register(petitioners=[(p, True)], category=cat)
    warnings = intake_warnings(cast.registrar, petitioner_ids=[p.pk], category=cat)
    assert codes(warnings) == ["repeat"] and warnings[0].case_id == first.pk
    assert first.number in warnings[0].message
    other_cat = Category.objects.get(code="0601")
    assert intake_warnings(cast.registrar, petitioner_ids=[p.pk], category=other_cat) == []
    assert intake_warnings(cast.registrar, petitioner_ids=[make_petitioner(cast.registrar).pk], category=cat) == []


def test_it_warns_at_the_city_when_a_county_department_already_handles_the_matter(cast, flow):
    p = make_petitioner(cast.registrar)
    case = flow.accept(flow.sign_for(flow.assign(flow.register(petitioners=[(p, True)]))))
    warnings = intake_warnings(cast.city_officer, petitioner_ids=[p.pk])
    assert codes(warnings) == ["accepted_below"] and warnings[0].offers == ["decline"]
    assert "第十九条" in warnings[0].message and cast.dept.name in warnings[0].message
    # The city bureau cannot open the county's case: it is told where, when and in what state, not its number.
    assert warnings[0].case_id is None and case.number not in warnings[0].message
    # At the county itself the same case is a repeat, not a lower level.
    assert codes(intake_warnings(cast.officer, petitioner_ids=[p.pk])) == ["repeat"]


def test_it_warns_of_more_than_five_representatives(cast):
    assert codes(intake_warnings(cast.registrar, petitioner_ids=[], representatives=6)) == ["too_many_representatives"]
    assert intake_warnings(cast.registrar, petitioner_ids=[], representatives=5) == []


def test_a_registration_with_six_representatives_is_recorded_with_a_note(cast):
    people = [(make_petitioner(cast.registrar, name=f"代表{i}"), True) for i in range(6)]
    case = register(cast.registrar, petitioners=people, person_count=30)
    assert case.is_collective and case.person_count == 30
    assert "超过5人" in case.events.get().note


def test_it_warns_of_a_skip_level_petition_at_the_city(cast):
    p = make_petitioner(cast.city_officer)
    assert codes(intake_warnings(cast.city_officer, petitioner_ids=[], place_code="330781")) == ["skip_level"]
    assert intake_warnings(cast.city_officer, petitioner_ids=[], place_code="330700") == []
    assert intake_warnings(cast.registrar, petitioner_ids=[], place_code="330781") == []
    case = register(cast.city_officer, petitioners=[(p, True)], place_code="330781")
    assert case.is_skip_level and case.status == "registered" and case.current_org == cast.city_bureau


def test_warnings_never_reveal_an_accusation_to_the_accused(cast, flow):
    p = make_petitioner(cast.registrar)
    flow.register(petitioners=[(p, True)], kind=Kind.ACCUSATION, accused_org=cast.bureau)
    assert intake_warnings(cast.registrar, petitioner_ids=[p.pk]) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"kind": "rumour"}, "kind"),
        ({"petitioners": []}, "petitioners"),
        ({"summary": "  "}, "summary"),
        ({"channel": "referred"}, "referring_org"),
        ({"kind": "accusation"}, "accused_name"),
    ],
)
def test_registration_refuses_incomplete_input(cast, kwargs, field):
    with pytest.raises(Invalid) as exc:
        register(cast.registrar, **kwargs)
    assert exc.value.field == field


def test_registration_refuses_a_petitioner_outside_the_clerks_scope(cast):
    theirs = make_petitioner(cast.other_registrar)
    with pytest.raises(Invalid) as exc:
        register(cast.registrar, petitioners=[(theirs, True)])
    assert exc.value.field == "petitioners"


def test_a_referred_case_records_the_referring_org_which_then_sees_it(cast):
    from xinfang.cases.access import access_case

    case = register(
        cast.registrar,
        channel="referred",
        referring_org=cast.city_bureau,
        referring_ref="示信交〔2025〕3号",
        leader_instruction="请依法妥善处理",
    )
    assert case.referring_org == cast.city_bureau
    assert access_case(cast.city_officer, case.pk) == case
    assert case.target_date is not None  # leader-instructed items carry the local commitment


def test_the_same_petitioner_twice_is_refused_with_a_message(cast):
    from xinfang.cases.errors import Invalid

    p = make_petitioner(cast.registrar)
    with pytest.raises(Invalid) as exc:
        register(cast.registrar, petitioners=[(p, True), (p, False)])
    assert exc.value.message == "同一信访人不能重复添加" and exc.value.field == "petitioners"


def test_a_step_without_a_date_is_dated_today(cast, flow, clock):
    from datetime import date

    from xinfang.cases import actions as A

    clock.set(date(2025, 3, 3))
    case = flow.handling()
    case = A.do_record_step(case, actor=cast.handler, kind="investigation", happened_on=None, description="走访")
    assert case.steps.get().happened_on == date(2025, 3, 3)
