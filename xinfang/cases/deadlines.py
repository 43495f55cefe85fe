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
from xinfang.core import clock

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

    if isinstance(when, datetime):
        when = clock.local_date(when)
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


DENORMALISED = ("due_date", "due_clock", "target_date", "due_provisional", "window_until")


def _governing(open_rows) -> dict:
    """The case fields that mirror its open deadlines, given them in due-date order.

    Rows are (clock, due_date, target_date, provisional). The earliest agency
    deadline is the case's due date; the earliest petitioner window is the
    window the lapse sweep watches.
    """
    agency = window = None
    for row in open_rows:
        if row[0] in PETITIONER_WINDOWS:
            window = window or row
        elif agency is None:
            agency = row
    return {
        "due_date": agency[1] if agency else None,
        "due_clock": agency[0] if agency else "",
        "target_date": agency[2] if agency else None,
        "due_provisional": bool((agency and agency[3]) or (window and window[3])),
        "window_until": window[1] if window else None,
    }


_ROW = ("clock", "due_date", "target_date", "provisional")


def sync(case, *, save=True):
    """Copy the governing deadlines onto the case."""
    fields = _governing(open_deadlines(case).order_by("due_date", "pk").values_list(*_ROW))
    for name, value in fields.items():
        setattr(case, name, value)
    if save:
        from xinfang.cases.models import Case

        Case.objects.filter(pk=case.pk).update(**fields)


@receiver(deadlines_recomputed)
def _refresh_cases(sender, owner_type_ids=None, **kwargs):
    """After a calendar or rule change, refresh the cases whose deadlines moved.

    Set-based: one read and one batched UPDATE per thousand cases, because a
    year's schedule changing touches tens of thousands of cases at once.
    """
    from django.db import connection

    from xinfang.cases.models import Case

    ids = sorted(set((owner_type_ids or {}).get(_ct().pk, [])))
    table = connection.ops.quote_name(Case._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(Case._meta.get_field(f).column)} = %s" for f in DENORMALISED)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 — names from the model, values bound
    adapt = connection.ops.adapt_datefield_value
    for start_i in range(0, len(ids), 1000):
        chunk = ids[start_i : start_i + 1000]
        rows: dict[int, list] = {pk: [] for pk in chunk}
        for owner_id, *row in (
            Deadline.objects.filter(owner_type=_ct(), owner_id__in=chunk, status=DeadlineStatus.OPEN)
            .order_by("owner_id", "due_date", "pk")
            .values_list("owner_id", *_ROW)
        ):
            rows[owner_id].append(row)
        params = []
        for pk, open_rows in rows.items():
            f = _governing(open_rows)
            params.append(
                [
                    adapt(f["due_date"]),
                    f["due_clock"],
                    adapt(f["target_date"]),
                    f["due_provisional"],
                    adapt(f["window_until"]),
                    pk,
                ]
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
