"""Reading an uploaded ledger (XLSX or CSV) into header and rows, refusing what is not a plain table."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime


class FileRefused(Exception):
    """The file as a whole cannot be read as a ledger (the message is the report's reason)."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list]  # values as read: str, int, float, date or datetime; row 2 of the file is rows[0]


_MERGE = re.compile(rb"<mergeCell\b")


def read(filename: str, data: bytes) -> Sheet:
    if not data:
        raise FileRefused("文件为空（0字节）")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith(".csv"):
        return _read_csv(data)
    raise FileRefused("文件不是 XLSX 或 CSV 表格")


def _read_csv(data: bytes) -> Sheet:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise FileRefused("文件不是 XLSX 或 CSV 表格")
    lines = list(csv.reader(io.StringIO(text)))
    return _sheet(lines)


def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        if not sheets:
            raise FileRefused("文件不是 XLSX 或 CSV 表格")
        # Merged cells would shift values between rows and columns; read-only mode cannot see them.
        with archive.open(sorted(sheets)[0]) as first:
            if any(_MERGE.search(chunk) for chunk in iter(lambda: first.read(1 << 20), b"")):
                raise FileRefused("表格含合并单元格，请取消合并后重新上传")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — any unreadable archive is one reason for the clerk
        raise FileRefused("文件不是 XLSX 或 CSV 表格") from exc
    ws = book.worksheets[0]
    lines = []
    for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
        for col_no, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                raise FormulaFound(row_no, col_no)
        lines.append(list(row))
    book.close()
    return _sheet(lines)


class FormulaFound(FileRefused):
    def __init__(self, row: int, column: int):
        super().__init__(f"第{row}行第{column}列是公式，请粘贴为数值后重新上传")
        self.row, self.column = row, column


def _sheet(lines: list[list]) -> Sheet:
    lines = [line for line in lines if any(v not in (None, "") for v in line)]
    if not lines:
        raise FileRefused("表格没有表头")
    headers = [str(h).strip() if h is not None else "" for h in lines[0]]
    return Sheet(headers, lines[1:])


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
