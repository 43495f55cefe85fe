"""The scale generator grows the demo city by counties, each at one county's rate (scale_world.plan_city)."""

from collections import Counter

import pytest

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Case, CaseOrg
from xinfang.cases.numbering import next_case_number
from xinfang.devdata.scale import generate
from xinfang.devdata.scale_world import MAX_COUNTIES, Share, plan_city
from xinfang.devdata.tests.helpers import demo_county
from xinfang.orgs.models import Org, OrgKind, OrgLevel, Role, User


def test_a_small_run_is_the_demo_countys_last_months():
    # 10^4 cases at 100,000 per county in three years: the last 110 days of one county.
    assert plan_city(9_690, [310], per_county=100_000, days=1095) == [Share(9_690, 110, 1)]
    # Fewer than three months' worth still spans three months.
    assert plan_city(500, [0], per_county=100_000, days=1095) == [Share(500, 90, 1)]


def test_a_big_run_adds_counties_at_the_same_rate():
    shares = plan_city(999_690, [310], per_county=100_000, days=1095)
    assert [s.count for s in shares] == [99_690] + [100_000] * 9
    assert {(s.first, s.last) for s in shares} == {(1095, 1)}


def test_a_second_run_fills_a_county_back_in_time_before_adding_one():
    # 10^4 then 10^5: the 90,000 go before the 110 days the first run covered, not on top of them.
    assert plan_city(90_000, [10_000], per_county=100_000, days=1095) == [Share(90_000, 1095, 110)]
    # A full county takes nothing more; the rest goes to new counties.
    assert plan_city(150_000, [100_000], per_county=100_000, days=1095) == [
        Share(0, 1095, 1),
        Share(100_000, 1095, 1),
        Share(50_000, 548, 1),
    ]


def test_beyond_the_citys_division_codes_each_county_is_busier():
    shares = plan_city(10**7, [0], per_county=100_000, days=1095)
    assert len(shares) == MAX_COUNTIES
    assert sum(s.count for s in shares) == 10**7
    assert max(s.count for s in shares) - min(s.count for s in shares) <= 10**7 // MAX_COUNTIES


@pytest.fixture
def county(db):
    return demo_county(40)


def _county_of(org_id: int, governments: list[Org], orgs: dict[int, Org]) -> Org | None:
    path = orgs[org_id].path
    return next((g for g in governments if path.startswith(g.path)), None)


@pytest.mark.django_db
def test_a_run_beyond_one_county_adds_counties_built_like_the_demo_county(county):
    generate(900, write=lambda _msg: None, days=120, per_county=400)

    city = county.orgs["city"]
    governments = list(Org.objects.filter(parent=city, kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY))
    assert [(g.name, g.division_code) for g in governments] == [
        ("清河县人民政府", "330781"),
        ("东山县人民政府", "330783"),
        ("西山县人民政府", "330784"),
    ]
    orgs = {o.pk: o for o in Org.objects.all()}
    registered = Case.objects.values_list("registered_org_id", flat=True)
    per_county = Counter(_county_of(org_id, governments, orgs).name for org_id in registered)
    assert per_county == {"清河县人民政府": 400, "东山县人民政府": 400, "西山县人民政府": 100}

    # A case stays in its county: every participant is of the registering county or above it.
    for case_id, registered, org_id in CaseOrg.objects.values_list("case_id", "case__registered_org_id", "org_id"):
        home, other = _county_of(registered, governments, orgs), _county_of(org_id, governments, orgs)
        assert other in (None, home), (case_id, orgs[org_id].name)

    # Each new county's bureau registers and routes its own cases; its officer sees them, not the demo county's.
    dongshan = governments[1]
    bureau = Org.objects.get(parent=dongshan, kind=OrgKind.PETITION_BUREAU)
    assert bureau.name == "东山县信访局"
    officer = User.objects.get(username=f"scale{bureau.pk}_officer")
    theirs = set(scoped_cases(officer).values_list("pk", flat=True))
    assert theirs and theirs == set(
        Case.objects.filter(participants__org=bureau).values_list("pk", flat=True).distinct()
    )
    demo_officer = county.users["officer"]
    assert not theirs & set(scoped_cases(demo_officer).values_list("pk", flat=True))
    assert next_case_number(bureau, Case.objects.filter(registered_org=bureau).latest("received_at").received_at.year)

    # Only units with registering staff of their own (the demo's accounts) register directly: in the
    # new counties none, however many runs came before; their bureau registers everything.
    generate(1100, write=lambda _msg: None, days=120, per_county=400)
    assert Org.objects.filter(parent=city, kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY).count() == 3
    own_staff = set(
        User.objects.filter(role_grants__role=Role.PETITION_OFFICER)
        .exclude(username__startswith="scale")
        .values_list("org__name", flat=True)
    )
    registering = set(Case.objects.values_list("registered_org__name", flat=True))
    assert registering - own_staff == {"东山县信访局", "西山县信访局"}
    assert {"清河县信访局", "清河县自然资源和规划局"} <= registering
    assert Case.objects.filter(registered_org__path__startswith=governments[2].path).count() == 300
