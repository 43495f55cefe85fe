"""The monthly table as an XLSX workbook that opens in WPS and Excel.

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
    conditions += f"；制表日期：{table.today:%Y-%m-%d}；口径见 docs/metrics.md"
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
