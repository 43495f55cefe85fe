"""Due-date arithmetic for the statutory clocks of 信访 work.

Pure functions over plain dates: no Django, no database, no ``chinesecalendar``.
The Django layer loads the official schedule (and administrators' edits) into a
``WorkCalendar`` and passes it in, so the same arithmetic serves views, workers,
benchmarks and tests, and recomputing every open deadline after a calendar edit
is just calling these functions again.

Counting rules (DESIGN.md §4):

* The trigger day is not counted (民法典 art 201): a period of N days that
  starts on day S ends on the Nth counted day after S.
* Calendar-day periods count every day; working-day periods count the days the
  official calendar marks as working, including make-up working days (调休)
  that fall on a weekend.
* Days inside a pause (e.g. a hearing, 条例 art 36) are not counted.
* Whether a calendar-day period ending on a rest day rolls forward is a policy
  of the rule set, so it is a flag here rather than a built-in behaviour.

The hot paths work on date ordinals and jump over runs of ordinary weekdays in
O(1), touching only the handful of calendar overrides in range, because the
Django layer recomputes deadlines in bulk (10^5 per benchmark run).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "DueResult",
    "Pause",
    "Urgency",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "classify",
    "compute_due",
    "remaining_days",
    "roll_forward",
    "working_days_between",
]


# --- weekday arithmetic on ordinals ----------------------------------------
# date(1, 1, 1) has ordinal 1 and is a Monday, so ordinal o falls on weekday
# (o - 1) % 7 and the ordinals 1..7 run Monday..Sunday. That lets us count
# ordinary Mon–Fri days in closed form instead of walking day by day.


def _weekdays_upto(o: int) -> int:
    """Number of Mon–Fri days among ordinals 1..o."""
    weeks, rest = divmod(o, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday_after(o: int, n: int) -> int:
    """Ordinal of the nth Mon–Fri day after ordinal o (n >= 1), ignoring holidays."""
    # Invert _weekdays_upto: the smallest x with _weekdays_upto(x) == target.
    weeks, rest = divmod(_weekdays_upto(o) + n, 5)
    if rest == 0:
        return 7 * weeks - 2  # the Friday that completes week `weeks`
    return 7 * weeks + rest


# --- calendar -----------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Per-date overrides plus the set of years whose official schedule is loaded.

    A date listed in ``holidays`` is a rest day and one listed in ``workdays``
    is a working day whatever its weekday; every other date follows the
    default Mon–Fri working week. ``covered_years`` records which years have
    an official schedule loaded, so a computation that strays outside them can
    be flagged as provisional instead of silently trusting the weekend rule.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    covered_years: frozenset[int] = frozenset()

    # Derived, immutable lookup tables. Only the overrides that change the
    # default answer matter for counting (a holiday on a Saturday changes
    # nothing), so they are kept as sorted ordinals for bisecting.
    _off_weekdays: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _on_weekends: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _overrides: tuple[tuple[int, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Accept any iterable from callers but store frozensets, so the
        # calendar stays hashable and cannot be mutated behind our back.
        holidays = frozenset(self.holidays)
        workdays = frozenset(self.workdays)
        covered = frozenset(int(y) for y in self.covered_years)
        clash = holidays & workdays
        if clash:
            # Silently picking one would hide a data-entry mistake that moves deadlines.
            raise ValueError(f"dates listed as both holiday and workday: {sorted(clash)[:5]}")
        off = tuple(sorted(d.toordinal() for d in holidays if d.weekday() < 5))
        on = tuple(sorted(d.toordinal() for d in workdays if d.weekday() >= 5))
        merged = sorted([(o, False) for o in off] + [(o, True) for o in on])
        set_ = object.__setattr__  # frozen dataclass: only __post_init__ may fill these
        set_(self, "holidays", holidays)
        set_(self, "workdays", workdays)
        set_(self, "covered_years", covered)
        set_(self, "_off_weekdays", off)
        set_(self, "_on_weekends", on)
        set_(self, "_overrides", tuple(merged))

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[date, bool]], covered_years: Iterable[int] = ()) -> WorkCalendar:
        """Build from ``(date, is_workday)`` rows, as stored in the calendar table.

        A later row for the same date replaces an earlier one, so an
        administrator's correction appended after the imported schedule wins.
        """
        status: dict[date, bool] = {}
        for d, is_workday in entries:
            status[d] = bool(is_workday)
        return cls(
            holidays=frozenset(d for d, work in status.items() if not work),
            workdays=frozenset(d for d, work in status.items() if work),
            covered_years=frozenset(covered_years),
        )

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def is_covered(self, d: date) -> bool:
        return d.year in self.covered_years

    # Ordinal-level helpers used by the module functions below.

    def _is_workday_ord(self, o: int) -> bool:
        return self.is_workday(date.fromordinal(o))

    def _working_between(self, a: int, b: int) -> int:
        """Working days in the ordinal range (a, b]; 0 if b <= a."""
        if b <= a:
            return 0
        off = bisect_right(self._off_weekdays, b) - bisect_right(self._off_weekdays, a)
        on = bisect_right(self._on_weekends, b) - bisect_right(self._on_weekends, a)
        return _weekdays_upto(b) - _weekdays_upto(a) - off + on

    def _nth_working_after(self, a: int, n: int) -> int:
        """Ordinal of the nth working day after ordinal a (n >= 1)."""
        # Walk the overrides after `a` in date order. Between two overrides
        # every day follows the plain weekday rule, so each gap is skipped in
        # O(1); the loop runs once per override actually inside the period.
        overrides = self._overrides
        i = bisect_right(overrides, (a, True))
        cur, remaining = a, n
        while i < len(overrides):
            o, is_work = overrides[i]
            plain = _weekdays_upto(o - 1) - _weekdays_upto(cur)
            if plain >= remaining:
                break
            remaining -= plain
            if is_work:  # a make-up day on a weekend counts
                remaining -= 1
                if remaining == 0:
                    return o
            # A weekday holiday simply isn't counted; move past it.
            cur = o
            i += 1
        return _nth_weekday_after(cur, remaining)

    def _roll_forward_ord(self, o: int) -> int:
        if self._is_workday_ord(o):
            return o
        return self._nth_working_after(o, 1)

    def _covers_span(self, first: date, last: date) -> bool:
        """Whether every year touched by [first, last] has a schedule loaded."""
        if last < first:
            return True
        years = self.covered_years
        return all(y in years for y in range(first.year, last.year + 1))


# --- results and inputs ------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """The clock is stopped from ``start`` through ``end`` inclusive.

    ``end`` is None while the pause is still running (e.g. a hearing whose
    conclusion has not been recorded).
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class DueResult:
    """A computed due date and how far it can be trusted.

    ``provisional`` means some day in the period fell in a year with no
    official schedule loaded, so weekends-only was assumed and the date may
    move once that year's schedule is imported. ``paused`` means an open pause
    that began on or before the due date has stopped the clock; ``due`` is then
    a lower bound computed as if the clock resumed the day after ``as_of``, and
    it moves later each day the pause stays open. (An open pause that began
    after the due date came too late to stop anything, so it is not reported.)
    """

    due: date
    provisional: bool
    paused: bool = False


class Urgency(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


# --- public arithmetic ----------------------------------------------------------


def _check_days(days: int, what: str = "days") -> None:
    if days < 0:
        raise ValueError(f"{what} must not be negative, got {days}")


def add_calendar_days(start: date, days: int) -> date:
    """The day ``days`` calendar days after ``start`` (trigger day not counted)."""
    _check_days(days)
    return start + timedelta(days=days)


def add_working_days(start: date, days: int, cal: WorkCalendar) -> DueResult:
    """The ``days``-th working day after ``start`` (trigger day not counted).

    ``days == 0`` returns ``start`` itself, whatever kind of day it is: a
    zero-length period ends where it begins.
    """
    _check_days(days)
    if days == 0:
        return DueResult(start, provisional=False)
    due = date.fromordinal(cal._nth_working_after(start.toordinal(), days))
    return DueResult(due, provisional=not cal._covers_span(start + timedelta(days=1), due))


def roll_forward(d: date, cal: WorkCalendar) -> DueResult:
    """``d`` if it is a working day, otherwise the next working day."""
    rolled = date.fromordinal(cal._roll_forward_ord(d.toordinal()))
    return DueResult(rolled, provisional=not cal._covers_span(d, rolled))


def working_days_between(start: date, end: date, cal: WorkCalendar) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    return cal._working_between(start.toordinal(), end.toordinal())


def _pause_intervals(pauses: Sequence[Pause], as_of: date | None) -> tuple[list[tuple[int, int]], list[int]]:
    """Pauses as ordinal intervals sorted by start, plus the starts of open ones."""
    intervals: list[tuple[int, int]] = []
    open_starts: list[int] = []
    for p in pauses:
        end = p.end
        if end is None:
            if as_of is None:
                # Reading the wall clock here would make the engine impure and
                # the result depend on when it ran; the caller must say when.
                raise ValueError("an open pause needs as_of to know how long it has run")
            open_starts.append(p.start.toordinal())
            end = as_of
            if end < p.start:
                continue  # opened after as_of: nothing has elapsed yet
        intervals.append((p.start.toordinal(), end.toordinal()))
    intervals.sort()
    return intervals, open_starts


def compute_due(
    start: date,
    days: int,
    cal: WorkCalendar,
    *,
    working: bool,
    roll_forward: bool = False,
    pauses: Sequence[Pause] = (),
    extension_days: int = 0,
    as_of: date | None = None,
) -> DueResult:
    """Due date of a statutory period of ``days`` (+ ``extension_days``) after ``start``.

    ``working`` selects working days instead of calendar days; the extension
    is in the same unit. Days inside ``pauses`` are not counted: for a
    calendar clock every paused day pushes the due date by one, for a
    working clock only paused working days do. An open pause (``end=None``) is
    taken to run through ``as_of`` and the result is flagged ``paused``.
    ``roll_forward`` moves a calendar-day due date off a rest day; a
    working-day due date already is a working day, so the flag is ignored there.
    """
    _check_days(days)
    _check_days(extension_days, "extension_days")
    total = days + extension_days
    start_ord = start.toordinal()
    intervals, open_starts = _pause_intervals(pauses, as_of) if pauses else ([], [])

    if working:

        def count(a: int, b: int) -> int:
            return cal._working_between(a, b)

        def advance(a: int, n: int) -> int:
            return cal._nth_working_after(a, n)
    else:

        def count(a: int, b: int) -> int:
            return max(b - a, 0)

        def advance(a: int, n: int) -> int:
            return a + n

    if total == 0:
        due_ord = start_ord
    else:
        # Count up to each pause, then resume the day after it ends. Sorting by
        # start makes this one pass: a pause already behind the cursor (before
        # the trigger day, or inside one already skipped) adds nothing, an
        # overlapping one only extends the skip, so a day paused twice is still
        # one lost day, and the first pause after the due date ends the walk.
        cur, remaining = start_ord, total
        for p_start, p_end in intervals:
            if p_end <= cur:
                continue
            counted = count(cur, p_start - 1)  # empty when the pause began before cur
            if counted >= remaining:
                break
            remaining -= counted
            cur = p_end
        due_ord = advance(cur, remaining)

    paused = any(s <= due_ord for s in open_starts)
    if roll_forward and not working:
        due_ord = cal._roll_forward_ord(due_ord)
    due = date.fromordinal(due_ord)
    # The trigger day itself is only examined when a zero-length period is
    # rolled forward from it; otherwise the examined days begin the day after.
    rolled_from_start = total == 0 and roll_forward and not working
    examined_from = start if rolled_from_start else start + timedelta(days=1)
    provisional = not cal._covers_span(examined_from, due)
    return DueResult(due, provisional=provisional, paused=paused)


def remaining_days(due: date, today: date) -> int:
    """Calendar days left: 0 means due today, negative means overdue."""
    return (due - today).days


def classify(due: date, today: date, *, soon_days: int = 3) -> Urgency:
    """Overdue after the due date; due soon within ``soon_days`` of it (inclusive)."""
    left = remaining_days(due, today)
    if left < 0:
        return Urgency.OVERDUE
    if left <= soon_days:
        return Urgency.DUE_SOON
    return Urgency.OK
