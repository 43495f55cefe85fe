"""A realistic county ledger for trying and measuring the import, from the database's orgs and categories."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta

from xinfang.cases.models import Category
from xinfang.core.idnumbers import check_digit
from xinfang.ledgers.fields import FIELDS
from xinfang.orgs.models import Org, OrgKind

HEADERS = ["序号"] + [f.label for f in FIELDS]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文红玉兰海燕春梅德胜"
CHANNELS = ["来访", "来信", "来电", "网上信访", "领导信箱"]
MATTERS = [
    "反映征地补偿款未足额发放",
    "反映拖欠农民工工资",
    "反映小区物业服务问题",
    "反映村道硬化工程质量问题",
    "反映宅基地审批问题",
    "反映企业排污扰民",
    "反映低保资格认定问题",
    "反映房屋拆迁安置问题",
]
BAD_KINDS = ("date", "id", "category", "duplicate", "name", "order")


def _id_number(rng: random.Random, county: str) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    first17 = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_digit(first17)


def rows(org: Org, count: int, *, bad: float = 0.0, seed: int = 14) -> Iterator[list]:
    """``count`` ledger rows of ``org``'s county, a fraction ``bad`` of them with one problem each."""
    rng = random.Random(seed)
    names: dict[str, int] = {}
    leaves = list(Category.objects.filter(is_active=True, parent__isnull=False).order_by("code"))
    for c in leaves:
        names[c.name] = names.get(c.name, 0) + 1
    categories = [c.name for c in leaves if names[c.name] == 1]
    county = org.division_code[:6]
    units = list(
        Org.objects.filter(division_code__startswith=county, is_active=True)
        .exclude(kind=OrgKind.VILLAGE_COMMITTEE)
        .values_list("name", flat=True)
    )
    first = date(2019, 1, 1)
    span = (date(2025, 10, 31) - first).days
    every = int(1 / bad) if bad > 0 else 0
    for n in range(1, count + 1):
        received = first + timedelta(days=rng.randrange(span))
        decided = received + timedelta(days=rng.randrange(1, 15))
        closed = decided + timedelta(days=rng.randrange(5, 60))
        state = rng.choice(["已办结"] * 8 + ["办理中", "待受理"])
        number = f"QH{received.year}-{n:06d}"
        row = {
            "序号": n,
            "信访编号": number,
            "登记日期": received,
            "信访人": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            "身份证号": _id_number(rng, county) if rng.random() < 0.9 else "",
            "联系电话": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "信访形式": rng.choice(CHANNELS),
            "问题类别": rng.choice(categories),
            "信访事项": rng.choice(MATTERS),
            "责任单位": rng.choice(units) if state != "待受理" else "",
            "受理日期": decided if state != "待受理" else "",
            "办结日期": closed if state == "已办结" else "",
            "办理状态": state,
            "满意度": rng.choice(["满意", "基本满意", "不满意", ""]) if state == "已办结" else "",
        }
        if every and n % every == 0:
            _spoil(row, BAD_KINDS[(n // every) % len(BAD_KINDS)], n)
        yield [row[h] for h in HEADERS]


def _spoil(row: dict, kind: str, n: int) -> None:
    if kind == "date":
        row["登记日期"] = f"{row['登记日期']:%Y}-13-01"
    elif kind == "id":
        row["身份证号"] = "110105194912310021"
    elif kind == "category":
        row["问题类别"] = "其他问题（旧分类）"
    elif kind == "duplicate":
        row["信访编号"] = f"QH{row['登记日期']:%Y}-{n - 1:06d}"
    elif kind == "name":
        row["信访人"] = ""
    elif row["办理状态"] == "已办结":
        row["办结日期"], row["受理日期"] = row["受理日期"], row["办结日期"]
    else:
        row["办理状态"] = "已办结"


def write(path: str, org: Org, count: int, *, bad: float = 0.0) -> None:
    if path.lower().endswith(".csv"):
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(HEADERS)
            for r in rows(org, count, bad=bad):
                w.writerow([v.isoformat() if isinstance(v, date) else v for v in r])
        return
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("信访台账")
    ws.append(HEADERS)
    for r in rows(org, count, bad=bad):
        ws.append(r)
    book.save(path)
