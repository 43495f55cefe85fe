"""An accusation's supervision, urging and instructions never reach the accused unit or person."""

from datetime import timedelta

import pytest

from xinfang.cases.errors import Invalid
from xinfang.core import clock
from xinfang.devdata.cast import make_user
from xinfang.notifications.models import Notification
from xinfang.supervision import notices
from xinfang.supervision.actions import (
    do_issue_urging,
    do_open_supervision,
    do_record_instruction,
    do_report_supervision,
)
from xinfang.supervision.recipients import exclude_accused

pytestmark = pytest.mark.django_db


@pytest.fixture
def accusation(cast, flow):
    """An accusation against 住建局 (dept2) and its staff member handler2, handled by 自然资源局."""
    return flow.handling(
        kind="accusation", accused_name="住建局某某", accused_org=cast.dept2, accused_user=cast.handler2
    )


def told(cast):
    return set(Notification.objects.values_list("user__username", flat=True))


def test_supervising_an_accusation_tells_the_handling_unit_never_the_accused(cast, accusation):
    due = clock.today() + timedelta(days=10)
    item = do_open_supervision(
        accusation, actor=cast.supervisor, kind="filed", reason="群众举报，立案督办", due_on=due, report_every_days=5
    )
    do_report_supervision(accusation, item.pk, actor=cast.handler, kind="progress", text="正在调查核实")
    do_issue_urging(accusation, actor=cast.officer, subject="请按期办结", reply_by=due)
    do_record_instruction(accusation, actor=cast.leader, text="严查", to_org=cast.dept, commit_by=due)
    assert told(cast) >= {"dept_officer", "unit_head", "handler", "supervisor"}
    assert "handler2" not in told(cast)


def test_the_accused_unit_is_never_given_an_instruction_to_carry_out(cast, accusation):
    due = clock.today() + timedelta(days=7)
    with pytest.raises(Invalid) as err:
        do_record_instruction(accusation, actor=cast.leader, text="请落实", to_org=cast.dept2, commit_by=due)
    assert err.value.message == "检举控告件不得交由被反映单位或被反映人落实"


def test_a_notice_addressed_to_the_accused_unit_writes_nothing(cast, accusation):
    item = do_open_supervision(
        accusation, actor=cast.supervisor, kind="filed", reason="督办", due_on=clock.today() + timedelta(days=5)
    )
    make_user("dept2_officer", cast.dept2, "petition_officer")
    Notification.objects.all().delete()
    item.owed_by_org = cast.dept2  # as if the item had been pointed at the accused unit
    assert notices.supervision_opened(item, actor=cast.supervisor) == 0
    assert not Notification.objects.exists()


def test_the_filter_drops_the_accused_and_anyone_who_may_not_open_the_case(cast, accusation):
    accused_officer = make_user("dept2_officer", cast.dept2, "petition_officer", scope="subtree")
    ids = [cast.handler2.pk, accused_officer.pk, cast.dept_officer.pk, cast.other_officer.pk, cast.unit_head.pk]
    assert exclude_accused(accusation, ids) == sorted([cast.dept_officer.pk, cast.unit_head.pk])
