"""The DOCX bulletin (通报) of a period: docxtpl over a Word template the bureau may edit.

The figures are the dashboard's and the monthly table's own (``dashboard.build``
and the ranking's ``build``), through the access layer, so the bulletin says
what the pages say. The default template is ``docx/bulletin.docx`` (written by
``docx/make_bulletin_template.py``); ``settings.STATS_BULLETIN_TEMPLATE`` may
name the bureau's edited copy. The download takes the monthly table's period
and org parameters and is written to the security audit log like the XLSX
exports.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from xinfang.cases.access import scoped_cases
from xinfang.core import clock
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction
from xinfang.stats import charts
from xinfang.stats import dashboard as d
from xinfang.stats import metrics as m
from xinfang.stats import ranking as r
from xinfang.stats import table as t
from xinfang.stats.forms import PeriodForm

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "docx" / "bulletin.docx"
# The monthly table's columns in the bulletin (the template has the unit and these eight).
COLUMNS = d.HEADLINE


def template_path() -> Path:
    return Path(getattr(settings, "STATS_BULLETIN_TEMPLATE", "") or DEFAULT_TEMPLATE)


def _value(value, *, is_rate: bool) -> str:
    if value is None:
        return "—"
    return f"{value}%" if is_rate else str(value)


def _change(change: Decimal | None, *, is_rate: bool, name: str) -> str:
    """ "同比下降12.5%" / "环比上升3.00个百分点" / "同比持平"; empty when there is nothing to compare."""
    if change is None:
        return ""
    if change == 0:
        return f"{name}持平"
    word = "上升" if change > 0 else "下降"
    return f"{name}{word}{abs(change)}{'个百分点' if is_rate else '%'}"


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _sentence(cell: dict, label: str, extra: str = "") -> str:
    metric = cell["metric"]
    text = f"{label}{_value(cell['value'], is_rate=metric.is_rate)}{'' if metric.is_rate else '件'}{extra}"
    if cell["value"] is None:
        text = f"{label}无可计算的数据"
    changes = [
        c
        for c in (
            _change(cell["yoy"]["change"], is_rate=metric.is_rate, name="同比"),
            _change(cell["mom"]["change"], is_rate=metric.is_rate, name="环比"),
        )
        if c
    ]
    return "，".join([text, *changes])


def headline(board: d.Dashboard) -> str:
    """The headline figures in sentences, e.g. "受理信访事项 N 件，同比下降 X%；按期办结率 Y%……"."""
    cells = {c["metric"].code: c for c in board.headline}
    persons = cells["persons"]["value"]
    parts = [
        _sentence(cells["total"], "共收到信访事项", f"（{persons}人次）"),
        _sentence(cells["accepted"], "受理信访事项"),
        _sentence(cells["closure_rate"], "办结率"),
        _sentence(cells["timely_acceptance_rate"], "及时受理率"),
        _sentence(cells["on_time_rate"], "按期办结率"),
        _sentence(cells["satisfaction_rate"], "满意率"),
    ]
    overdue = board.due["overdue"]["count"]
    parts.append(f"截至{_day(board.today)}，在办信访件中已超期{overdue}件")
    return "；".join(parts) + "。"


def _rows(table: t.Table) -> list[dict]:
    def cells(row) -> list[str]:
        by_code = {c["metric"].code: c for c in row.cells}
        return [row.label] + [_value(by_code[c]["value"], is_rate=m.METRICS[c].is_rate) for c in COLUMNS]

    return [{"cells": cells(row)} for row in [*table.rows, table.total]]


def render(board: d.Dashboard, ranking: r.Ranking) -> bytes:
    tpl = DocxTemplate(str(template_path()))
    trend_png = charts.trend(
        [p["label"] for p in board.trend], [p["total"] for p in board.trend], title="近12个月收件量（件）"
    )
    channel = board.shares["channel"]["rows"]
    channel_png = charts.bars([x["label"] for x in channel], [x["count"] for x in channel], title="按来源渠道（件）")
    columns = ["单位"] + [
        f"{m.METRICS[c].label}" + ("" if m.METRICS[c].is_rate else f"（{m.METRICS[c].unit}）") for c in COLUMNS
    ]
    context = {
        "title": f"关于{board.period.label}信访工作情况的通报",
        "org": board.org.name,
        "period": board.period.label,
        "issued": _day(board.today),
        "headline": headline(board),
        "trend_chart": InlineImage(tpl, BytesIO(trend_png), width=Mm(150)),
        "channel_chart": InlineImage(tpl, BytesIO(channel_png), width=Mm(150)),
        "columns": columns,
        "rows": _rows(board.table),
        "note": "各单位含其下级单位；信访件按办理单位计入。各项口径见系统“统计口径”页。",
        "scheme": ranking.scheme.name if ranking.scheme else "未设定评分方案",
        "ranking": [
            {
                "rank": row.rank if row.rank is not None else "不参加排名",
                "name": row.org.name,
                "score": "—" if row.score.total is None else str(row.score.total),
                "vetoes": "；".join(row.score.vetoes) or "无",
            }
            for row in ranking.rows
        ],
    }
    tpl.render(context)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


@never_cache
@require_GET
def download(request):
    """/stats/bulletin.docx?period=…&org=…: the 通报 of the viewer's subtree (another org is a 404)."""
    from xinfang.stats.views import viewed

    form = PeriodForm(request.GET or None)
    period, root, org = viewed(request, form)
    user = request.user
    scope = scoped_cases(user)
    today = clock.today()
    board = d.build(scope, org, period, root=root, today=today, viewer=user)
    ranking = r.build(scope, org, period, root=root, viewer=user)
    content = render(board, ranking)
    record(
        AuditAction.STATS_EXPORT, request=request, target="信访工作通报（DOCX）", detail=f"{org.name}；{period.label}"
    )
    name = f"信访工作通报-{period.start:%Y%m%d}-{period.end:%Y%m%d}.docx"
    ascii_name = f"xinfang-bulletin-{period.start:%Y%m%d}-{period.end:%Y%m%d}.docx"
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
