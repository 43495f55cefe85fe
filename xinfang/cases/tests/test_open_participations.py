"""CaseOrg.case_open: each participant row knows whether its case is open, and the scope's open
cases read from those rows are exactly the open cases the scope sees."""

import importlib
from datetime import timedelta

from django.apps import apps as django_apps
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.access import open_in_scope, scoped_cases
from xinfang.cases.models import Case, CaseOrg
from xinfang.cases.states import OPEN_STATES, ParticipantRole, Status
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import register
from xinfang.orgs.models import DataScope


def flags(case) -> set[bool]:
    return set(CaseOrg.objects.filter(case=case).values_list("case_open", flat=True))


def test_a_case_s_participant_rows_are_open_until_it_ends_and_open_again_on_review(cast, flow):
    case = flow.closed()
    assert case.status == Status.CLOSED and flags(case) == {False}
    # 复查 reopens a closed case: its rows, and the reviewing org's new ones, are open again.
    case = flow.request_review(case)
    assert case.status == Status.REVIEW_REQUESTED and flags(case) == {True}
    assert CaseOrg.objects.filter(case=case, role=ParticipantRole.REVIEWING, case_open=True).exists()
    declined = A.do_decline(flow.register(), actor=cast.officer, reason="不属于信访事项")
    assert flags(declined) == {False}
    # A row added to an ended case (e.g. supervision opened on it) is added closed.
    CaseOrg.objects.create(case=Case.objects.get(pk=declined.pk), org=cast.county, role=ParticipantRole.SUPERVISING)
    assert flags(declined) == {False}


def test_a_stale_copy_of_the_case_saved_again_still_sets_the_rows(cast, flow):
    case = flow.closed()
    stale = Case.objects.get(pk=case.pk)
    flow.request_review(case)
    stale.refresh_from_db()
    stale.status = Status.CLOSED
    stale.save()
    assert flags(case) == {False}


def test_the_scope_s_open_cases_from_the_participant_rows_are_its_open_cases(cast, flow):
    flow.closed(summary="已办结")
    flow.handling(co=True)
    flow.register(summary="待交转办")
    township_staff = make_user("township_officer", cast.township, "petition_officer")
    register(township_staff, summary="镇里登记", received_at=timezone.now() - timedelta(days=40))
    for user in (cast.leader, cast.supervisor, cast.officer, cast.dept_officer, cast.other_officer):
        seen = scoped_cases(user).filter(status__in=OPEN_STATES)
        assert seen.exists() or user == cast.other_officer
        assert set(seen.filter(open_in_scope(user))) == set(seen), user.username
    # A handler's scope is their own cases: nothing to narrow (their index finds them already).
    assert open_in_scope(cast.handler) is None
    # Nor a city's subtree: most of the city's open cases, more rows than its due deadlines.
    city_supervisor = make_user("city_supervisor", cast.city_bureau, "supervisor", scope=DataScope.SUBTREE)
    assert open_in_scope(city_supervisor) is None
    assert scoped_cases(cast.leader).filter(open_in_scope(cast.leader)).exclude(status__in=OPEN_STATES).count() == 0


def test_the_migration_marks_the_rows_of_cases_that_had_ended(cast, flow):
    ended, running = flow.closed(), flow.register()
    CaseOrg.objects.update(case_open=True)  # as the new column starts
    migration = importlib.import_module("xinfang.cases.migrations.0020_caseorg_case_open")
    migration.mark_ended_cases(django_apps, None)
    assert flags(ended) == {False} and flags(running) == {True}
