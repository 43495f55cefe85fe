"""Checking every ledger row before anything is written; the report (行, 列, 原因) as XLSX."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from xinfang.cases.models import Category
from xinfang.cases.states import Channel
from xinfang.core import clock
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.ledgers import fields as F
from xinfang.ledgers.reading import FileRefused, FormulaFound, Sheet, read, text
from xinfang.orgs.models import Org


@dataclass
class Problem:
    row: int | None  # the file's row number (the header is row 1); None: the whole file
    column: str
    reason: str


@dataclass
class Row:
    line: int
    values: dict  # field key → parsed value


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmatched: dict[str, list[str]] = field(default_factory=dict)  # kind → ledger texts with no entry
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Dictionaries:
    """Ledger text → dictionary entry: the clerk's saved mappings first, then the exact name."""

    def __init__(self, org: Org, mappings: dict[str, dict[str, str]]):
        self.mappings = mappings
        leaves = Category.objects.filter(is_active=True, parent__isnull=False)  # a case takes a leaf
        by_name: dict[str, list[Category]] = {}
        self.categories = {}
        for c in leaves:
            by_name.setdefault(c.name, []).append(c)
            self.categories[c.code] = c
        # A name two categories share is not matched: the clerk chooses (never guessed).
        self.category_names = {n: cs[0] for n, cs in by_name.items() if len(cs) == 1}
        county = org.division_code[:6]
        self.units = {str(o.pk): o for o in Org.objects.filter(division_code__startswith=county, is_active=True)}
        names: dict[str, list[Org]] = {}
        for o in self.units.values():
            names.setdefault(o.name, []).append(o)
        self.unit_names = {n: os[0] for n, os in names.items() if len(os) == 1}
        self.channel_labels = {label: value for value, label in Channel.choices}

    def find(self, kind: str, raw: str):
        mapped = self.mappings.get(kind, {}).get(raw)
        if kind == F.CATEGORY:
            return self.categories.get(mapped) if mapped else self.category_names.get(raw)
        if kind == F.UNIT:
            return self.units.get(mapped) if mapped else self.unit_names.get(raw)
        if mapped in Channel.values:
            return mapped
        return self.channel_labels.get(raw)


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    m = _DATE.match(raw) or _COMPACT.match(raw)
    if not m:
        raise ValueError(f"日期“{raw}”无法识别（应为 2020-03-15 或 2020年3月15日）")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"日期“{raw}”不存在") from None


def check(filename: str, data: bytes, *, org: Org, columns: dict[str, str], mappings: dict) -> Checked:
    """Read and check the whole file; ``rows`` only means something when ``ok``."""
    result = Checked()
    try:
        sheet = read(filename, data)
    except FormulaFound as exc:
        result.problems.append(Problem(exc.row, "", str(exc)))
        return result
    except FileRefused as exc:
        result.problems.append(Problem(None, "", str(exc)))
        return result
    result.headers = sheet.headers
    index = _columns(sheet, columns, result)
    if not result.ok:
        return result
    dictionaries = Dictionaries(org, mappings)
    seen: dict[str, int] = {}
    unmatched: dict[str, set[str]] = {k: set() for k in F.MAPPED}
    today = clock.today()
    for offset, line in enumerate(sheet.rows):
        row_no = offset + 2
        raw = {key: text(line[i]) if i < len(line) else "" for key, i in index.items()}
        values: dict = {}
        problems = _check_row(row_no, raw, line, index, values, dictionaries, unmatched, today)
        number = raw.get("ledger_number", "")
        if number:
            if number in seen:
                problems.append(
                    Problem(row_no, columns["ledger_number"], f"信访编号“{number}”与第{seen[number]}行重复")
                )
            else:
                seen[number] = row_no
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append(Row(row_no, values))
    result.unmatched = {k: sorted(v) for k, v in unmatched.items() if v}
    _check_rules(org, result, columns)
    return result


def _check_rules(org: Org, result: Checked, columns: dict[str, str]) -> None:
    """A case whose day no rule set (or calendar) covers would be refused at import: say so now."""
    from xinfang.cases.actions.historical import RuleBook

    book = RuleBook()  # a few look-ups per stretch of days between rule changes, not per day
    refused: dict[date, str] = {}
    for day in {r.values["received_on"] for r in result.rows}:
        try:
            book.at(org, day)
        except Exception as exc:  # noqa: BLE001 — RuleNotFound and the calendar's refusals alike
            refused[day] = str(exc)
    if not refused:
        return
    keep = []
    for r in result.rows:
        reason = refused.get(r.values["received_on"])
        if reason is None:
            keep.append(r)
        else:
            result.problems.append(Problem(r.line, columns.get("received_on", "登记日期"), f"无法计算期限：{reason}"))
    result.rows = keep
    result.problems.sort(key=lambda p: p.row or 0)


def _columns(sheet: Sheet, columns: dict[str, str], result: Checked) -> dict[str, int]:
    positions = {h: i for i, h in enumerate(sheet.headers) if h}
    index = {}
    for f in F.FIELDS:
        header = columns.get(f.key, "")
        if header and header in positions:
            index[f.key] = positions[header]
        elif f.required:
            shown = f"“{header}”" if header else ""
            result.problems.append(Problem(1, header or f.label, f"缺少必需的列{shown}（{f.label}）"))
    return index


def _check_row(row_no, raw, line, index, values, dictionaries, unmatched, today) -> list[Problem]:
    problems: list[Problem] = []
    header = {key: F.BY_KEY[key].label for key in index}

    def bad(key, reason):
        problems.append(Problem(row_no, header.get(key, F.BY_KEY[key].label), reason))

    for key in index:
        if F.BY_KEY[key].required and not raw[key]:
            bad(key, f"{F.BY_KEY[key].label}不能为空")
    values["ledger_number"] = raw.get("ledger_number", "")
    values["name"] = raw.get("name", "")
    values["content"] = raw.get("content", "")
    values["satisfaction"] = raw.get("satisfaction", "")
    for key in ("received_on", "decided_on", "closed_on"):
        if key in index and raw[key]:
            try:
                day = parse_date(line[index[key]])
            except ValueError as exc:
                bad(key, str(exc))
                continue
            if day > today:
                bad(key, f"{F.BY_KEY[key].label}晚于今天")
                continue
            values[key] = day
    if raw.get("id_number"):
        try:
            values["id_number"] = normalize_id_number(raw["id_number"])
        except IdNumberError as exc:
            bad("id_number", f"身份证号无效：{exc}")
    if raw.get("phone"):
        try:
            values["phone"] = normalize_phone(raw["phone"]).number
        except PhoneError as exc:
            bad("phone", f"联系电话无效：{exc}")
    for kind in F.MAPPED:
        text_ = raw.get(kind, "")
        if not text_:
            continue
        found = dictionaries.find(kind, text_)
        if found is None:
            unmatched[kind].add(text_)
            bad(kind, f"{F.MAPPED[kind]}“{text_}”未对应到字典，请在“对应字典值”中选择")
        else:
            values[kind] = found
    if values.get("channel") == Channel.REFERRED:
        bad("channel", "上级交办件须注明交办上级，不能从台账导入，请逐件登记")
    if raw.get("state"):
        state = F.STATES.get(raw["state"])
        if state is None:
            bad("state", f"办理状态“{raw['state']}”无法识别（应为：待受理、办理中或已办结）")
        else:
            values["state"] = state
            _check_state(values, bad, raw)
    return problems


def _check_state(values, bad, raw) -> None:
    """Only states the workflow could have reached: the dates it needs, in order."""
    state, received = values["state"], values.get("received_on")
    decided, closed = values.get("decided_on"), values.get("closed_on")
    if state in (F.DECIDED, F.CLOSED):
        if decided is None and not raw.get("decided_on"):
            bad("decided_on", f"办理状态为“{raw['state']}”须填写受理日期")
        if "unit" not in values and not raw.get("unit"):
            bad("unit", f"办理状态为“{raw['state']}”须填写责任单位")
    if state == F.CLOSED and closed is None and not raw.get("closed_on"):
        bad("closed_on", "办理状态为“已办结”须填写办结日期")
    if state != F.CLOSED and closed is not None:
        bad("closed_on", f"办理状态为“{raw['state']}”却填写了办结日期")
    if received and decided and decided < received:
        bad("decided_on", "受理日期早于登记日期")
    if decided and closed and closed < decided:
        bad("closed_on", "办结日期早于受理日期")


def report_xlsx(problems: list[Problem]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("校验报告")
    ws.append(["行", "列", "原因"])
    for p in problems:
        ws.append([p.row if p.row is not None else "（整个文件）", p.column, p.reason])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
