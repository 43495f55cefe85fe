"""The case ledger (信访件台账) as an XLSX workbook, streamed row by row.

One row per case the user may see (``cases.access.scoped_cases``), narrowed
by the one case filter (``cases.filters.apply``) from the parameters of the
workbench's 全部信访件 list, in the list's order: so the ledger of a list's
query string has exactly the list's cases. ``status`` (repeatable, as in the
API's list) narrows it further.

Large exports never sit in memory: the cases are read as plain tuples
through a chunked cursor (``values_list(...).iterator()``), names of orgs
and categories come with them through joins, the petitioners' names with one
query per chunk (never one per case), and openpyxl's write-only workbook
streams the sheet to a temporary file that the view hands to FileResponse.

Petitioners' names are masked as everywhere by default (surname only; an
organisation's name is public); ID and phone numbers are never written. Which
accusations appear is the access layer's decision, as for the list.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import IO, Any

from django.db.models import Case as When_
from django.db.models import CharField, Exists, F, OuterRef, Value, When
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from xinfang.cases import due
from xinfang.cases.access import scoped_cases
from xinfang.cases.filters import CaseFilter, apply
from xinfang.cases.forms_workbench import WorkbenchFilterForm
from xinfang.cases.models import CasePetitioner
from xinfang.cases.states import Channel, Evaluation, Kind, ReplyDecision, Status, Urgency
from xinfang.clock.models import Clock, DeadlineStatus
from xinfang.core import clock
from xinfang.core.masking import mask_name
from xinfang.petitioners.models import PetitionerKind

CHUNK = 2000
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")

# 是否超期: open and past its period now (the list's 已超期), or 办结 after the handling period ran out.
OVERDUE_NOW = "已超期"
LATE_DONE = "超期办结"
NOT_LATE = "否"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None


COLUMNS = (
    Column("序号", 7),
    Column("登记编号", 22),
    Column("收件时间", 17, DATETIME),
    Column("来源渠道", 10),
    Column("信访人", 18),
    Column("信访形式", 9),
    Column("人数", 6),
    Column("信访性质", 12),
    Column("问题属地", 18),
    Column("内容分类", 20),
    Column("内容摘要", 40),
    Column("紧急程度", 8),
    Column("重复件所并原件", 22),
    Column("登记单位", 20),
    Column("当前办理单位", 22),
    Column("主办单位", 22),
    Column("状态", 12),
    Column("受理日期", 11, DATE),
    Column("办理期限", 11, DATE),
    Column("是否超期", 9),
    Column("处理意见", 12),
    Column("答复日期", 11, DATE),
    Column("办结日期", 11, DATE),
    Column("终结日期", 11, DATE),
    Column("评价", 9),
)
HEADERS = [c.header for c in COLUMNS]

# The columns read per case, in the order _row() takes them.
FIELDS = (
    "pk",
    "number",
    "received_at",
    "channel",
    "is_collective",
    "person_count",
    "kind",
    "place_name",
    "category__name",
    "category__parent__name",
    "summary",
    "urgency",
    "repeat_of__number",
    "registered_org__name",
    "current_org__name",
    "competent_org__name",
    "status",
    "accepted_on",
    "due_date",
    "lateness",
    "reply_decision",
    "replied_on",
    "closed_on",
    "final_on",
    "evaluation",
)

LABELS: dict[str, dict[str, str]] = {
    "channel": dict(Channel.choices),
    "kind": dict(Kind.choices),
    "status": dict(Status.choices),
    "reply": dict(ReplyDecision.choices),
    "evaluation": dict(Evaluation.choices),
    "urgency": dict(Urgency.choices),
}


# ---------------------------------------------------------------- which cases


@dataclass
class Request:
    """The ledger asked for: the list's filter, and the conditions in words (for the sheet and the audit log)."""

    filter: CaseFilter
    conditions: str


def parse(user, params) -> Request:
    """The case list's query parameters as its filter (a bad value is ignored, as the list ignores it)."""
    form = WorkbenchFilterForm(params or None, user=user, default_sort="-received")
    f = form.to_filter()
    asked = set(params.getlist("status")) if params else set()
    f.status = [s for s in LABELS["status"] if s in asked]  # in the workflow's order; an unknown one is ignored
    words = []
    if form.is_bound:
        for name, field in form.fields.items():
            if name == "sort" or name in form.errors:
                continue
            value = form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            shown = _choice_label(field, value) or (value.isoformat() if isinstance(value, date) else str(value))
            words.append(f"{field.label}：{shown}")
    if f.status:
        words.append("状态：" + "、".join(LABELS["status"][s] for s in f.status))
    return Request(filter=f, conditions="；".join(words) or "全部")


def _choice_label(field, value) -> str:
    """The label the form shows for a chosen value ("一级 / 二级" for an option inside a group)."""
    for key, label in getattr(field, "choices", ()) or ():
        if isinstance(label, list | tuple):
            for sub_key, sub_label in label:
                if str(sub_key) == str(value):
                    return f"{key} / {sub_label}"
        elif str(key) == str(value):
            return str(label)
    return ""


def queryset(user, f: CaseFilter, today: date | None = None):
    """The cases of the ledger, as the list selects and orders them."""
    return apply(scoped_cases(user), f, actor=user, today=today)


def _lateness(today: date):
    """是否超期 in SQL: open past its date now, or a handling period met after its date (docs/metrics.md)."""
    from django.contrib.contenttypes.models import ContentType

    from xinfang.cases.models import Case
    from xinfang.clock.models import Deadline

    met_late = Deadline.objects.filter(
        owner_type_id=ContentType.objects.get_for_model(Case).pk,
        owner_id=OuterRef("pk"),
        clock=Clock.HANDLING,
        status=DeadlineStatus.MET,
        met_at__gt=F("due_date"),
    )
    return When_(
        When(due.overdue_q(today), then=Value(OVERDUE_NOW)),
        When(Exists(met_late), then=Value(LATE_DONE)),
        default=Value(NOT_LATE),
        output_field=CharField(),
    )


def _tuples(qs, today: date, chunk: int) -> Iterator[tuple]:
    rows = qs.annotate(lateness=_lateness(today)).values_list(*FIELDS)
    return rows.iterator(chunk_size=chunk)


def _petitioners(case_ids: list[int]) -> dict[int, str]:
    """Each case's petitioners' names, masked (representatives first), from one query for the chunk."""
    links = (
        CasePetitioner.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "-is_representative", "pk")
        .values_list("case_id", "petitioner__name", "petitioner__kind")
    )
    names: dict[int, list[str]] = {}
    for case_id, name, kind in links:
        names.setdefault(case_id, []).append(name if kind == PetitionerKind.ORGANISATION else mask_name(name))
    return {case_id: "、".join(found) for case_id, found in names.items()}


def rows(qs, today: date | None = None, *, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """The ledger's rows (cell values, in COLUMNS order) for these cases."""
    today = today or clock.today()
    source = _tuples(qs, today, chunk)
    n = 0
    while batch := list(islice(source, chunk)):
        names = _petitioners([r[0] for r in batch])
        for r in batch:
            n += 1
            yield _row(n, r, names.get(r[0], ""))


def _local(moment: datetime | None) -> datetime | None:
    # A spreadsheet has no time zones: the local wall time, as the list shows it.
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def _row(n: int, r: tuple, petitioners: str) -> list[Any]:
    (
        _pk,
        number,
        received_at,
        channel,
        is_collective,
        person_count,
        kind,
        place_name,
        category,
        parent,
        summary,
        urgency_code,
        repeat_of,
        registered,
        current,
        competent,
        status,
        accepted_on,
        due_date,
        lateness,
        reply_decision,
        replied_on,
        closed_on,
        final_on,
        evaluation,
    ) = r
    return [
        n,
        number,
        _local(received_at),
        LABELS["channel"].get(channel, channel),
        petitioners,
        "集体" if is_collective else "个体",
        person_count,
        LABELS["kind"].get(kind, kind),
        place_name,
        f"{parent} / {category}" if parent else (category or ""),
        summary,
        LABELS["urgency"].get(urgency_code, urgency_code),
        repeat_of or "",
        registered,
        current,
        competent or "",
        LABELS["status"].get(status, status),
        accepted_on,
        due_date,
        lateness,
        LABELS["reply"].get(reply_decision, ""),
        replied_on,
        closed_on,
        final_on,
        LABELS["evaluation"].get(evaluation, ""),
    ]


# ---------------------------------------------------------------- the workbook


@dataclass
class Export:
    file: IO[bytes]
    count: int


def write(qs, *, title: str, conditions: str, today: date | None = None, chunk: int = CHUNK) -> Export:
    """The ledger of these cases in a temporary file (deleted when closed), rewound, with its row count."""
    today = today or clock.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    for letter, column in zip(_letters(len(COLUMNS)), COLUMNS, strict=True):
        ws.column_dimensions[letter].width = column.width
    head = 3
    ws.freeze_panes = f"C{head + 1}"  # the header, the row number and the case number stay in view
    ws.append([_styled(ws, title, font=Font(bold=True, size=14))])
    ws.append([f"{conditions}；制表日期：{today:%Y-%m-%d}；个人姓名已隐去（仅显示姓氏）"])
    ws.append([_head_cell(ws, text) for text in HEADERS])
    formats = [c.number_format for c in COLUMNS]
    count = 0
    for values in rows(qs, today, chunk=chunk):
        ws.append([_value_cell(ws, v, fmt) for v, fmt in zip(values, formats, strict=True)])
        count += 1
    last = _letters(len(COLUMNS))[-1]
    ws.auto_filter.ref = f"A{head}:{last}{head + max(count, 1)}"
    # Handed to the response, which closes (and so deletes) it once sent.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return Export(file=out, count=count)


def _letters(n: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, n + 1)]


def _styled(ws, value, *, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _head_cell(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True)
    cell.fill = HEAD_FILL
    cell.border = BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def text_cell(ws, value):
    """A value as written: text that looks like a formula stays text; characters XML cannot hold are dropped.

    openpyxl stores any string starting with "=" as a formula, so a petitioner's summary could
    otherwise run in the clerk's spreadsheet (and a control character would make the save fail).
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _value_cell(ws, value, number_format: str | None):
    # A plain value costs less to write than a styled cell, and openpyxl already gives a date
    # (not a datetime) the yyyy-mm-dd format: only the times need a cell of their own.
    if isinstance(value, str):
        return text_cell(ws, value)
    if number_format is None or value is None or type(value) is date:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def export(user, params, today: date | None = None) -> tuple[Request, Export]:
    """The ledger the user asked for with the list's parameters: its conditions and the file."""
    today = today or clock.today()
    asked = parse(user, params)
    org = user.org.name if user.org_id else ""
    title = f"{org}信访件台账"
    qs = queryset(user, asked.filter, today)
    return asked, write(qs, title=title, conditions=f"筛选条件：{asked.conditions}", today=today)


def may_export(user) -> bool:
    from xinfang.stats.table import may_view

    return may_view(user)


# The ledger is a statistics export: the roles that may read statistics (stats.table.STATS_ROLES).
NOT_ALLOWED = "只有统计员、领导、督查员、单位负责人和受理交办员可以导出台账"
