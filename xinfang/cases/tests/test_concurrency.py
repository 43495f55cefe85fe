"""Two people acting on one case at the same moment, with real transactions (PostgreSQL only).

serialized_rollback restores the rows the migrations seed (rule sets, calendar, categories),
which a transactional test otherwise flushes.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from xinfang.cases import actions as A
from xinfang.cases.errors import Conflict, InvalidTransition
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.numbering import next_case_number
from xinfang.devdata.cast import build_cast, make_user
from xinfang.devdata.flow import Flow, make_petitioner, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(*jobs):
    """Run each job in its own thread and connection, released together; return (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def run(i, job):
        try:
            close_old_connections()
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results, errors


def test_two_officers_assigning_at_once_one_wins_the_other_is_refused():
    cast = build_cast()
    second = make_user("officer2", cast.bureau, "petition_officer")
    case = Flow(cast).register()
    results, errors = race(
        lambda: A.do_assign(case.pk, actor=cast.officer, lead_org=cast.dept),
        lambda: A.do_forward(case.pk, actor=second, to_org=cast.dept2),
    )
    wins = [r for r in results if r is not None]
    assert len(wins) == 1, errors
    assert sum(isinstance(e, InvalidTransition) for e in errors) == 1, errors
    case.refresh_from_db()
    assert case.status in ("assigned", "forwarded") and case.version == 2
    assert CaseEvent.objects.filter(case=case).exclude(action="register").count() == 1


def test_accept_against_decline_at_once_exactly_one_decision_stands():
    cast = build_cast()
    flow = Flow(cast)
    case = flow.sign_for(flow.forward(flow.register()))
    results, errors = race(
        lambda: A.do_accept(case.pk, actor=cast.dept_officer),
        lambda: A.do_decline(case.pk, actor=cast.dept_officer, reason="不属于受理范围"),
    )
    assert sum(r is not None for r in results) == 1, errors
    assert sum(isinstance(e, InvalidTransition) for e in errors) == 1, errors
    case.refresh_from_db()
    decided = CaseEvent.objects.filter(case=case, action__in=["accept", "decline"])
    assert decided.count() == 1 and case.status == {"accept": "handling", "decline": "declined"}[decided.get().action]


def test_two_forms_opened_on_the_same_version_one_gets_a_conflict():
    cast = build_cast()
    flow = Flow(cast)
    case = flow.handling()
    v = case.version
    results, errors = race(
        lambda: A.do_record_step(
            case.pk,
            actor=cast.handler,
            kind="investigation",
            happened_on=case.accepted_on,
            description="走访",
            expected_version=v,
        ),
        lambda: A.do_record_step(
            case.pk,
            actor=cast.unit_head,
            kind="mediation",
            happened_on=case.accepted_on,
            description="调解",
            expected_version=v,
        ),
    )
    assert sum(r is not None for r in results) == 1, errors
    assert sum(isinstance(e, Conflict) for e in errors) == 1, errors
    assert Case.objects.get(pk=case.pk).steps.count() == 1


def test_concurrent_registrations_never_duplicate_or_skip_a_case_number():
    cast = build_cast()
    clerks = [cast.registrar, cast.officer] + [make_user(f"clerk{i}", cast.bureau, "registrar") for i in range(6)]
    people = {c.pk: make_petitioner(c) for c in clerks}

    def clerk_job(clerk):
        def job():
            return [register(clerk, petitioners=[(people[clerk.pk], True)]).number for _ in range(5)]

        return job

    results, errors = race(*[clerk_job(c) for c in clerks])
    assert errors == [None] * 8
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == len(set(numbers)) == 40
    seqs = sorted(int(n[-6:-1]) for n in numbers)
    assert seqs == list(range(1, 41))


def test_the_first_number_of_a_year_is_allocated_once_under_a_race():
    cast = build_cast()
    results, errors = race(*[lambda: next_case_number(cast.dept, 2031) for _ in range(6)])
    assert errors == [None] * 6
    assert sorted(results) == [f"清河县自然资源局〔2031〕{i:05d}号" for i in range(1, 7)]
