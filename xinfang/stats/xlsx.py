"""The monthly table and the ranking as XLSX workbooks that open in WPS and Excel.

Chinese headers, a title and the conditions above the table, the header
rows frozen, column widths set, counts as integers and rates as percent
numbers (stored as fractions with a 0.00% format, so a spreadsheet can sum
and chart them), an empty cell where a rate has nothing to divide by.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xinfang.stats.models import ScoringScheme
from xinfang.stats.ranking import Ranking
from xinfang.stats.table import Table

PERCENT = "0.00%"
CHANGE_PERCENT = "+0.00%;-0.00%;0.00%"
POINTS = '+0.00"个百分点";-0.00"个百分点";0.00"个百分点"'
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def _cell_value(value):
    if isinstance(value, Decimal):
        return float(value / 100)
    return value


def workbook(table: Table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    width = len(table.columns) + 1
    ws.cell(row=1, column=1, value=f"{table.org.name}信访工作统计表（{table.period.label}）").font = Font(
        bold=True, size=14
    )
    conditions = f"统计期间：{table.period.start:%Y-%m-%d}至{table.period.end:%Y-%m-%d}"
    if table.slice.label:
        conditions += f"；范围：{table.slice.label}"
    conditions += f"；制表日期：{table.today:%Y-%m-%d}；口径见系统“统计口径”页"
    ws.cell(row=2, column=1, value=conditions)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)

    head = 3
    headers = ["单位", *[f"{c.label}（{c.unit}）" if c.unit != "%" else c.label for c in table.columns]]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=head, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[head].height = 45

    r = head
    for row in table.rows + [table.total]:
        r += 1
        _write_row(ws, r, row.label, row.cells, bold=row.kind == "total")
    for row in (table.previous, table.last_year):
        r += 1
        _write_row(ws, r, row.label, row.cells, bold=False)
        r += 1
        label = "环比" if row.kind == "previous" else "同比"
        ws.cell(row=r, column=1, value=f"{label}（计数为增减%，比率为增减百分点）").border = BOX
        for col, cell in enumerate(row.cells, start=2):
            change = cell.get("change")
            out = ws.cell(row=r, column=col)
            out.border = BOX
            if change is None:
                continue
            if cell["metric"].is_rate:
                out.value, out.number_format = float(change), POINTS
            else:
                out.value, out.number_format = float(change / 100), CHANGE_PERCENT

    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    ws.column_dimensions["A"].width = 34
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_row(ws, r: int, label: str, cells: list[dict], *, bold: bool) -> None:
    first = ws.cell(row=r, column=1, value=label)
    first.border = BOX
    if bold:
        first.font = Font(bold=True)
        first.fill = TOTAL_FILL
    for col, cell in enumerate(cells, start=2):
        out = ws.cell(row=r, column=col, value=_cell_value(cell["value"]))
        out.border = BOX
        out.number_format = PERCENT if cell["metric"].is_rate else "0"
        if bold:
            out.font = Font(bold=True)
            out.fill = TOTAL_FILL


# ---------------------------------------------------------------- the ranking


def _figure(value, *, is_rate: bool):
    if value is None:
        return None
    return float(value / 100) if is_rate else value


def ranking_workbook(ranking: Ranking) -> bytes:
    """The ranking: rank, unit, total, each item's value and points, the vetoes, then the information columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    scheme = ranking.scheme
    headers = ["名次", "单位", f"总分（满分{_number(scheme_full(ranking))}）"]
    for item in ranking.items:
        label = item.get_metric_display()
        headers += [label, f"{label}得分（{_number(item.weight)}分）"]
    headers.append("一票否决")
    headers += [f"{c.label}（{c.unit}，不计分）" for c in ranking.info_columns]
    width = len(headers)
    ws.cell(row=1, column=1, value=f"{ranking.org.name}所属单位信访工作排名（{ranking.period.label}）").font = Font(
        bold=True, size=14
    )
    conditions = f"统计期间：{ranking.period.start:%Y-%m-%d}至{ranking.period.end:%Y-%m-%d}"
    conditions += f"；评分方案：{scheme.name if scheme else '未设定'}"
    conditions += f"；制表日期：{ranking.today:%Y-%m-%d}；口径见系统“统计口径”页"
    ws.cell(row=2, column=1, value=conditions)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    head = 3
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=head, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[head].height = 45
    for r, row in enumerate(ranking.rows, start=head + 1):
        values: list = [row.rank if row.rank is not None else "不参加排名", row.org.name, _decimal(row.score.total)]
        formats: list[str | None] = ["0", None, "0.00"]
        for scored in row.score.items:
            values += [_figure(scored.value, is_rate=scored.is_rate), _decimal(scored.points)]
            formats += [PERCENT if scored.is_rate else "0", "0.00"]
        values.append("；".join(row.score.vetoes))
        formats.append(None)
        values += [row.info[c.code] for c in ranking.info_columns]
        formats += ["0"] * len(ranking.info_columns)
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            out = ws.cell(row=r, column=col, value=value)
            out.border = BOX
            if fmt and value is not None and not isinstance(value, str):
                out.number_format = fmt
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 30
    for col in range(3, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    if scheme is not None:
        _rules_sheet(wb, ranking, scheme)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _rules_sheet(wb, ranking: Ranking, scheme: ScoringScheme) -> None:
    """The scheme's items and vetoes on a sheet of their own, so that the export explains its own scores."""
    ws = wb.create_sheet("评分规则")
    ws.cell(row=1, column=1, value=f"{scheme.name}（满分{_number(scheme_full(ranking))}分）").font = Font(bold=True)
    head = ["评分项", "分值", "满分线", "零分线", "无数据时"]
    for col, text in enumerate(head, start=1):
        cell = ws.cell(row=2, column=col, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
    r = 2
    for item in ranking.items:
        r += 1
        better, worse = ("≥", "≤") if item.full_at > item.zero_at else ("≤", "≥")
        row = [
            item.get_metric_display(),
            float(item.weight),
            f"{better}{_number(item.full_at)}",
            f"{worse}{_number(item.zero_at)}",
            item.get_if_no_data_display(),
        ]
        for col, value in enumerate(row, start=1):
            ws.cell(row=r, column=col, value=value).border = BOX
    r += 2
    ws.cell(row=r, column=1, value="一票否决（被否决的单位排在未被否决的单位之后）").font = Font(bold=True)
    for veto in ranking.vetoes:
        r += 1
        ws.cell(row=r, column=1, value=veto.name)
        ws.cell(row=r, column=2, value=veto.describe())
    r += 2
    ws.cell(
        row=r, column=1, value="两线之间按比例得分；无数据而不计入的项，总分按其余各项折算；口径见系统“统计口径”页。"
    )
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28
    for letter in "CDE":
        ws.column_dimensions[letter].width = 14


def scheme_full(ranking: Ranking) -> Decimal:
    return sum((Decimal(i.weight) for i in ranking.items), Decimal(0))


def _decimal(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _number(value) -> str:
    return f"{Decimal(value).normalize():f}"
