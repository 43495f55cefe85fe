"""挂牌督办 by rule: one test per seeded listing rule, each failing if its rule is removed."""

from datetime import timedelta

import pytest

from xinfang.core import clock
from xinfang.notifications.models import Notification
from xinfang.supervision.actions import do_record_instruction
from xinfang.supervision.listing import apply_listing
from xinfang.supervision.models import ListingRule, SupervisionItem

pytestmark = pytest.mark.django_db


def listed(case):
    return list(SupervisionItem.objects.filter(case=case, kind="listed").select_related("listing_rule"))


def only_rule(condition):
    ListingRule.objects.exclude(condition=condition).delete()


@pytest.mark.parametrize("removed", [False, True])
def test_a_repeat_petition_is_listed(cast, flow, drain, removed):
    original = flow.register()
    if removed:
        ListingRule.objects.filter(condition="repeat").delete()
    from xinfang.cases.actions import Registration, do_register

    reg = Registration(
        channel="visit",
        received_at=clock.now() - timedelta(hours=1),
        kind="claim",
        summary="再次反映征地补偿款未发放",
        content="信访人再次反映补偿款至今未发放。",
        petitioners=[(original.case_petitioners.get().petitioner, True)],
        category=original.category,
    )
    case = do_register(reg, actor=cast.registrar, repeat_of=original)
    drain()
    conditions = [i.listing_rule.condition for i in listed(case)]
    assert conditions == ([] if removed else ["repeat"])


@pytest.mark.parametrize("removed", [False, True])
def test_a_collective_visit_is_listed(cast, flow, drain, removed):
    if removed:
        ListingRule.objects.filter(condition="collective").delete()
    case = flow.register(person_count=8)
    drain()
    assert [i.listing_rule.condition for i in listed(case)] == ([] if removed else ["collective"])
    if not removed:
        (item,) = listed(case)
        rule = item.listing_rule
        assert (item.issued_org, item.owed_by_org) == (cast.bureau, cast.bureau)  # not yet routed
        assert item.due_on == clock.today() + timedelta(days=rule.due_days)
        assert item.report_every_days == rule.report_every_days
        assert item.issued_by is None


@pytest.mark.parametrize("removed", [False, True])
def test_a_case_with_a_leader_instruction_is_listed(cast, flow, drain, removed):
    if removed:
        ListingRule.objects.filter(condition="instructed").delete()
    case = flow.handling()
    drain()
    assert listed(case) == []
    do_record_instruction(
        case, actor=cast.leader, text="请依法处理", to_org=cast.dept, commit_by=clock.today() + timedelta(days=7)
    )
    drain()
    assert [i.listing_rule.condition for i in listed(case)] == ([] if removed else ["instructed"])


@pytest.mark.parametrize("removed", [False, True])
def test_an_instruction_written_at_registration_lists_the_case(cast, flow, drain, removed):
    if removed:
        ListingRule.objects.filter(condition="instructed").delete()
    case = flow.register(leader_instruction="请县信访局督办")
    drain()
    assert [i.listing_rule.condition for i in listed(case)] == ([] if removed else ["instructed"])


@pytest.mark.parametrize("removed", [False, True])
def test_a_case_referred_from_a_higher_level_is_listed(cast, flow, drain, removed):
    if removed:
        ListingRule.objects.filter(condition="referred").delete()
    case = flow.register(channel="referred", referring_org=cast.city_bureau)
    drain()
    assert [i.listing_rule.condition for i in listed(case)] == ([] if removed else ["referred"])


def test_an_ordinary_case_is_not_listed(cast, flow, drain):
    drain()
    case = flow.register()
    drain()
    assert listed(case) == []


def test_listing_is_idempotent_and_one_bureau_lists_once(cast, flow, drain):
    case = flow.register(person_count=8, leader_instruction="请督办")
    drain()
    assert len(listed(case)) == 1  # two rules hold, the same bureau lists it once
    assert apply_listing(case.pk) == []
    assert len(listed(case)) == 1


def test_a_rule_out_of_force_lists_nothing(cast, flow, drain):
    ListingRule.objects.filter(condition="collective").update(effective_to=clock.today() - timedelta(days=1))
    case = flow.register(person_count=8)
    drain()
    assert listed(case) == []
    ListingRule.objects.filter(condition="collective").update(effective_to=None, is_active=False)
    assert apply_listing(case.pk) == []


def test_the_item_follows_the_case_to_the_unit_that_handles_it(cast, flow, drain):
    case = flow.assign(flow.register(person_count=8))
    drain()  # the listing is recorded after the assignment...
    assert case.events.order_by("-seq").first().action == "supervision_open"
    # ...and the unit is still told of the routing.
    assert Notification.objects.filter(kind__code="case.routed", user=cast.dept_officer).exists()
    case = flow.accept(flow.sign_for(case))
    drain()
    (item,) = listed(case)
    assert (item.issued_org, item.owed_by_org) == (cast.bureau, cast.dept)
    told = set(Notification.objects.filter(kind__code="supervision.opened").values_list("user__username", flat=True))
    assert told == {"dept_officer", "unit_head", "handler"}
