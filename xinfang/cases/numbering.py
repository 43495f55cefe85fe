"""Case numbers as the bureau prints them, from a locked per-org, per-year counter."""

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.cases.models import CaseCounter


def number_prefix(org) -> str:
    return org.short_name or org.name


def next_case_number(org, year: int) -> str:
    """Allocate the next number; never max()+1, which races under load."""
    with transaction.atomic():
        for _attempt in range(3):
            updated = CaseCounter.objects.filter(org=org, year=year).update(value=F("value") + 1)
            if updated:
                break
            try:
                with transaction.atomic():
                    CaseCounter.objects.create(org=org, year=year, value=1)
                break
            except IntegrityError:
                continue  # a concurrent first case of the year created it; take the update path
        value = CaseCounter.objects.filter(org=org, year=year).values_list("value", flat=True).get()
    return f"{number_prefix(org)}〔{year}〕{value:05d}号"
