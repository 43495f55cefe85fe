"""The batch path of the import writes what the one-case path writes, in a fixed number of queries, and tells no one."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases import outbox
from xinfang.cases.actions import History, Registration, do_import_historical
from xinfang.cases.actions.historical import RuleBook, do_import_historical_many
from xinfang.cases.deadlines import case_deadlines
from xinfang.cases.events import chain_break
from xinfang.cases.models import Case, CaseEvent, Category, OutboxEntry
from xinfang.cases.states import Channel, Kind
from xinfang.clock.models import OrgRuleSet, RuleSet
from xinfang.core import clock as core_clock
from xinfang.notifications.models import Delivery, Notification
from xinfang.petitioners.services import register_petitioner

# (received, decided, closed): before the 2022 regulation, across its start, after, and each state.
HISTORIES = [
    (date(2019, 9, 30), date(2019, 10, 8), None),
    (date(2021, 3, 1), date(2021, 3, 9), date(2021, 4, 20)),
    (date(2022, 4, 29), date(2022, 5, 6), None),
    (date(2022, 4, 30), None, None),
    (date(2023, 2, 1), date(2023, 2, 3), date(2023, 3, 1)),
    (date(2024, 9, 27), date(2024, 10, 8), None),
    (date(2025, 5, 30), None, None),
]


@pytest.fixture
def today(clock):
    clock.set(date(2025, 6, 2))


@pytest.fixture
def leaf(db):
    return Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()


def _items(cast, leaf, prefix):
    items = []
    for n, (received, decided, closed) in enumerate(HISTORIES):
        person = register_petitioner(actor=cast.registrar, kind="person", name=f"王{n}", phones=["13800138000"])
        reg = Registration(
            channel=Channel.VISIT,
            received_at=core_clock.aware(received),
            kind=Kind.CLAIM,
            summary="反映征地补偿款未发放",
            content="反映征地补偿款未发放",
            petitioners=[(person, False)],
            category=leaf,
        )
        history = History(
            ledger_number=f"{prefix}-{n}",
            unit=cast.dept if decided else None,
            decided_at=core_clock.aware(decided) if decided else None,
            closed_at=core_clock.aware(closed) if closed else None,
            satisfaction="满意" if closed else "",
        )
        items.append((reg, history))
    return items


def _what(case: Case):
    """Everything the import decides about a case, but its key, number, petitioner and ledger number (A-n, B-n)."""
    fields = (
        "status",
        "channel",
        "kind",
        "summary",
        "received_at",
        "registered_org_id",
        "current_org_id",
        "routing_org_id",
        "competent_org_id",
        "accepted_on",
        "closed_on",
        "due_date",
        "due_clock",
        "target_date",
        "due_provisional",
        "window_until",
        "version",
        "person_count",
        "is_collective",
    )
    deadlines = [
        (d.clock, d.org_id, d.rule_set.code, d.start, d.days, d.working, d.due_date, d.target_date, d.status, d.met_at)
        for d in case_deadlines(case).select_related("rule_set")
    ]
    participants = sorted(case.participants.values_list("org_id", "role"))
    history = [
        (e.seq, e.action, e.actor_id, e.from_status, e.to_status, e.note[:-5], {**e.data, "ledger_number": ""})
        for e in case.events.order_by("seq")
    ]
    return {f: getattr(case, f) for f in fields}, deadlines, participants, history


def test_a_batch_makes_the_cases_the_one_case_import_makes(cast, leaf, today):
    # The county bureau on the Zhejiang rules from 2023: the rule set is resolved per stretch of days.
    OrgRuleSet.objects.create(
        org=cast.bureau, rule_set=RuleSet.objects.get(code="zhejiang"), effective_from=date(2023, 1, 1)
    )
    one_by_one = [do_import_historical(reg, h, actor=cast.registrar) for reg, h in _items(cast, leaf, "A")]
    batch = do_import_historical_many(_items(cast, leaf, "B"), actor=cast.registrar)
    for mine, reference in zip(batch, one_by_one, strict=True):
        for got, expected in zip(
            _what(Case.objects.get(pk=mine.pk)), _what(Case.objects.get(pk=reference.pk)), strict=True
        ):
            assert got == expected
    # Numbered by the same counter, in order, after the cases already in each year.
    assert batch[0].number == "清河县信访局〔2019〕00002号" and one_by_one[0].number == "清河县信访局〔2019〕00001号"
    for case in batch:
        case = Case.objects.get(pk=case.pk)
        assert chain_break(list(case.events.all()), version=case.version) is None
    old, across = (case_deadlines(batch[i]).select_related("rule_set") for i in (0, 2))
    assert [d.rule_set.code for d in old] == ["national-2005", "national-2005"]
    # Received under the 2005 regulation, decided under the 2022 one: each clock takes the law of its start.
    assert [d.rule_set.code for d in across] == ["national-2005", "national-2022"]
    assert [d.rule_set.code for d in case_deadlines(batch[4]).select_related("rule_set")] == [
        "zhejiang",
        "national-2022",
    ]


def test_a_batch_costs_the_same_queries_whatever_its_size_its_numbers_one_statement_a_year(cast, leaf, today):
    book = RuleBook()
    do_import_historical_many(_items(cast, leaf, "W"), actor=cast.registrar, book=book)  # warm the book
    counts = []
    for prefix, times in (("X", 1), ("Y", 2)):
        items = _items(cast, leaf, prefix) * times
        items = [
            (reg, History(**{**h.__dict__, "ledger_number": f"{h.ledger_number}-{i}"}))
            for i, (reg, h) in enumerate(items)
        ]
        with CaptureQueriesContext(connection) as queries:
            do_import_historical_many(items, actor=cast.registrar, book=book)
        counts.append(len(queries))
        years = {reg.received_at.year for reg, _h in items}
        assert sum("casecounter" in q["sql"].lower() for q in queries.captured_queries) == len(years)
    assert counts[0] == counts[1]


def test_imported_history_reaches_every_consumer_and_tells_no_one(cast, leaf, today):
    cases = do_import_historical_many(_items(cast, leaf, "Q"), actor=cast.registrar)
    events = CaseEvent.objects.filter(case__in=cases)
    assert events.count() == 2 * len(cases)
    assert OutboxEntry.objects.filter(event__in=events).count() == len(outbox.CONSUMERS) * 2 * len(cases)
    for name in list(outbox.CONSUMERS):
        result = outbox.drain(name)
        assert (result.failed, result.retried) == (0, 0), result.errors
    # No SMS to a petitioner, nor anything to staff, about matters long past.
    assert Notification.objects.count() == 0 and Delivery.objects.count() == 0
