"""Case numbers: printed like the bureau's, from a locked counter per org and year."""

import re
from datetime import datetime

from django.utils import timezone

from xinfang.cases.models import Case, CaseCounter
from xinfang.cases.numbering import next_case_number, next_case_numbers
from xinfang.devdata.flow import make_petitioner, register

PATTERN = re.compile(r"^(?P<org>.+)〔(?P<year>\d{4})〕(?P<seq>\d{5})号$")


def received(y, m=6, d=1):
    return timezone.make_aware(datetime(y, m, d, 9))


def test_the_number_is_the_org_the_year_and_a_five_digit_sequence(flow):
    case = flow.register(received_at=received(2025))
    assert case.number == "清河县信访局〔2025〕00001号"
    assert PATTERN.match(case.number)


def test_numbers_of_one_org_and_year_increase_without_gaps(flow):
    numbers = [flow.register(received_at=received(2025)).number for _ in range(12)]
    seqs = [int(PATTERN.match(n)["seq"]) for n in numbers]
    assert seqs == list(range(1, 13))


def test_each_org_and_each_year_has_its_own_sequence(cast, flow):
    a = flow.register(received_at=received(2025))
    b = flow.register(received_at=received(2024, 12, 31))
    c = flow.register(received_at=received(2025))
    p = make_petitioner(cast.dept_officer)
    d = register(cast.dept_officer, petitioners=[(p, True)], received_at=received(2025))
    assert a.number.endswith("〔2025〕00001号") and c.number.endswith("〔2025〕00002号")
    assert b.number == "清河县信访局〔2024〕00001号"  # the year of receipt, not of registration
    assert d.number == "清河县自然资源局〔2025〕00001号"


def test_the_short_name_is_printed_when_the_org_has_one(cast, flow):
    cast.bureau.short_name = "清信"
    cast.bureau.save()
    assert flow.register(received_at=received(2025)).number == "清信〔2025〕00001号"


def test_numbers_come_from_the_counter_never_from_max_plus_one(cast, flow):
    first = flow.register(received_at=received(2025))
    flow.register(received_at=received(2025))
    CaseCounter.objects.filter(org=cast.bureau, year=2025).update(value=41)
    assert flow.register(received_at=received(2025)).number.endswith("00042号")
    assert first.number.endswith("00001号")


def test_a_failed_registration_leaves_no_gap(cast, flow):
    import pytest

    from xinfang.cases.errors import Invalid

    flow.register(received_at=received(2025))
    with pytest.raises(Invalid):
        flow.register(received_at=received(2025), channel="referred")  # no referring org
    assert flow.register(received_at=received(2025)).number.endswith("00002号")


def test_next_case_number_creates_the_first_counter_of_a_year(cast):
    assert next_case_number(cast.dept2, 2026) == "清河县住房和城乡建设局〔2026〕00001号"
    assert next_case_number(cast.dept2, 2026) == "清河县住房和城乡建设局〔2026〕00002号"
    assert CaseCounter.objects.get(org=cast.dept2, year=2026).value == 2


def test_a_block_of_numbers_continues_the_same_counter_without_gaps(cast):
    """A ledger import's batch takes a year's numbers in one statement, from the counter any registration uses."""
    assert next_case_numbers(cast.dept2, 2019, 3) == [
        "清河县住房和城乡建设局〔2019〕00001号",
        "清河县住房和城乡建设局〔2019〕00002号",
        "清河县住房和城乡建设局〔2019〕00003号",
    ]
    assert next_case_number(cast.dept2, 2019) == "清河县住房和城乡建设局〔2019〕00004号"
    assert next_case_numbers(cast.dept2, 2019, 2) == [
        "清河县住房和城乡建设局〔2019〕00005号",
        "清河县住房和城乡建设局〔2019〕00006号",
    ]
    assert next_case_numbers(cast.dept2, 2019, 0) == []
    assert CaseCounter.objects.get(org=cast.dept2, year=2019).value == 6


def test_a_registered_case_can_never_be_deleted(cast, flow):
    """Its history protects it, so a number once handed out is never orphaned or reused."""
    import pytest
    from django.db.models import ProtectedError

    case = flow.register(received_at=received(2025))
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()
    assert Case.objects.filter(pk=case.pk).exists()
