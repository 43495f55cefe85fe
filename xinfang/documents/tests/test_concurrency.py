"""Two issues at the same moment, in two real transactions, get two numbers (PostgreSQL only)."""

import pytest

from xinfang.cases.models import CaseEvent
from xinfang.cases.tests.test_concurrency import race
from xinfang.devdata.cast import build_cast
from xinfang.devdata.flow import Flow
from xinfang.documents.actions import do_issue_document
from xinfang.documents.models import Document

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_concurrent_issues_get_two_consecutive_numbers():
    cast = build_cast()
    flow = Flow(cast)
    cases = [flow.replied(), flow.replied(), flow.replied()]
    events = [CaseEvent.objects.get(case=c, action="reply") for c in cases]
    results, errors = race(
        *[
            (lambda c=c, e=e: do_issue_document(c.pk, actor=cast.dept_officer, event=e.pk))
            for c, e in zip(cases, events, strict=True)
        ]
    )
    assert errors == [None, None, None]
    assert sorted(d.serial for d in results) == [1, 2, 3]
    assert Document.objects.values("number").distinct().count() == 3


def test_two_concurrent_issues_of_one_event_make_one_document():
    cast = build_cast()
    case = Flow(cast).replied()
    event = CaseEvent.objects.get(case=case, action="reply")
    results, errors = race(
        lambda: do_issue_document(case.pk, actor=cast.dept_officer, event=event.pk),
        lambda: do_issue_document(case.pk, actor=cast.unit_head, event=event.pk),
    )
    assert sum(r is not None for r in results) == 1, errors
    assert [str(e) for e in errors if e is not None][0].startswith("《处理意见书》已印发")
    assert Document.objects.count() == 1
