"""The hash chains under concurrent writers, with real transactions (PostgreSQL only)."""

import time

import pytest
from django.db import transaction

from xinfang.cases import actions as A
from xinfang.cases import history
from xinfang.cases.models import CaseEvent
from xinfang.cases.tests.test_concurrency import race
from xinfang.devdata.cast import build_cast, make_user
from xinfang.devdata.flow import Flow
from xinfang.orgs import audit
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_concurrent_audit_writers_never_fork_the_days_chain():
    cast = build_cast()
    clerks = [make_user(f"auditor{i}", cast.bureau, "registrar") for i in range(8)]

    def job(i, clerk):
        def run():
            seqs = []
            for n in range(6):
                if (i + n) % 2:
                    seqs.append(audit.record(AuditAction.REVEAL, actor=clerk, target=f"信访人#{n}", reason="核对").seq)
                else:  # inside a longer transaction, as a request that logs and then goes on working
                    with transaction.atomic():
                        seqs.append(audit.record(AuditAction.LOGIN, actor=clerk, target=clerk.username).seq)
                        time.sleep(0.01)
            return seqs

        return run

    results, errors = race(*[job(i, c) for i, c in enumerate(clerks)])
    assert errors == [None] * 8
    ours = sorted(s for r in results for s in r)
    assert len(ours) == len(set(ours)) == 48
    for day in AuditEvent.objects.values_list("day", flat=True).distinct():
        assert list(AuditEvent.objects.filter(day=day).order_by("seq").values_list("seq", flat=True)) == list(
            range(1, AuditEvent.objects.filter(day=day).count() + 1)
        )
    report = history.verify(events=False)
    assert report.ok and report.audit_rows == AuditEvent.objects.count(), report.broken


def test_concurrent_actions_on_one_case_append_one_link_each():
    cast = build_cast()
    case = Flow(cast).handling()
    before = case.version

    def step(i):
        actor = cast.handler if i % 2 else cast.unit_head
        return lambda: A.do_record_step(
            case.pk, actor=actor, kind="investigation", happened_on=case.accepted_on, description=f"走访{i}"
        )

    results, errors = race(*[step(i) for i in range(6)])
    assert errors == [None] * 6
    case.refresh_from_db()
    assert case.version == before + 6
    assert list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", flat=True)) == list(
        range(1, case.version + 1)
    )
    report = history.verify(case_ids=[case.pk], audit=False)
    assert report.ok, report.broken
