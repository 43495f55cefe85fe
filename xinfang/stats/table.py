"""The monthly table (月报): the units under the viewer's org as rows, the metrics as columns.

Each row is a unit directly under the chosen org together with everything
below it; a case belongs to the unit that handles it (its 有权处理机关 /
主办单位, ``competent_org``, or while none is set, the org holding it now,
``current_org``). The chosen org's own cases are its 本级 row; at the top
level, cases the viewer may see that are handled outside the org's area
(e.g. forwarded to another county) have a row of their own, so that the
total is the viewer's whole scope and equals the case list's count. The
rows are grouped in SQL (one query for the period), the total is the sum of
the rows' base counts, and rates are computed from summed counts, never
averaged.

Each count the case list (全部信访件) can reproduce links to it (``case_list_url``): at the top
with the viewer's whole scope, below it and on each unit row with the list's 承办单位（含下级）
filter (``unit``), which puts a case under a unit exactly as the rows do.

Who may read statistics, and from which org: ``may_view`` and ``root_for``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Q
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.urls import reverse

from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Kind, Urgency
from xinfang.core import clock
from xinfang.orgs.access import org_scope, subtree_root
from xinfang.orgs.models import PATH_STEP, Org, Role
from xinfang.stats import metrics as m
from xinfang.stats import rolled
from xinfang.stats.periods import Period

# Statistics are for those who manage and oversee the work (DESIGN.md §5): the statistician (read-only
# reports), leaders, supervisors, unit heads and petition officers. Registrars, handlers (whose scope is
# their own cases) and the system administrator (administration is not reading petitions) are refused.
STATS_ROLES = frozenset({Role.STATISTICIAN, Role.LEADER, Role.SUPERVISOR, Role.UNIT_HEAD, Role.PETITION_OFFICER})
NOT_ALLOWED = "只有统计员、领导、督查员、单位负责人和受理交办员可以查看统计"

# The 月报's columns, in order (codes of metrics.METRICS).
COLUMNS = (
    "total",
    "persons",
    "visit_batches",
    "visit_persons",
    "collective_batches",
    "collective_persons",
    "channel_letter",
    "channel_phone",
    "channel_online",
    "channel_mailbox",
    "channel_referred",
    "first",
    "repeat",
    "repeat_rate",
    "skip_level",
    "accepted",
    "timely_acceptance_rate",
    "on_time_rate",
    "handled_late",
    "overdue_rate",
    "closure_rate",
    "evaluation_rate",
    "satisfaction_rate",
    "dissatisfaction_rate",
    "review_rate",
    "review_upheld_rate",
    "reexam_upheld_rate",
    "backlog_start",
    "backlog_resolved",
    "replies_issued",
    "leader_instructed",
)

# Counts the case list (/cases/?tab=search) can reproduce exactly, with the list's own filters.
LINKABLE: dict[str, dict[str, str]] = {
    "total": {},
    "visit_batches": {"channel": Channel.VISIT},
    **{f"channel_{c}": {"channel": c} for c in Channel.values},
    **{f"kind_{c}": {"kind": c} for c in Kind.values},
}

OUTSIDE = "outside"


def may_view(user) -> bool:
    return bool(user.is_authenticated and user.org_id is not None and user.has_role(*STATS_ROLES))


def root_for(user) -> Org:
    """Where the viewer's table starts: their org's government for a petition bureau (it acts for it)."""
    return subtree_root(user.org)


def org_for(user, org_id: int | None) -> Org:
    """The org to tabulate: the viewer's root, or one inside it (or inside their scope); else 404."""
    root = root_for(user)
    if org_id is None or org_id == root.pk:
        return root
    org = Org.objects.filter(pk=org_id).first()
    if org is None or not (org.path.startswith(root.path) or org_scope(user).covers_org(org)):
        raise Http404("机构不存在")
    return org


@dataclass(frozen=True)
class Slice:
    """What the table is narrowed to, besides the period and the org."""

    channel: str = ""
    kind: str = ""
    category: Category | None = None  # a first level includes its second level
    urgency: str = ""

    def q(self) -> Q:
        q = Q()
        if self.channel:
            q &= Q(channel=self.channel)
        if self.kind:
            q &= Q(kind=self.kind)
        if self.urgency:
            q &= Q(urgency=self.urgency)
        if self.category is not None:
            q &= Q(category_id=self.category.pk) | Q(category__parent_id=self.category.pk)
        return q

    @cached_property
    def category_listable(self) -> bool:
        """Whether the case list's category filter offers this category (any active one under an active
        first level: a first level with a second level is its option "某类（全部）", of the same id)."""
        cat = self.category
        if cat is None:
            return True
        if not cat.is_active:
            return False
        return cat.parent_id is None or Category.objects.filter(pk=cat.parent_id, is_active=True).exists()

    def params(self) -> dict[str, str]:
        out = {"channel": self.channel, "kind": self.kind, "urgency": self.urgency}
        if self.category is not None:
            out["category"] = str(self.category.pk)
        return {k: v for k, v in out.items() if v}

    @property
    def label(self) -> str:
        parts = []
        if self.channel:
            parts.append(Channel(self.channel).label)
        if self.kind:
            parts.append(Kind(self.kind).label)
        if self.category is not None:
            parts.append(str(self.category))
        if self.urgency:
            parts.append(f"紧急程度：{Urgency(self.urgency).label}")
        return "、".join(parts)


@dataclass
class Row:
    kind: str  # unit | self | outside | total | previous | last_year
    label: str
    base: dict[str, int]
    org: Org | None = None
    cells: list[dict] = field(default_factory=list)
    drill: str = ""  # the same table one level down, for a unit with units under it


@dataclass
class Table:
    org: Org
    root: Org
    period: Period
    slice: Slice
    columns: list[m.Metric]
    rows: list[Row]
    total: Row
    previous: Row
    last_year: Row
    today: date

    @property
    def comparisons(self) -> list[Row]:
        return [self.previous, self.last_year]


def _unit_path():
    return Coalesce("competent_org__path", "current_org__path")


def _grouped(
    qs,
    org: Org,
    period: Period,
    today: date,
    *,
    top: bool,
    viewer=None,
    slice: Slice | None = None,
    outside: list[int] | None = None,
) -> dict[str, dict[str, int]]:
    slice = slice or Slice()
    if rolled.usable(viewer, org, period, slice):
        return rolled.grouped(qs, org, period, today, top=top, viewer=viewer, slice=slice, outside=outside)
    # Paths grow by PATH_STEP characters a level, so the first len(org.path) + PATH_STEP characters of a
    # unit's path name the child of ``org`` it lies under (or ``org`` itself, for its own cases).
    qs = qs.annotate(unit_path=_unit_path())
    if not top:
        qs = qs.filter(unit_path__startswith=org.path)
    qs = qs.annotate(row=Substr("unit_path", 1, len(org.path) + PATH_STEP))
    grouped = m.grouped_counts(qs, period, "row", today=today)
    # At the top, the groups outside the org's area (one per outside unit, so few) become one row.
    out: dict[str, dict[str, int]] = {}
    for key, base in grouped.items():
        row = key if key and key.startswith(org.path) else OUTSIDE
        into = out.setdefault(row, dict.fromkeys(base, 0))
        for name, value in base.items():
            into[name] += value
    return out


def _zero() -> dict[str, int]:
    return dict.fromkeys(m.base_names(), 0)


def unit_counts(
    qs, org: Org, period: Period, today: date, *, top: bool, viewer=None, slice: Slice | None = None
) -> dict[str, dict[str, int]]:
    """The base counts per unit row of ``org`` (keyed by the child's path, ``org.path`` for 本级, or OUTSIDE).

    With the ``viewer`` (whose scope ``qs`` is), from the rollups when they can answer (``rolled.usable``).
    ``qs`` must already be narrowed to the ``slice``.
    """
    return _grouped(qs, org, period, today, top=top, viewer=viewer, slice=slice)


def zero_counts() -> dict[str, int]:
    """Every base count at 0: a unit with nothing in the period."""
    return _zero()


def _sum(bases) -> dict[str, int]:
    total = _zero()
    for base in bases:
        for name, value in base.items():
            total[name] += value
    return total


def build(
    qs,
    org: Org,
    period: Period,
    *,
    root: Org | None = None,
    slice: Slice | None = None,
    today: date | None = None,
    viewer=None,
    unit_links: bool = True,
) -> Table:
    """The 月报 of ``org`` over the scope ``qs`` (a queryset from the access layer).

    ``viewer`` is the user whose scope ``qs`` is: with it, the rollups answer when they can (``rolled``).
    ``unit_links=False`` leaves the unit rows' cells without the URLs of their case lists (the
    dashboard shows only the totals' cells: the rows' URLs were most of its Python time after SQL).
    """
    today = today or clock.today()
    slice = slice or Slice()
    root = root or org
    top = org.pk == root.pk
    qs = qs.filter(slice.q())
    children = list(Org.objects.filter(parent=org).order_by("path"))
    # The orgs outside the area, once for the three periods (the rollups' outside row).
    away = rolled.outside_orgs(org) if top and rolled.usable(viewer, org, period, slice) else None
    grouped = _grouped(qs, org, period, today, top=top, viewer=viewer, slice=slice, outside=away)
    rows = []
    own = grouped.get(org.path)
    if own is not None and any(own.values()):
        rows.append(Row("self", f"{org.name}（本级）", own, org))
    for child in children:
        base = grouped.get(child.path, _zero())
        if child.is_active or any(base.values()):
            rows.append(Row("unit", child.name, base, child))
    outside = grouped.get(OUTSIDE)
    if outside is not None and any(outside.values()):
        rows.append(Row("outside", "本辖区以外单位办理", outside))
    total = Row("total", "合计", _sum(r.base for r in rows))
    # A comparison period's total is the sum of its unit rows, as the period's own total is.
    before, year_ago = (
        _grouped(qs, org, p, today, top=top, viewer=viewer, slice=slice, outside=away)
        for p in (period.previous(), period.last_year())
    )
    previous = Row("previous", f"上期（{period.previous().label}）", _sum(before.values()))
    last_year = Row("last_year", f"去年同期（{period.last_year().label}）", _sum(year_ago.values()))
    columns = [m.METRICS[code] for code in COLUMNS]
    table = Table(org, root, period, slice, columns, rows, total, previous, last_year, today)
    _fill(table, top=top, leaf=not children, unit_links=unit_links)
    return table


def subtree_scope(qs, org: Org, *, top: bool):
    """The cases of ``org``'s table: the whole scope at the top, else those handled inside ``org``'s subtree."""
    if top:
        return qs
    return qs.annotate(unit_path=_unit_path()).filter(unit_path__startswith=org.path)


def _fill(table: Table, *, top: bool, leaf: bool, unit_links: bool = True) -> None:
    for row in [*table.rows, table.total, table.previous, table.last_year]:
        values = m.figures(row.base, COLUMNS)
        row.cells = [{"metric": metric, "value": values[metric.code]} for metric in table.columns]
    now = table.total.cells
    for row in (table.previous, table.last_year):
        for cell, current in zip(row.cells, now, strict=True):
            cell["change"] = m.change(current["value"], cell["value"], is_rate=cell["metric"].is_rate)
    # Below the root the table counts the org's subtree: the list's 承办单位（含下级） is the same set.
    whole = None if top else table.org
    linked: list[tuple[Row, Period, Org | None]] = [
        (table.total, table.period, whole),
        (table.previous, table.period.previous(), whole),
        (table.last_year, table.period.last_year(), whole),
    ]
    for row in table.rows if unit_links else ():
        if row.kind == "unit" and row.org is not None:
            linked.append((row, table.period, row.org))
        elif row.kind == "self" and leaf:
            # The org's own cases are its subtree only when nothing lies under it; otherwise the list
            # has no filter for "handled by this org itself" and the row is not linked.
            linked.append((row, table.period, table.org))
        # The outside row (handled beyond the org's area) has no filter either.
    for row, period, unit in linked:
        for cell in row.cells:
            cell["url"] = case_list_url(cell["metric"].code, period, table.slice, unit=unit)


def case_list_url(code: str, period: Period, slice: Slice, *, unit: Org | None = None) -> str | None:
    """The case list behind a count, when the list's filters can say exactly what it counts."""
    extra = LINKABLE.get(code)
    if extra is None:
        return None
    return list_url(extra, period, slice, unit=unit)


def list_url(extra: dict[str, str], period: Period, slice: Slice, *, unit: Org | None = None) -> str | None:
    """/cases/?tab=search with the slice, the receipt dates, ``extra`` and, for a figure of ``unit``'s
    subtree, its 承办单位（含下级）; None when the list could not show exactly those cases."""
    if not slice.category_listable:
        return None  # the list's form does not offer the category: it would ignore it
    params = {"tab": "search", **slice.params()}
    if unit is not None:
        if not unit.is_active:
            return None  # the list's unit filter offers active orgs only
        params["unit"] = str(unit.pk)
    for name, value in extra.items():
        if name in params and params[name] != value:
            return None  # e.g. the letters column of a table sliced to visits: the list would show others
        params[name] = value
    params["received_from"] = period.start.isoformat()
    params["received_to"] = period.end.isoformat()
    return f"{reverse('cases:workbench')}?{urlencode(params)}"


def drill_url(org: Org, period: Period, slice: Slice) -> str:
    return f"{reverse('stats:monthly')}?{urlencode({**period.as_params(), **slice.params(), 'org': org.pk})}"
