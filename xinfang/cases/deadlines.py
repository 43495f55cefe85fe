"""Glue between cases and the clock engine's stored deadlines.

Each statutory clock of a case is a clock.Deadline row owned by the case; the
case keeps a denormalised copy of the one that matters now (`due_date`) and of
the petitioner's open window (`window_until`) so that workbench queries are
plain indexed filters.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xinfang.clock.models import Clock, ClockRule, Deadline, DeadlineStatus, LocalTarget, OrgRuleSet, RuleSet
from xinfang.clock.signals import deadlines_recomputed
from xinfang.core import clock

PETITIONER_WINDOWS = frozenset({Clock.REVIEW_WINDOW, Clock.REEXAM_WINDOW})
# The clock's own logger, so a provisional deadline is logged the same wherever it was opened.
_log = logging.getLogger("xinfang.clock.services")


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


# --- registration: the first clock of a case, without a query per rule ------------------------
#
# Registering a case opens its first clock. ``services.open_deadline`` resolves the rule set
# (two queries), reads the clock rule and the local target (one each) and checks the calendar
# for every deadline it opens; at registration that was half of all the SQL. ``plan`` makes the
# same row from a per-process copy of each rule set's rules, kept while the work calendar is
# the same object: ``get_work_calendar`` checks the calendar's revision token on every call
# (one primary-key read, needed for the due date anyway), and every change to a rule set, a
# rule, a local target or an org's assignment bumps that token (``_rules_changed`` below), so an
# administrator's edit reaches every process at its next registration, as a calendar edit does.


@dataclass(frozen=True)
class Rules:
    """The rule set in force at an org on a day, with its clock rules and local targets."""

    rule_set: RuleSet
    rules: dict[str, ClockRule]
    targets: dict[str, LocalTarget]

    def rule(self, clock_code: str) -> ClockRule:
        rule = self.rules.get(str(clock_code))
        if rule is None:  # the message of clock.rules.rule_in
            raise _services().RuleNotFound(f"规则集“{self.rule_set.name}”未配置“{Clock(clock_code).label}”期限。")
        return rule

    def target(self, key: str) -> LocalTarget:
        target = self.targets.get(key)
        if target is None:  # the message of clock.rules.target_in
            raise _services().RuleNotFound(f"规则集“{self.rule_set.name}”未配置本地承诺时限“{key}”。")
        return target


_RULES_LIMIT = 4096
_rules_lock = threading.Lock()
_rules_cache: dict[tuple[int, str, date], Rules] = {}
_rules_calendar: list = [None]  # the WorkCalendar object the cached rules were read with


def calendar():
    """The stored work calendar (``services.get_work_calendar``: one read of its revision token)."""
    return _services().get_work_calendar()


def rules_at(org, on: date, cal=None) -> Rules:
    """The rules in force at ``org`` on ``on`` (``clock.rules.resolve_rule_set``), cached per process.

    ``cal`` is the calendar the caller just took from ``get_work_calendar`` (taken here if not
    given); a new calendar object means a revision changed, and the copies are read again.
    Raises ``RuleNotFound`` when no rule set is in force.
    """
    cal = cal if cal is not None else _services().get_work_calendar()
    key = (org.pk, org.path, on)  # the path: an org moved under another parent inherits anew
    with _rules_lock:
        if _rules_calendar[0] is not cal:
            _rules_cache.clear()
            _rules_calendar[0] = cal
        found = _rules_cache.get(key)
    if found is not None:
        return found
    rule_set = _services().resolve_rule_set(org, on).rule_set
    found = Rules(
        rule_set,
        {r.clock: r for r in ClockRule.objects.filter(rule_set=rule_set)},
        {t.key: t for t in LocalTarget.objects.filter(rule_set=rule_set)},
    )
    with _rules_lock:
        if _rules_calendar[0] is cal:
            if len(_rules_cache) >= _RULES_LIMIT:
                _rules_cache.clear()
            _rules_cache[key] = found
    return found


def plan(clock_code, day, *, org, rules: Rules, cal, target_key=None) -> Deadline:
    """The deadline ``start`` would open, unsaved and without its owner (the case is not saved yet).

    The same row as ``services.open_deadline``: the rule copied from the rule set in force
    at ``org`` on ``day``, due and target dates on the stored calendar. The caller sets
    ``owner_id`` once the case has one and saves the rows together (``save_planned``).
    """
    clock_code = Clock(clock_code)
    if clock_code == Clock.EXTENSION:
        raise ValueError("“延期上限”是办理期限的延期额度，不能单独计时，请使用 extend()。")
    rule = rules.rule(clock_code)
    target = rules.target(target_key) if target_key else None
    deadline = Deadline(
        owner_type=_ct(),
        org=org,
        clock=clock_code,
        rule_set=rules.rule_set,
        start=day,
        days=rule.days,
        working=rule.working,
        roll_forward=rule.roll_forward,
        target_key=target_key or "",
        target_days=target.days if target else None,
        target_working=target.working if target else False,
    )
    # A new deadline has no pause or extension, so this is services._compute for it.
    due = _services().due_for(day, rule.days, working=rule.working, roll_forward=rule.roll_forward, cal=cal)
    deadline.due_date, deadline.provisional, deadline.paused = due.due, due.provisional, False
    if target is not None:
        goal = _services().due_for(day, target.days, working=target.working, cal=cal)
        deadline.target_date = goal.due
        deadline.provisional = deadline.provisional or goal.provisional
    return deadline


def save_planned(case, planned: list[Deadline]) -> None:
    """Insert the planned deadlines of the now saved ``case`` in one statement."""
    for d in planned:
        d.owner_id = case.pk
    Deadline.objects.bulk_create(planned)
    for d in planned:
        if d.provisional:
            # DESIGN §4: a computation reaching an unloaded year says so in the log too.
            _log.warning(
                "provisional deadline %s (%s, start %s, due %s): calendar year not loaded",
                d.pk,
                d.clock,
                d.start,
                d.due_date,
            )


def governing(planned: list[Deadline]) -> dict:
    """The case fields ``sync`` would copy from these (its only open) deadlines."""
    rows = sorted(((d.clock, d.due_date, d.target_date, d.provisional) for d in planned), key=lambda r: r[1])
    return _governing(rows)


def _rules_changed(sender, **kwargs):
    from xinfang.clock.workcalendar import bump_calendar_revision

    bump_calendar_revision()


for _model in (RuleSet, ClockRule, LocalTarget, OrgRuleSet):
    for _signal in (post_save, post_delete):
        _signal.connect(_rules_changed, sender=_model, dispatch_uid=f"cases_rules_changed_{_model.__name__}_{_signal}")


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
