"""No accusation is stranded in the demo county: whoever is accused, someone else can act on it."""

import pytest

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import Registration, do_register
from xinfang.cases.models import Category
from xinfang.cases.routing_policy import in_reach
from xinfang.cases.spec import available_actions
from xinfang.cases.states import Channel, Kind
from xinfang.core import clock
from xinfang.devdata.tests.helpers import demo_county
from xinfang.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    return demo_county(5)


def test_every_accused_unit_of_the_county_leaves_someone_who_may_act(county):
    registrar = county.users["registrar"]
    petitioner = county.petitioners().filter(org=registrar.org).first() or county.petitioners().first()
    staff = list(User.objects.filter(is_active=True).select_related("org"))
    accused_units = list(county.county.subtree().order_by("path"))
    assert len(accused_units) > 30  # the government, the bureau, departments, court ..., townships, villages
    stranded = []
    for org in accused_units:
        case = do_register(
            Registration(
                channel=Channel.LETTER,
                received_at=clock.now(),
                kind=Kind.ACCUSATION,
                summary=f"检举{org.name}工作人员违规收受礼金",
                content="信访人检举该单位工作人员违规收受礼金。",
                category=Category.objects.filter(parent__isnull=False).first(),
                petitioners=[(petitioner, True)],
                accused_name=f"{org.name}某工作人员",
                accused_org=org,
            ),
            actor=registrar,
        )
        can_act = [
            u.username
            for u in staff
            if u.org is not None
            and not in_reach(case, u.org)
            and scoped_cases(u).filter(pk=case.pk).exists()
            and available_actions(u, scoped_cases(u).get(pk=case.pk))
        ]
        if not can_act:
            stranded.append(org.name)
        # Never anyone in the accused's reach.
        assert not [
            u.username for u in staff if u.org and in_reach(case, u.org) and scoped_cases(u).filter(pk=case.pk).exists()
        ]
    assert stranded == []
