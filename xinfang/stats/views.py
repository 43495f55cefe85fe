"""The statistics page (/stats/) and its XLSX export: thin views over stats.table."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.cases.access import scoped_cases
from xinfang.cases.states import Channel, Kind
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction
from xinfang.stats import metrics as m
from xinfang.stats import table as t
from xinfang.stats.forms import StatsForm
from xinfang.stats.xlsx import workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(request):
    user = request.user
    if not t.may_view(user):
        raise PermissionDenied(t.NOT_ALLOWED)
    form = StatsForm(request.GET or None)
    period, chosen, org_id = form.chosen()
    root = t.root_for(user)
    org = t.org_for(user, org_id)
    table = t.build(scoped_cases(user), org, period, root=root, slice=chosen)
    return form, table


def _breadcrumbs(table):
    """The path from the viewer's root down to the org shown, each a link (the last is the page itself)."""
    crumbs, org = [], table.org
    while org is not None:
        crumbs.append(org)
        if org.pk == table.root.pk:
            break
        org = org.parent
    crumbs.reverse()
    if crumbs[0].pk != table.root.pk:  # an org reached through the scope, outside the root's tree
        crumbs = [table.root, table.org]
    return [{"name": o.name, "url": t.drill_url(o, table.period, table.slice)} for o in crumbs]


@never_cache
@require_GET
def monthly(request):
    form, table = _table(request)
    for row in table.rows:
        if row.kind == "unit" and row.org is not None and row.org.children.exists():
            row.drill = t.drill_url(row.org, table.period, table.slice)
    params = {**table.period.as_params(), **table.slice.params()}
    if table.org.pk != table.root.pk:
        params["org"] = str(table.org.pk)
    shares = {
        by: _share_rows(by, m.shares(scoped_cases(request.user).filter(table.slice.q()), table.period, by), table)
        for by in ("channel", "kind")
    }
    context = {
        "form": form,
        "table": table,
        "crumbs": _breadcrumbs(table),
        "xlsx_url": f"{reverse('stats:monthly_xlsx')}?{urlencode(params)}",
        "shares": shares if table.org.pk == table.root.pk else None,
        "period_error": form.period_error,
    }
    return render(request, "stats/monthly.html", context)


def _share_rows(by: str, rows: list[dict], table) -> list[dict]:
    labels = dict(Channel.choices if by == "channel" else Kind.choices)
    out = []
    for row in rows:
        code = f"{by}_{row['key']}"
        out.append(
            {
                **row,
                "label": labels.get(row["key"], row["key"]),
                "url": t.case_list_url(code, table.period, table.slice),
            }
        )
    return out


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
