"""The demo cases (real actions) and the bulk scale generator produce consistent data."""

from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Case, CaseCounter, CaseEvent, CaseOrg, CasePetitioner
from xinfang.cases.numbering import next_case_number
from xinfang.cases.states import OPEN_STATES, Action, Kind, Status
from xinfang.clock.models import PETITIONER_WINDOWS, Deadline, DeadlineStatus
from xinfang.devdata.cases import _ensure_discipline_staff, build_demo_cases
from xinfang.devdata.county import DemoContext, build_orgs, build_petitioners, build_staff
from xinfang.devdata.scale import generate
from xinfang.orgs.models import User

AGENCY_STATES = {
    Status.REGISTERED,
    Status.FORWARDED,
    Status.ASSIGNED,
    Status.TO_DECIDE,
    Status.HANDLING,
    Status.REVIEW_REQUESTED,
    Status.REEXAM_REQUESTED,
}


@pytest.fixture
def county(db):
    ctx = DemoContext(write=lambda _msg: None)
    build_orgs(ctx)
    build_staff(ctx)
    build_petitioners(ctx, 80)
    return ctx


def open_flag_mismatches() -> list[tuple[int, str, bool]]:
    """Participant rows whose case_open disagrees with their case's status."""
    return [
        (case_id, status, flag)
        for case_id, status, flag in CaseOrg.objects.values_list("case_id", "case__status", "case_open")
        if flag != (status in OPEN_STATES)
    ]


def _open_deadlines():
    ct = ContentType.objects.get_for_model(Case)
    out = {}
    for owner_id, clock, due in Deadline.objects.filter(owner_type=ct, status=DeadlineStatus.OPEN).values_list(
        "owner_id", "clock", "due_date"
    ):
        out.setdefault(owner_id, []).append((clock, due))
    return out


def test_demo_cases_cover_every_state_and_load_once(county):
    made = build_demo_cases(county, count=40)
    assert made >= 40
    states = Counter(Case.objects.values_list("status", flat=True))
    assert set(states) == set(Status.values), f"missing: {set(Status.values) - set(states)}"
    # Made by the actions: every case has its register event, and open ones their deadlines.
    assert not Case.objects.exclude(events__action=Action.REGISTER).exists()
    deadlines = _open_deadlines()
    for case in Case.objects.filter(status__in=AGENCY_STATES):
        if case.hearing_open:
            continue
        assert case.due_date == min(d for c, d in deadlines[case.pk] if c not in PETITIONER_WINDOWS)
    # Spread over the past: receipt in at least two different years, none in the future.
    years = {c.received_at.year for c in Case.objects.all()}
    assert len(years) >= 2
    assert not Case.objects.filter(received_at__gt=timezone.now()).exists()

    # Every participant row knows whether its case is open (the scope's open cases are read from them).
    assert open_flag_mismatches() == []

    count, events = Case.objects.count(), CaseEvent.objects.count()
    assert build_demo_cases(county, count=40) == 0
    assert (Case.objects.count(), CaseEvent.objects.count()) == (count, events)


def test_scale_generator_writes_consistent_cases(county):
    _ensure_discipline_staff(county)
    result = generate(500, write=lambda _msg: None)
    assert result["created"] == Case.objects.count() == 500

    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 500
    per_org_year = Counter(Case.objects.values_list("registered_org_id", "received_at__year"))
    counters = {(c.org_id, c.year): c.value for c in CaseCounter.objects.all()}
    assert counters == dict(per_org_year)

    deadlines = _open_deadlines()
    open_agency = Case.objects.filter(status__in=AGENCY_STATES)
    assert open_agency.exists()
    for case in open_agency:
        agency = [d for c, d in deadlines.get(case.pk, []) if c not in PETITIONER_WINDOWS]
        assert case.due_date is not None and case.due_date == min(agency), case.number
    for case in Case.objects.filter(window_until__isnull=False):
        assert case.window_until == min(d for c, d in deadlines[case.pk] if c in PETITIONER_WINDOWS)
    ended = Case.objects.filter(status__in=[Status.FINAL, Status.DECLINED, Status.REDIRECTED, Status.MERGED])
    assert ended.exists() and not ended.filter(pk__in=list(deadlines)).exists()

    assert not Case.objects.filter(case_petitioners__isnull=True).exists()
    assert CasePetitioner.objects.count() >= 500
    assert open_flag_mismatches() == [] and CaseOrg.objects.filter(case_open=False).exists()
    per_case = Counter(CaseEvent.objects.values_list("case_id", flat=True))
    # The whole history (test_scale_history replays it): the version counts the events.
    assert per_case == dict(Case.objects.values_list("pk", "version")) and max(per_case.values()) > 2
    assert CaseEvent.objects.filter(action=Action.REGISTER).count() == 500

    # The access layer reads the participant rows: the bureau sees what it registered,
    # a unit what it takes part in, a handler what is assigned to them.
    users = county.users
    bureau = county.orgs["bureau"]
    assert (
        scoped_cases(users["officer"]).count() == CaseOrg.objects.filter(org=bureau).values("case").distinct().count()
    )
    zrzy = county.orgs["zrzy"]
    visible = set(scoped_cases(users["zrzy_officer"]).values_list("pk", flat=True))
    expected = set(CaseOrg.objects.filter(org=zrzy).values_list("case_id", flat=True)) - set(
        Case.objects.filter(kind=Kind.ACCUSATION, accused_org=zrzy).values_list("pk", flat=True)
    )
    assert visible == expected and visible
    handler = users["zrzy_handler"]
    # A co-unit's handlers follow its cases while they are open (cases.access.visibility).
    co_cases = set(
        CaseOrg.objects.filter(org=zrzy, role="co", case__status__in=OPEN_STATES).values_list("case_id", flat=True)
    )
    assert (
        set(scoped_cases(handler).values_list("pk", flat=True))
        == set(Case.objects.filter(handler=handler).values_list("pk", flat=True)) | co_cases
    )
    # Accusations never show to the accused unit.
    for key in ("baisha", "zrzy"):
        staff = User.objects.filter(org=county.orgs[key]).first()
        assert not scoped_cases(staff).filter(kind=Kind.ACCUSATION, accused_org=county.orgs[key]).exists()

    # The next registration continues the numbering instead of colliding.
    year = timezone.localdate().year
    before = counters.get((bureau.pk, year), 0)
    assert next_case_number(bureau, year).endswith(f"{before + 1:05d}号")

    # Asking for the same total again adds nothing.
    assert generate(500, write=lambda _msg: None)["created"] == 0


def test_the_demo_lists_one_case_for_supervision_and_tells_its_unit(county):
    from xinfang.notifications.models import Notification
    from xinfang.supervision.models import SupervisionItem

    build_demo_cases(county, count=40)
    (item,) = SupervisionItem.objects.filter(kind="listed", issued_by__username="supervisor")
    assert item.status == "open" and item.owed_by_org == item.case.competent_org
    assert Notification.objects.filter(kind__code="supervision.opened", user=item.case.handler).exists()
