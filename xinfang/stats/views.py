"""The statistics page (/stats/), the ranking (/stats/ranking/), their XLSX exports and the case ledger: thin views."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Kind
from xinfang.core import clock
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, Org
from xinfang.stats import ledger as lg
from xinfang.stats import metrics as m
from xinfang.stats import ranking as r
from xinfang.stats import rolled
from xinfang.stats import table as t
from xinfang.stats.forms import PeriodForm, StatsForm
from xinfang.stats.xlsx import ranking_workbook, scheme_full, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def viewed(request, form):
    """The checks and choices every statistics page shares: may the user see statistics, which period
    (from ``form``), which org (their root, or one inside it; else 404). Returns (period, root, org)."""
    user = request.user
    if not t.may_view(user):
        raise PermissionDenied(t.NOT_ALLOWED)
    period, org_id = form.chosen_period()
    return period, t.root_for(user), t.org_for(user, org_id)


def _table(request):
    form = StatsForm(request.GET or None)
    period, root, org = viewed(request, form)
    _period, chosen, _org_id = form.chosen()
    table = t.build(scoped_cases(request.user), org, period, root=root, slice=chosen, viewer=request.user)
    return form, table


def _breadcrumbs(table, url):
    """The path from the viewer's root down to the org shown (of a table or a ranking), each linked by ``url``."""
    crumbs, org = [], table.org
    while org is not None:
        crumbs.append(org)
        if org.pk == table.root.pk:
            break
        org = org.parent
    crumbs.reverse()
    if crumbs[0].pk != table.root.pk:  # an org reached through the scope, outside the root's tree
        crumbs = [table.root, table.org]
    return [{"name": o.name, "url": url(o)} for o in crumbs]


@never_cache
@require_GET
def monthly(request):
    form, table = _table(request)
    # A unit with units under it drills down: one query for all rows, not one per row.
    units = [row.org.pk for row in table.rows if row.kind == "unit" and row.org is not None]
    parents = set(Org.objects.filter(parent__in=units).values_list("parent", flat=True))
    for row in table.rows:
        if row.kind == "unit" and row.org is not None and row.org.pk in parents:
            row.drill = t.drill_url(row.org, table.period, table.slice)
    params = {**table.period.as_params(), **table.slice.params()}
    if table.org.pk != table.root.pk:
        params["org"] = str(table.org.pk)
    # The shares of what the table counts: the whole scope at the top, else the org's subtree.
    top = table.org.pk == table.root.pk
    scope = scoped_cases(request.user).filter(table.slice.q())
    unit = None if top else table.org
    sub = t.subtree_scope(scope, table.org, top=top)
    shares = {}
    for by in SHARES:
        if rolled.usable(request.user, table.org, table.period, table.slice):
            found = rolled.shares(scope, table.org, table.period, by, top=top, viewer=request.user, slice=table.slice)
        else:
            found = m.shares(sub, table.period, by)
        shares[by] = _share_rows(by, found, table, unit=unit)
    context = {
        "form": form,
        "table": table,
        "crumbs": _breadcrumbs(table, lambda o: t.drill_url(o, table.period, table.slice)),
        "xlsx_url": f"{reverse('stats:monthly_xlsx')}?{urlencode(params)}",
        "ranking_url": f"{reverse('stats:ranking')}?{urlencode(_period_org(table))}",
        "shares": shares,
        "period_error": form.period_error,
    }
    return render(request, "stats/monthly.html", context)


def _period_org(table) -> dict[str, str]:
    """The period and the org shown (of a table or a ranking), as the other page's query."""
    params = dict(table.period.as_params())
    if table.org.pk != table.root.pk:
        params["org"] = str(table.org.pk)
    return params


SHARES = {"channel": "按来源渠道", "kind": "按信访性质", "category": "按内容分类（一级）"}


def _share_rows(by: str, rows: list[dict], table, *, unit: Org | None = None) -> dict:
    listable: set = set()
    if by == "category":
        keys = [r["key"] for r in rows if r["key"]]
        found = Category.objects.filter(pk__in=keys).values_list("pk", "name", "is_active")
        labels: dict = {pk: name for pk, name, _active in found}
        labels[None] = "未分类"
        # An active first level is an option of the case list's category filter (with a second level
        # under it, as "某类（全部）", the same id); "未分类" is none.
        listable = {pk for pk, _name, active in found if active}
    else:
        labels = dict(Channel.choices if by == "channel" else Kind.choices)
    out = []
    for row in rows:
        if by == "category":
            url = None
            if row["key"] in listable:
                url = t.list_url({"category": str(row["key"])}, table.period, table.slice, unit=unit)
        else:
            url = t.case_list_url(f"{by}_{row['key']}", table.period, table.slice, unit=unit)
        out.append({**row, "label": labels.get(row["key"], row["key"]), "url": url})
    return {"title": SHARES[by], "rows": out}


@never_cache
@require_GET
def monthly_xlsx(request):
    _form, table = _table(request)
    content = workbook(table)
    name = f"信访统计月报-{table.period.start:%Y%m%d}-{table.period.end:%Y%m%d}.xlsx"
    detail = f"{table.org.name}；{table.period.label}"
    if table.slice.label:
        detail += f"；{table.slice.label}"
    record(AuditAction.STATS_EXPORT, request=request, target="信访统计月报（XLSX）", detail=detail)
    response = HttpResponse(content, content_type=XLSX)
    ascii_name = f"xinfang-stats-{table.period.start:%Y%m%d}-{table.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------- the ranking


def _ranking(request):
    form = PeriodForm(request.GET or None)
    period, root, org = viewed(request, form)
    return form, r.build(scoped_cases(request.user), org, period, root=root, viewer=request.user)


@never_cache
@require_GET
def ranking(request):
    form, ranking = _ranking(request)
    params = urlencode(_period_org(ranking))

    def drill(org):
        return f"{reverse('stats:ranking')}?{urlencode({**ranking.period.as_params(), 'org': org.pk})}"

    # A unit with units under it links to their ranking: one query for all rows.
    parents = set(Org.objects.filter(parent__in=[row.org.pk for row in ranking.rows]).values_list("parent", flat=True))
    for row in ranking.rows:
        if row.org.pk in parents:
            row.drill = drill(row.org)
    context = {
        "form": form,
        "ranking": ranking,
        "crumbs": _breadcrumbs(ranking, drill),
        "full_score": scheme_full(ranking),
        "colspan": 4 + 2 * len(ranking.items) + len(ranking.info_columns),
        "xlsx_url": f"{reverse('stats:ranking_xlsx')}?{params}",
        "monthly_url": f"{reverse('stats:monthly')}?{params}",
        "period_error": form.period_error,
    }
    return render(request, "stats/ranking.html", context)


@never_cache
@require_GET
def ranking_xlsx(request):
    _form, ranking = _ranking(request)
    content = ranking_workbook(ranking)
    p = ranking.period
    name = f"信访工作排名-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    scheme = ranking.scheme.name if ranking.scheme else "未设定评分方案"
    record(
        AuditAction.STATS_EXPORT,
        request=request,
        target="信访工作排名（XLSX）",
        detail=f"{ranking.org.name}；{p.label}；{scheme}",
    )
    response = HttpResponse(content, content_type=XLSX)
    ascii_name = f"xinfang-ranking-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


# ---------------------------------------------------------------- the case ledger


@never_cache
@require_GET
def ledger_xlsx(request):
    """信访件台账: the 全部信访件 list of the same query string, one row per case, streamed from a temporary file."""
    user = request.user
    if not lg.may_export(user):
        raise PermissionDenied(lg.NOT_ALLOWED)
    today = clock.today()
    asked, export = lg.export(user, request.GET, today=today)
    record(
        AuditAction.STATS_EXPORT,
        request=request,
        target="信访件台账（XLSX）",
        detail=f"{export.count}件；{asked.conditions}",
    )
    name = f"信访件台账-{today:%Y%m%d}.xlsx"
    response = FileResponse(export.file, content_type=XLSX)
    ascii_name = f"xinfang-ledger-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
def definitions(request):
    """统计口径: each column of the 月报 with its unit and definition, from the metric records themselves."""
    if not t.may_view(request.user):
        raise PermissionDenied(t.NOT_ALLOWED)
    from xinfang.stats.metrics import METRICS

    metrics = [METRICS[code] for code in t.COLUMNS]
    return render(request, "stats/definitions.html", {"metrics": metrics})
