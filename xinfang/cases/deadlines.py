"""Glue between cases and the clock engine's stored deadlines.

Each statutory clock of a case is a clock.Deadline row owned by the case; the
case keeps a denormalised copy of the one that matters now (`due_date`) and of
the petitioner's open window (`window_until`) so that workbench queries are
plain indexed filters.
"""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from xinfang.clock.models import Clock, Deadline, DeadlineStatus
from xinfang.clock.signals import deadlines_recomputed

PETITIONER_WINDOWS = frozenset({Clock.REVIEW_WINDOW, Clock.REEXAM_WINDOW})


def _ct():
    from xinfang.cases.models import Case

    return ContentType.objects.get_for_model(Case)


def open_deadlines(case):
    return Deadline.objects.filter(owner_type=_ct(), owner_id=case.pk, status=DeadlineStatus.OPEN)


def case_deadlines(case):
    return Deadline.objects.filter(owner_type=_ct(), owner_id=case.pk).order_by("start", "pk")


def _services():
    from xinfang.clock import services

    return services


def start(case, clock_code, day, *, org, target_key=None):
    return _services().open_deadline(case, org=org, clock=clock_code, start=day, target_key=target_key)


def meet(case, clock_code, when):
    from datetime import datetime

    from django.utils import timezone

    if isinstance(when, datetime):
        when = timezone.localtime(when).date()
    for d in open_deadlines(case).filter(clock=clock_code):
        _services().meet(d, when)


def cancel(case, *clock_codes):
    qs = open_deadlines(case)
    if clock_codes:
        qs = qs.filter(clock__in=clock_codes)
    for d in qs:
        _services().cancel(d)


def _as_invalid(call, field):
    """The clock's refusals (in Chinese) become the action's error at the form field."""
    from xinfang.cases.errors import Invalid

    try:
        call()
    except _services().DeadlineError as exc:
        raise Invalid(str(exc), field=field) from exc


def extend(case, clock_code, days, *, field=None):
    for d in open_deadlines(case).filter(clock=clock_code):
        _as_invalid(lambda d=d: _services().extend(d, days), field)


def pause(case, clock_code, day, *, field=None):
    for d in open_deadlines(case).filter(clock=clock_code):
        _as_invalid(lambda d=d: _services().pause(d, day), field)


def resume(case, clock_code, day, *, field=None):
    for d in open_deadlines(case).filter(clock=clock_code):
        _as_invalid(lambda d=d: _services().resume(d, day), field)


def sync(case, *, save=True):
    """Copy the governing deadlines onto the case."""
    agency = None
    window = None
    for d in open_deadlines(case).order_by("due_date"):
        if d.clock in PETITIONER_WINDOWS:
            window = window or d
        elif agency is None:
            agency = d
    case.due_date = agency.due_date if agency else None
    case.due_clock = agency.clock if agency else ""
    case.target_date = agency.target_date if agency else None
    case.due_provisional = bool((agency and agency.provisional) or (window and window.provisional))
    case.window_until = window.due_date if window else None
    if save:
        from xinfang.cases.models import Case

        Case.objects.filter(pk=case.pk).update(
            due_date=case.due_date,
            due_clock=case.due_clock,
            target_date=case.target_date,
            due_provisional=case.due_provisional,
            window_until=case.window_until,
        )


@receiver(deadlines_recomputed)
def _refresh_cases(sender, owner_type_ids=None, **kwargs):
    """After a calendar or rule change, refresh the cases whose deadlines moved."""
    from xinfang.cases.models import Case

    ids = (owner_type_ids or {}).get(_ct().pk, [])
    for start_i in range(0, len(ids), 1000):
        for case in Case.objects.filter(pk__in=ids[start_i : start_i + 1000]):
            sync(case)
