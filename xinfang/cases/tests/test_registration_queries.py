"""Registration's SQL: pinned per surface, and the cached rules it relies on stay true.

A registration over the API or the screen is a handful of look-ups (who acts, the
petitioners, the category, the same person's other matters, the calendar's revision) and one
write per table it fills. The statutory rules come from a per-process copy that the calendar's
revision token keeps current (``cases.deadlines.rules_at``); the tests below show an
administrator's edit reaching the next registration, also from "another process".

The test's own transaction turns the screen's ``transaction.atomic`` into a savepoint; in
production that is the request's BEGIN/COMMIT, so savepoint statements are counted apart.
"""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.api.models import ApiToken
from xinfang.cases import deadlines
from xinfang.cases.models import Case, CaseCounter
from xinfang.cases.tests.test_views import reg_data
from xinfang.clock import services
from xinfang.clock.models import CalendarRevision, Clock, ClockRule, OrgRuleSet, RuleSet
from xinfang.devdata.flow import make_petitioner, register

pytestmark = pytest.mark.django_db

SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
# Rule and calendar tables registration no longer reads while its copies are current.
RULE_TABLES = (
    '"clock_ruleset"',
    '"clock_orgruleset"',
    '"clock_clockrule"',
    '"clock_localtarget"',
    '"clock_calendarday"',
)


class Captured:
    def __init__(self, ctx):
        self.sql = [q["sql"] for q in ctx.captured_queries]
        self.statements = [s for s in self.sql if not s.startswith(SAVEPOINTS)]
        self.savepoints = [s for s in self.sql if s.startswith(SAVEPOINTS)]

    def listing(self) -> str:
        return "\n".join(f"{i:2d}. {s[:150]}" for i, s in enumerate(self.statements, 1))

    def count(self, prefix: str) -> int:
        return sum(1 for s in self.statements if s.startswith(prefix))


def api_body(petitioner, **extra):
    return {
        "petitioners": [{"id": petitioner.pk, "is_representative": True}],
        "channel": "visit",
        "received_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "kind": "claim",
        "person_count": 1,
        "place_code": "330781",
        "place_name": "清河县东岗镇",
        "summary": "反映征地补偿款未发放",
        "content": "信访人反映其承包地被征收后补偿款至今未发放到位，请求依法支付。",
        "category": "0101",
        **extra,
    }


@pytest.fixture
def api(cast, client):
    """POST /api/v1/cases as the county registrar, with the process's copies warm (one registration before)."""
    headers = {"Authorization": f"Bearer {ApiToken.issue(cast.registrar, 'test')[1]}"}

    def post(body):
        return client.post("/api/v1/cases", data=json.dumps(body), content_type="application/json", headers=headers)

    assert post(api_body(make_petitioner(cast.registrar, name="预热"))).status_code == 201
    return post


def capture(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return response, Captured(ctx)


def test_an_api_registration_of_a_new_petitioners_case_costs_fourteen_statements_answer_included(cast, api):
    person = make_petitioner(cast.registrar, name="新信访人")
    response, q = capture(lambda: api(api_body(person)))
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
    # 1 token, 2-3 the registrar's grants and roles, 4 the petitioners, 5 the category, 6 the
    # same person's matters, 7 the counter (one upsert), 8 the calendar's revision, 9-14 the
    # case, its petitioner links, its participant orgs, its deadline, its event, its outbox
    # entries. The answer shows the rows just written (intake.as_registered), read from nowhere.
    assert len(q.statements) == 14, q.listing()
    assert q.savepoints == []  # no savepoint: the registration is the request's transaction
    assert q.statements[-1].startswith('INSERT INTO "cases_outboxentry"')
    assert q.count('INSERT INTO "cases_casecounter"') == 1 and q.count('UPDATE "cases_casecounter"') == 0
    assert q.count('UPDATE "cases_case"') == 0  # written once, with its due date
    assert not [
        s for s in q.statements if s.startswith("SELECT") and any(t in s.split(" WHERE ")[0] for t in RULE_TABLES)
    ]
    assert not [s for s in q.statements if s.startswith('SELECT "cases_caseevent"')]  # a new chain starts in memory


def test_the_api_answer_is_the_case_as_the_detail_endpoint_reads_it(cast, api, client):
    person = make_petitioner(cast.registrar, name="新信访人")
    created = api(api_body(person, urgency="urgent", referring_org_id=None)).json()
    token = ApiToken.issue(cast.registrar, "read")[1]
    read = client.get(f"/api/v1/cases/{created['case']['id']}", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200
    assert created["case"] == read.json()


def test_an_api_registration_that_finds_an_earlier_matter_costs_one_more(cast, api):
    person = make_petitioner(cast.registrar, name="老信访人")
    assert api(api_body(person)).status_code == 201
    response, q = capture(lambda: api(api_body(person)))
    assert response.status_code == 201
    assert [w["code"] for w in response.json()["warnings"]] == ["repeat"]
    assert len(q.statements) == 15, q.listing()  # which of the matters found the registrar may open


def test_the_screen_registers_a_chosen_petitioners_case_in_fifteen_statements(cast, login):
    person = make_petitioner(cast.registrar, name="新信访人")
    client = login(cast.registrar)
    client.post("/cases/new/", reg_data([make_petitioner(cast.registrar, name="预热")]))  # warm the copies
    data = reg_data([person])
    response, q = capture(lambda: client.post("/cases/new/", data))
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert response["Location"] == f"/cases/{case.pk}/"
    # 1-2 the session and the user with its org, 3 the roles, 4 the grants, 5 the chosen
    # petitioners, 6 the category, 7 the matters, 8 the counter, 9 the calendar's revision,
    # 10-15 the case, links, orgs, deadline, event, outbox.
    assert len(q.statements) == 15, q.listing()
    assert len(q.savepoints) == 2  # the view's own transaction: BEGIN/COMMIT outside a test
    assert not [
        s for s in q.statements if s.startswith("SELECT") and any(t in s.split(" WHERE ")[0] for t in RULE_TABLES)
    ]


def test_the_screen_registers_a_quick_created_petitioners_case_in_fifteen_statements(cast, login):
    client = login(cast.registrar)
    client.post("/cases/new/", reg_data([make_petitioner(cast.registrar, name="预热")]))
    data = reg_data([])
    data["new_petitioner"] = [
        json.dumps({"key": "n1", "name": "新人甲", "id": "", "phone": "13812345678", "address": ""})
    ]
    data["rep"] = ["new-n1"]
    response, q = capture(lambda: client.post("/cases/new/", data))
    assert response.status_code == 302
    # The person and their phone are two inserts; a new person has no petitioners to read back
    # and no matters to look up.
    assert len(q.statements) == 15, q.listing()
    assert Case.objects.latest("pk").case_petitioners.get().petitioner.name == "新人甲"


# ---------------------------------------------------------------- the copies of the rules stay true


def _routing(case):
    return deadlines.open_deadlines(case).get(clock=Clock.ROUTING)


def test_an_edited_rule_governs_the_next_registration_at_once(cast, flow):
    assert _routing(flow.register()).days == 15  # the copy is warm now
    rule = ClockRule.objects.get(rule_set__code="national-2022", clock=Clock.ROUTING)
    rule.days = 10
    rule.save()
    assert _routing(flow.register()).days == 10


def test_an_edit_made_by_another_process_is_seen_through_the_calendars_revision(cast, flow):
    """Another process's edit reaches this one only through the database: its receiver wrote a new token."""
    assert _routing(flow.register()).days == 15
    ClockRule.objects.filter(rule_set__code="national-2022", clock=Clock.ROUTING).update(days=12)
    assert _routing(flow.register()).days == 15  # no signal, no new token: this process still has its copy
    CalendarRevision.objects.filter(pk=1).update(token="written-by-another-process")
    assert _routing(flow.register()).days == 12


def test_assigning_a_rule_set_to_the_county_changes_the_next_acceptance_clock(cast):
    dept_case = register(cast.dept_officer)
    assert deadlines.open_deadlines(dept_case).get(clock=Clock.ACCEPTANCE).working is False
    OrgRuleSet.objects.create(
        org=cast.county, rule_set=RuleSet.objects.get(code="zhejiang"), effective_from=date(2022, 5, 1)
    )
    acceptance = deadlines.open_deadlines(register(cast.dept_officer)).get(clock=Clock.ACCEPTANCE)
    assert (acceptance.days, acceptance.working) == (5, True)


def test_every_rule_edit_writes_a_new_calendar_revision(cast):
    def token():
        return CalendarRevision.objects.get(pk=1).token

    before = token()
    rule = ClockRule.objects.get(rule_set__code="national-2022", clock=Clock.HANDLING)
    rule.save()
    after_rule = token()
    assignment = OrgRuleSet.objects.create(
        org=cast.city, rule_set=RuleSet.objects.get(code="zhejiang"), effective_from=date(2030, 1, 1)
    )
    after_assignment = token()
    assignment.delete()
    assert len({before, after_rule, after_assignment, token()}) == 4


@pytest.mark.parametrize("clock_code", [c for c in Clock if c != Clock.EXTENSION])
@pytest.mark.parametrize("target_key", [None, "urgency:急", "leader_instruction"])
def test_a_planned_deadline_is_the_row_open_deadline_writes(cast, flow, clock_code, target_key):
    case = flow.register()
    day = date(2026, 9, 28)  # before the National Day holiday: a working-day clock crosses it
    opened = services.open_deadline(case, org=cast.bureau, clock=clock_code, start=day, target_key=target_key)
    cal = deadlines.calendar()
    planned = deadlines.plan(
        clock_code,
        day,
        org=cast.bureau,
        rules=deadlines.rules_at(cast.bureau, day, cal),
        cal=cal,
        target_key=target_key,
    )
    fields = [
        f.attname
        for f in opened._meta.concrete_fields
        if f.attname not in ("id", "owner_id", "created_at", "updated_at")
    ]
    assert {f: getattr(planned, f) for f in fields} == {f: getattr(opened, f) for f in fields}


def test_a_missing_rule_refuses_the_registration_and_leaves_no_number_taken(cast, flow):
    from xinfang.clock.rules import RuleNotFound

    flow.register()
    ClockRule.objects.filter(rule_set__code="national-2022", clock=Clock.ROUTING).delete()
    CalendarRevision.objects.filter(pk=1).update(token="rules-changed")  # a bulk delete sends no signal
    with pytest.raises(RuleNotFound, match="未配置“交转办”期限"):
        flow.register()
    assert CaseCounter.objects.get(org=cast.bureau, year=timezone.localdate().year).value == 1
