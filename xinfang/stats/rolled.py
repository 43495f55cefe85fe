"""The monthly table's base counts per unit row from the rollups, equal to the direct queries of ``metrics``.

``grouped`` answers what ``table``'s direct grouping answers (the base counts per
child of ``org``, its own row, and at the top the cases handled outside its area)
when ``usable`` says the rollups can: a period of whole months, a slice the
rollup key holds (channel, kind, a first-level category), and a viewer whose
scope covers the org's whole subtree. Then, per unit row:

    rollup sums − the facts of the cases counted directly + those cases counted directly

where the cases counted directly are the exceptions (``rollups.exceptions``)
and the accusations the viewer may not see; 期初积案 and its 化解 (a stock,
which the rollups do not hold) are counted directly over their candidates
(``rollups.backlog_candidates``) alone. These sets are few cases, each found
through an index, and the direct counts go through the viewer's scope like
every other statistic. The outside row is counted directly over the cases
whose unit is outside the area (an index on the unit's columns). Every query's cost depends on the number of
units, months and exception cases, not on the number of cases.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth

from xinfang.cases.access import ACCUSATION_READERS
from xinfang.cases.models import Case
from xinfang.cases.states import Kind
from xinfang.orgs.access import org_scope
from xinfang.orgs.models import PATH_STEP, Org
from xinfang.stats import metrics as m
from xinfang.stats import rollups as r
from xinfang.stats.models import CaseFact, Rollup, UnitRollup
from xinfang.stats.periods import Period

OUTSIDE = "outside"


def usable(viewer, org: Org, period: Period, slice) -> bool:
    """Whether the rollups can answer this table exactly (else the direct queries do)."""
    if viewer is None or not r.whole_months(period):
        return False
    if slice.urgency or (slice.category is not None and slice.category.parent_id is not None):
        return False  # the rollup key has neither urgency nor second-level categories
    scope = org_scope(viewer)
    return scope.everything or any(org.path.startswith(p) for p in scope.paths)


def _where(viewer, slice) -> Q:
    """The slice and the kinds the viewer may not see, on the rollup key."""
    q = Q()
    if slice.channel:
        q &= Q(channel=slice.channel)
    if slice.kind:
        q &= Q(kind=slice.kind)
    if slice.category is not None:
        q &= Q(category_id=slice.category.pk)
    if not viewer.has_role(*ACCUSATION_READERS):
        q &= ~Q(kind=Kind.ACCUSATION)  # the access layer hides every accusation from these roles
    return q


def _sums(slice, by: str = "") -> type[Rollup] | type[UnitRollup]:
    """The rollup table to sum: the one without categories unless a category is sliced or grouped by."""
    return Rollup if slice.category is not None or by == "category" else UnitRollup


def _hidden_accusations(viewer) -> list:
    """Id subqueries whose union is a superset of the accusations the access layer hides from this reader:
    those against them, and those against their unit or one above. Two sets, each through its own
    column's index: as one OR, SQLite scanned every case."""
    prefixes = (
        [viewer.org.path[:i] for i in range(PATH_STEP, len(viewer.org.path) + 1, PATH_STEP)] if viewer.org else []
    )
    above = Org.objects.filter(path__in=prefixes).values("pk")
    accusations = Case.objects.filter(kind=Kind.ACCUSATION)
    return [
        accusations.filter(accused_user=viewer.pk).values("pk"),
        accusations.filter(accused_org__in=above).values("pk"),
    ]


def _zero() -> dict[str, int]:
    return dict.fromkeys(m.base_names(), 0)


def _add(into: dict[str, int], base: dict) -> None:
    for name, value in base.items():
        into[name] += value


def _away(outside: list[int]) -> Q:
    """Cases handled by one of the ``outside`` orgs (a case always has an org holding it).

    An id subquery through the unit columns' indexes: as a plain condition beside a received-at range,
    SQLite walked the range (a year of the city's cases) instead. Queried on its own: OR-ed with the
    exception sets, SQLite would scan every case."""
    held = Q(competent_org__in=outside) | Q(competent_org__isnull=True, current_org__in=outside)
    # The subquery is the superset "either column names one" (an index each); the exact rule is applied
    # to its rows: "competent_org IS NULL" inside it would walk every case not yet routed.
    either = Q(competent_org__in=outside) | Q(current_org__in=outside)
    return Q(pk__in=Case.objects.filter(either).values("pk")) & held


def outside_orgs(org: Org) -> list[int]:
    """The orgs outside ``org``'s area: at the top, the cases they handle are the outside row."""
    return list(Org.objects.exclude(path__startswith=org.path).values_list("pk", flat=True))


BACKLOG = ("backlog_start", "backlog_resolved")


def _any(sets) -> bool:
    """Whether any of these id subqueries has a row (each through its own index)."""
    return any(ids.exists() for ids in sets)


def _counted(cases, org: Org, aggregates: dict, out, row) -> None:
    """Add the base counts of ``cases`` (annotated with ``unit_path``) per unit row of ``org``."""
    found = (
        cases.annotate(row=Substr("unit_path", 1, len(org.path) + PATH_STEP))
        .order_by()
        .values("row")
        .annotate(**aggregates)
    )
    for base in found:
        key = base.pop("row")
        _add(row(key if key and key.startswith(org.path) else OUTSIDE), m.clean(base))


def grouped(
    qs, org: Org, period: Period, today: date, *, top: bool, viewer, slice, outside: list[int] | None = None
) -> dict[str, dict[str, int]]:
    """The base counts per unit row of ``org`` over the scope ``qs`` (already sliced), from the rollups.

    The rollup sums; the facts of the exceptions subtracted and those cases counted directly; 期初积案
    counted directly over its candidates (the rollups hold no stock, so nothing is subtracted for
    them); at the top, the cases handled outside counted directly. A direct count is skipped when its
    sets are empty, as they are for a past month once the outbox is drained: building the ~50
    aggregates of a direct count costs more than the rest of the table. ``outside`` is
    ``outside_orgs(org)`` when the caller has it already.
    """
    where = _where(viewer, slice)
    pending = r.pending_cases()
    lagging = pending.exists()
    others = r.exceptions(period, today)
    if viewer.has_role(*ACCUSATION_READERS):
        others.extend(_hidden_accusations(viewer))
    sets = [pending, *others]
    in_cases = Q()
    in_facts = Q()
    for ids in sets:
        in_cases |= Q(pk__in=ids)
        in_facts |= Q(case_id__in=ids)
    # 期初积案's cases are found by their deadlines (open, or met late across the start: a fact): every
    # candidate is overdue at the start, so only the case's own dates are asked of it. A case whose facts
    # may lag (pending) is counted by the whole definition instead.
    overdue = Q()
    for ids in r.backlog_candidates(period):
        overdue |= Q(pk__in=ids)
    out: dict[str, dict[str, int]] = {}
    zero = _zero()

    def row(key: str) -> dict[str, int]:
        if key not in out:
            out[key] = dict(zero)
        return out[key]

    aggregates = m.aggregates(period, today)
    flows = {name: value for name, value in aggregates.items() if name not in BACKLOG}
    for key, sums in r.summed(_sums(slice), where, org, period, today).items():
        r.to_base(sums, row(key))
    unit_path = Coalesce("competent_org__path", "current_org__path")
    inside = qs.annotate(unit_path=unit_path).filter(unit_path__startswith=org.path)
    direct = lagging or _any(others)
    if direct:
        for key, sums in r.summed(CaseFact, where & in_facts, org, period, today).items():
            r.to_base(sums, row(key), -1)
        _counted(inside.filter(in_cases), org, flows, out, row)
    # The running deadlines not yet due, of the cases not counted directly above (their facts are out).
    for key, undue in r.undue_summed(where & ~in_facts if direct else where, org, period, today).items():
        r.untake_undue(undue, row(key))
    if lagging:  # the pending cases too, by the whole definition
        lag = Q(pk__in=pending)
        counts = m.backlog_of_overdue(period, today, unknown=lag)  # their facts may be stale
        _counted(inside.filter(overdue | lag), org, counts, out, row)
    else:
        _counted(inside.filter(overdue), org, m.backlog_of_overdue(period, today), out, row)
    if top:
        if outside is None:
            outside = outside_orgs(org)
        away = qs.annotate(unit_path=unit_path).filter(_away(outside)) if outside else None
        if away is not None and away.exists():
            _counted(away, org, aggregates, out, row)
    return out


# ---------------------------------------------------------------- cases received, per month or per key

_KEYS = {"channel": "channel", "kind": "kind", "category": "category_id", "month": "month"}


def received(
    qs, org: Org, period: Period, by: str, *, top: bool, viewer, slice, outside: list[int] | None = None
) -> dict:
    """Cases received in the period (whole months) per channel, kind, first-level category or month.

    The same three parts as ``grouped``, with only the receipt's exceptions: a case with pending
    events (its unit or category may have changed) and a hidden accusation. Keys as ``metrics.shares``
    (a month is its first day).
    """
    field = _KEYS[by]
    where = _where(viewer, slice)
    sets = [r.pending_cases()]
    if viewer.has_role(*ACCUSATION_READERS):
        sets.extend(_hidden_accusations(viewer))
    in_cases, in_facts = Q(), Q()
    for ids in sets:
        in_cases |= Q(pk__in=ids)
        in_facts |= Q(case_id__in=ids)
    months = r.months_of(period)
    out: dict = {}
    pending = _any(sets)  # nothing pending and no hidden accusation: the sums alone answer inside the area
    rolled_up = (_sums(slice, by), where, 1)
    parts = (rolled_up, (CaseFact, where & in_facts, -1)) if pending else (rolled_up,)
    for model, q, sign in parts:
        rows = (
            model.objects.filter(q, month__gte=months[0], month__lte=months[-1], org__path__startswith=org.path)
            .filter(total__gt=0)
            .order_by()
            .values(field)
            .annotate(n=Sum("total"))
        )
        for row in rows:
            out[row[field]] = out.get(row[field], 0) + sign * row["n"]
    first, after = period.moments()
    unit_path = Coalesce("competent_org__path", "current_org__path")
    period_cases = qs.filter(received_at__gte=first, received_at__lt=after).annotate(unit_path=unit_path)
    direct = [period_cases.filter(in_cases, unit_path__startswith=org.path)] if pending else []
    if top:
        outside = outside_orgs(org) if outside is None else outside
        if outside:
            direct.append(period_cases.filter(_away(outside)))
    key = {
        "channel": F("channel"),
        "kind": F("kind"),
        "category": Coalesce("category__parent_id", "category_id"),
        "month": TruncMonth("received_at"),
    }[by]
    for cases in direct:
        for row in cases.annotate(key=key).order_by().values("key").annotate(n=Count("pk")):
            k = row["key"].date() if by == "month" else row["key"]
            out[k] = out.get(k, 0) + row["n"]
    return {k: n for k, n in out.items() if n}


def shares(
    qs, org: Org, period: Period, by: str, *, top: bool, viewer, slice, outside: list[int] | None = None
) -> list[dict]:
    """``metrics.shares`` from the rollups when they can answer, else directly (same rows, same order)."""
    if not usable(viewer, org, period, slice):
        return m.shares(qs, period, by)
    return m.share_rows(received(qs, org, period, by, top=top, viewer=viewer, slice=slice, outside=outside))


def trend(
    qs, org: Org, months: list[Period], *, top: bool, viewer, slice, outside: list[int] | None = None
) -> list[int] | None:
    """Cases received in each of these consecutive months from the rollups; None when they cannot answer."""
    span = Period(months[0].start, months[-1].end, "range")
    if not usable(viewer, org, span, slice):
        return None
    found = received(qs, org, span, "month", top=top, viewer=viewer, slice=slice, outside=outside)
    return [found.get(p.start, 0) for p in months]
