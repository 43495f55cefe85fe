"""The leaders' and the bureau's dashboard (工作概览): a handful of figures for the viewer's subtree.

Everything is an aggregate query over the access layer's scope
(``scoped_cases``), never a loop over cases: the month's totals with 环比 and
同比 come from the monthly table's own ``build`` (so the two pages agree),
the 12-month trend is one query with a filtered count per month, the shares
are ``metrics.shares``, and the overdue and due-soon counts are grouped by the
org holding the case in SQL.

Each figure carries the URL of the 全部信访件 list that reproduces it, when
the list's filters can say exactly what it counts (see ``table.list_url``):
below the viewer's root, with the list's 承办单位（含下级） (``unit``), the
same "handled inside this org's subtree" the figures count. The deadline
figures count the org holding a case now, which the list filters only for
one org (``org``), so they link at the top and for an org with nothing under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.cases import due
from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Category
from xinfang.cases.states import Channel
from xinfang.core import clock
from xinfang.orgs.models import Org
from xinfang.stats import metrics as m
from xinfang.stats import rolled
from xinfang.stats import table as t
from xinfang.stats.forms import PeriodForm
from xinfang.stats.periods import Period
from xinfang.stats.views import viewed

# The headline figures, in the order the page shows them (codes of metrics.METRICS).
HEADLINE = (
    "total",
    "persons",
    "accepted",
    "closure_rate",
    "timely_acceptance_rate",
    "on_time_rate",
    "satisfaction_rate",
    "handled_late",
)
TREND_MONTHS = 12
TOP_OVERDUE = 10


@dataclass
class Dashboard:
    org: Org
    root: Org
    period: Period
    today: date
    table: t.Table
    headline: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    shares: dict[str, dict] = field(default_factory=dict)
    overdue_units: list[dict] = field(default_factory=list)
    due: dict[str, dict] = field(default_factory=dict)
    units: list[dict] = field(default_factory=list)

    @property
    def top(self) -> bool:
        return self.org.pk == self.root.pk

    def chart_data(self) -> dict:
        """What dashboard.js draws (passed with json_script, never inline script)."""
        return {
            "trend": {"labels": [p["label"] for p in self.trend], "total": [p["total"] for p in self.trend]},
            "channel": [{"name": r["label"], "value": r["count"]} for r in self.shares["channel"]["rows"]],
            "category": [{"name": r["label"], "value": r["count"]} for r in self.shares["category"]["rows"]],
            "overdue": {
                "labels": [u["name"] for u in self.overdue_units],
                "values": [u["count"] for u in self.overdue_units],
            },
        }


def _months(period: Period) -> list[Period]:
    """The 12 months ending with the period's last month."""
    year, month = period.end.year, period.end.month
    out = []
    for _ in range(TREND_MONTHS):
        out.append(Period.month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def trend(
    scope, period: Period, slice: t.Slice, *, unit: Org | None = None, totals: list[int] | None = None
) -> list[dict]:
    """Cases received per month over 12 months: ``totals`` from the rollups, else one query with a
    filtered count per month. ``unit``: the org whose subtree ``scope`` is (None at the top)."""
    months = _months(period)
    if totals is not None:
        return [
            {
                "label": f"{p.start.year}年{p.start.month}月",
                "total": n,
                "url": t.list_url({}, p, slice, unit=unit),
            }
            for p, n in zip(months, totals, strict=True)
        ]
    counts = {}
    for i, p in enumerate(months):
        first, after = p.moments()
        counts[f"m{i}"] = Count("pk", filter=Q(received_at__gte=first, received_at__lt=after))
    first, _ = months[0].moments()
    _, after = months[-1].moments()
    row = scope.filter(received_at__gte=first, received_at__lt=after).order_by().aggregate(**counts)
    return [
        {
            "label": f"{p.start.year}年{p.start.month}月",
            "total": row[f"m{i}"] or 0,
            "url": t.list_url({}, p, slice, unit=unit),
        }
        for i, p in enumerate(months)
    ]


def _share_rows(by: str, rows: list[dict], period: Period, slice: t.Slice, *, unit: Org | None = None) -> dict:
    listable: set = set()
    if by == "category":
        keys = [r["key"] for r in rows if r["key"]]
        found = Category.objects.filter(pk__in=keys).values_list("pk", "name", "is_active")
        labels: dict = {pk: name for pk, name, _active in found}
        labels[None] = "未分类"
        # A first level is an option of the list's category filter while it is active (with a second
        # level under it, as "某类（全部）"); "未分类" is none.
        listable = {pk for pk, _name, active in found if active}
    else:
        labels = dict(Channel.choices)
    out = []
    for row in rows:
        url = None
        if by == "channel" or row["key"] in listable:
            url = t.list_url({by: str(row["key"])}, period, slice, unit=unit)
        out.append({**row, "label": labels.get(row["key"], row["key"]), "url": url})
    return {"title": {"channel": "按来源渠道", "category": "按内容分类（一级）"}[by], "rows": out}


def _list(params: dict[str, str]) -> str:
    return f"{reverse('cases:workbench')}?{urlencode({'tab': 'search', **params})}"


def held(scope, org: Org, *, top: bool):
    """The cases of the deadline figures: held by an org in ``org``'s subtree (or anywhere at the top)."""
    if top:
        return scope
    return scope.filter(current_org__path__startswith=org.path)


def deadlines(scope, org: Org, today: date, *, top: bool) -> tuple[dict[str, dict], list[dict]]:
    """Overdue and due-soon counts, and the units holding the most overdue cases: one query grouped by
    the org holding each case (a few hundred rows at most), summed and ranked here.

    Narrowed to the cases either figure counts first: a filtered count alone reads every case in scope.
    The totals and the ranking were two queries over the same cases (8 ms each for a city at 10^6)."""
    per_org = (
        held(scope, org, top=top)
        .filter(due.overdue_or_due_soon_q(today))
        .values("current_org", "current_org__name", "current_org__path")
        .annotate(overdue=Count("pk", filter=due.overdue_q(today)), due_soon=Count("pk", filter=due.due_soon_q(today)))
        .order_by()
    )
    rows = list(per_org)
    figures = {
        key: {"label": due.label(key), "count": sum(row[key] for row in rows), "url": None}
        for key in ("overdue", "due_soon")
    }
    # The list shows the whole scope, or one holding org: so the top, or an org with no units under it.
    where = {} if top else {"org": str(org.pk)}
    if top or not Org.objects.filter(parent=org).exists():
        for key, fig in figures.items():
            fig["url"] = _list({"due": key, **where})
    ranked = sorted(
        (row for row in rows if row["overdue"]), key=lambda row: (-row["overdue"], row["current_org__path"])
    )
    units = [
        {
            "name": row["current_org__name"],
            "count": row["overdue"],
            "url": _list({"due": "overdue", "org": str(row["current_org"])}),
        }
        for row in ranked[:TOP_OVERDUE]
    ]
    return figures, units


def build(scope, org: Org, period: Period, *, root: Org, today: date, viewer=None) -> Dashboard:
    """The dashboard of ``org`` over the scope (a queryset from the access layer).

    With the ``viewer`` whose scope it is, the table, the trend and the shares read the rollups
    when they can answer (``rolled.usable``), else the direct queries.
    """
    table = t.build(scope, org, period, root=root, today=today, viewer=viewer, unit_links=False)
    board = Dashboard(org, root, period, today, table)
    top = board.top
    cells = {c["metric"].code: c for c in table.total.cells}
    previous = {c["metric"].code: c for c in table.previous.cells}
    last_year = {c["metric"].code: c for c in table.last_year.cells}
    for code in HEADLINE:
        board.headline.append(
            {
                **cells[code],
                "mom": {"metric": cells[code]["metric"], "change": previous[code].get("change")},
                "yoy": {"metric": cells[code]["metric"], "change": last_year[code].get("change")},
            }
        )
    sub = t.subtree_scope(scope, org, top=top)
    outside = rolled.outside_orgs(org) if top and rolled.usable(viewer, org, period, table.slice) else None
    totals = rolled.trend(scope, org, _months(period), top=top, viewer=viewer, slice=table.slice, outside=outside)
    unit = None if top else org
    board.trend = trend(sub, period, table.slice, unit=unit, totals=totals)
    board.shares = {}
    for by in ("channel", "category"):
        if rolled.usable(viewer, org, period, table.slice):
            rows = rolled.shares(scope, org, period, by, top=top, viewer=viewer, slice=table.slice, outside=outside)
        else:
            rows = m.shares(sub, period, by)
        board.shares[by] = _share_rows(by, rows, period, table.slice, unit=unit)
    board.due, board.overdue_units = deadlines(scope, org, today, top=top)
    for row in table.rows:
        if row.kind == "unit" and row.org is not None:  # every unit drills down, a department to its own board
            board.units.append(
                {
                    "name": row.label,
                    "total": row.base["total"],
                    "drill": dashboard_url(row.org, period),
                    "url": t.case_list_url("total", period, table.slice, unit=row.org),
                }
            )
    return board


def dashboard_url(org: Org | None, period: Period) -> str:
    params = dict(period.as_params())
    if org is not None:
        params["org"] = str(org.pk)
    return f"{reverse('stats:dashboard')}?{urlencode(params)}"


def crumbs(board: Dashboard) -> list[dict]:
    """The org levels from the viewer's root down to the org shown, each linking to its dashboard."""
    out: list[Org] = []
    node: Org | None = board.org
    while node is not None:
        out.append(node)
        if node.pk == board.root.pk:
            break
        node = node.parent
    out.reverse()
    if out[0].pk != board.root.pk:  # an org reached through the scope, outside the root's tree
        out = [board.root, board.org]
    return [{"name": o.name, "url": dashboard_url(o, board.period)} for o in out]


@never_cache
@require_GET
def page(request):
    """/stats/dashboard/: the viewer's subtree (another org is a 404, as on the monthly table)."""
    form = PeriodForm(request.GET or None)
    period, root, org = viewed(request, form)
    board = build(scoped_cases(request.user), org, period, root=root, today=clock.today(), viewer=request.user)
    params = dict(period.as_params())
    if not board.top:
        params["org"] = str(org.pk)
    query = urlencode(params)
    context = {
        "form": form,
        "board": board,
        "crumbs": crumbs(board),
        "charts": board.chart_data(),
        "monthly_url": f"{reverse('stats:monthly')}?{query}",
        "bulletin_url": f"{reverse('stats:bulletin')}?{query}",
        "period_error": form.period_error,
    }
    return render(request, "stats/dashboard.html", context)
