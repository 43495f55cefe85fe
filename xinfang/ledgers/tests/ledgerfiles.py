"""Small ledgers for the tests, built in memory."""

import csv
import io

import openpyxl

from xinfang.ledgers.fields import FIELDS

HEADERS = [f.label for f in FIELDS]


def row(number="QH2025-0001", **over):
    values = {
        "信访编号": number,
        "登记日期": "2025-03-03",
        "信访人": "张三",
        "身份证号": "11010519491231002X",
        "联系电话": "13800138000",
        "信访形式": "来访",
        "问题类别": "",
        "信访事项": "反映征地补偿款未发放",
        "责任单位": "清河县自然资源局",
        "受理日期": "2025-03-05",
        "办结日期": "2025-04-20",
        "办理状态": "已办结",
        "满意度": "满意",
    }
    values.update(over)
    return values


def xlsx(rows, headers=HEADERS, merge=None, formula=False) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    if merge:
        ws.merge_cells(merge)
    if formula:
        ws["A2"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    for r in rows:
        w.writerow([r.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8-sig")
