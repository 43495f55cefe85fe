"""A ledger going out: the cases of a period and an org subtree as XLSX in a saved layout (导出台账).

The layout the importer saved (``LedgerLayout.columns``: field key → the ledger's header) says which
columns the receiving office expects and what it calls them; the value mappings say how that office
spells a category, a unit or a channel. The export writes the same thing backwards, so a file made here
reads back through the import's own check (``validation.check``) with every row valid:

- the columns are the layout's mapped fields in the ledger's own column order (``LedgerLayout.order``,
  the file's header order when the mapping was saved, kept as a list since PostgreSQL's jsonb does not
  keep a JSON object's key order); fields the order does not name follow in ``fields.FIELDS`` order,
  and a layout without an order (or no layout) is in FIELDS order;
- a category, unit or channel is written in the ledger's spelling when a value mapping names that
  dictionary entry (the first one saved, when several texts map to one entry), otherwise in the
  system's own label (the category's name, the org's name, the channel's label), which the import
  matches by exact name;
- dates are written as the clerk chooses: real date cells, or text in one of the spellings the import
  reads (2024-03-15, 2024年3月15日, 20240315);
- 办理状态 is the ledger's three states (待受理, 办理中, 已办结) for the workflow states that are one of
  them, and the system's label for those a county ledger does not know (不予受理, 已导入法定途径 …);
- a case that came in from a ledger keeps its ledger number and, where the workflow has not recorded
  them itself, the decision and closing days and the satisfaction the ledger gave (from the case's
  own 历史台账导入 event).

Which cases: those the viewer may see (``cases.access.scoped_cases``), received in the period (local
days, both ends included), handled inside the chosen unit's subtree as the 月报 counts them
(``stats.table.subtree_scope``: the whole scope at the viewer's root).

Personal data as in the statistics ledger by default: a person's name is masked to the surname, ID and
phone numbers are left empty (so the file still reads back). With ``personal`` (only the roles that may
reveal, with a reason, logged by the view) the full name, ID number and first phone number are written.

Memory stays flat: the cases are read as plain dicts through a chunked cursor with names joined in, the
petitioners (and, with personal data, their phones) by one query per chunk, and openpyxl's write-only
workbook streams to a temporary file that the view hands to ``FileResponse``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from django.db.models import JSONField, OuterRef, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import CaseEvent, CasePetitioner
from xinfang.cases.states import Channel, Evaluation, Status, TrackedAction
from xinfang.core import clock
from xinfang.core.masking import mask_name
from xinfang.ledgers import fields as F
from xinfang.ledgers.models import LedgerLayout, ValueMapping
from xinfang.orgs.models import Org
from xinfang.petitioners import crypto
from xinfang.petitioners.models import PetitionerKind, PetitionerPhone
from xinfang.stats.ledger import Export, text_cell
from xinfang.stats.periods import Period
from xinfang.stats.table import subtree_scope

CHUNK = 2000

# How dates are written: a date cell, or text the import's parse_date reads back.
CELL, ISO, CHINESE, COMPACT = "cell", "iso", "chinese", "compact"
DATE_FORMATS = {
    CELL: "日期单元格（2024-03-15）",
    ISO: "文本 2024-03-15",
    CHINESE: "文本 2024年3月15日",
    COMPACT: "文本 20240315",
}

# The workflow's states as a county ledger's 办理状态 (fields.STATE_LABELS); the rest keep their own label.
LEDGER_STATE = {
    **dict.fromkeys((Status.REGISTERED, Status.FORWARDED, Status.ASSIGNED, Status.TO_DECIDE), F.RECEIVED),
    **dict.fromkeys((Status.HANDLING, Status.REPLIED, Status.REPORTED), F.DECIDED),
    **dict.fromkeys(
        (Status.CLOSED, Status.REVIEW_REQUESTED, Status.REVIEWED, Status.REEXAM_REQUESTED, Status.FINAL), F.CLOSED
    ),
}
STATUS_LABELS = dict(Status.choices)
CHANNEL_LABELS = dict(Channel.choices)
EVALUATION_LABELS = dict(Evaluation.choices)

HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
WIDTHS = {"content": 50, "unit": 24, "category": 18, "id_number": 21, "ledger_number": 22, "name": 14}


@dataclass(frozen=True)
class Asked:
    """What is exported: the layout (None: the default headers), the period, the unit and how."""

    layout: LedgerLayout | None
    period: Period
    unit: Org
    top: bool  # the unit is the viewer's root: the whole scope, as the 月报's total
    date_format: str = CELL
    personal: bool = False

    @property
    def layout_name(self) -> str:
        return self.layout.name if self.layout is not None else "默认格式"

    @property
    def conditions(self) -> str:
        """The export in words, for the workbook's 说明 sheet and the audit log."""
        p = self.period
        words = [
            f"台账格式：{self.layout_name}",
            f"登记日期：{p.start:%Y-%m-%d}至{p.end:%Y-%m-%d}",
            f"单位：{self.unit.name}",
            f"日期格式：{DATE_FORMATS[self.date_format]}",
        ]
        if self.personal:
            words.append("含完整个人信息")
        return "；".join(words)


def columns_of(layout: LedgerLayout | None) -> list[tuple[str, str]]:
    """(field key, header) of the layout's columns, in the layout's column order (no layout: FIELDS order)."""
    if layout is None:
        return [(f.key, f.label) for f in F.FIELDS]
    return [(key, str(layout.columns[key])) for key in layout.column_keys()]


def spellings(layout: LedgerLayout | None) -> dict[str, dict[str, str]]:
    """kind → dictionary entry → the ledger's text for it (the first saved, when several texts map to one)."""
    found: dict[str, dict[str, str]] = {kind: {} for kind in F.MAPPED}
    if layout is None:
        return found
    for kind, text, target in (
        ValueMapping.objects.filter(layout=layout).order_by("pk").values_list("kind", "text", "target")
    ):
        found.setdefault(kind, {}).setdefault(target, text)
    return found


def queryset(user, asked: Asked):
    """The cases of the export, oldest received first."""
    start, end = asked.period.moments()
    qs = subtree_scope(scoped_cases(user), asked.unit, top=asked.top)
    return qs.filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "pk")


# The columns read per case. "imported" is the data of the case's 历史台账导入 event, if any.
VALUES = (
    "pk",
    "number",
    "received_at",
    "channel",
    "category__code",
    "category__name",
    "content",
    "competent_org_id",
    "competent_org__name",
    "status",
    "accepted_on",
    "closed_on",
    "evaluation",
    "imported",
)


def _imported():
    events = CaseEvent.objects.filter(case=OuterRef("pk"), action=TrackedAction.LEDGER_IMPORTED).order_by("seq")
    return Subquery(events.values("data")[:1], output_field=JSONField())


class _Petitioners:
    """Each case's petitioners for a chunk: names (masked unless personal), and the first one's numbers."""

    def __init__(self, case_ids: list[int], *, personal: bool, want_id: bool, want_phone: bool):
        self.names: dict[int, str] = {}
        self.id_numbers: dict[int, str] = {}
        self.phones: dict[int, str] = {}
        links = (
            CasePetitioner.objects.filter(case_id__in=case_ids)
            .order_by("case_id", "-is_representative", "pk")
            .values_list(
                "case_id", "petitioner_id", "petitioner__name", "petitioner__kind", "petitioner__id_number_enc"
            )
        )
        names: dict[int, list[str]] = {}
        first: dict[int, int] = {}  # case → its first petitioner (the representative, if any)
        for case_id, petitioner_id, name, kind, id_enc in links:
            if not personal and kind != PetitionerKind.ORGANISATION:
                name = mask_name(name)
            names.setdefault(case_id, []).append(name)
            if case_id not in first:
                first[case_id] = petitioner_id
                if personal and want_id and id_enc:
                    self.id_numbers[case_id] = crypto.decrypt(id_enc)
        self.names = {case_id: "、".join(found) for case_id, found in names.items()}
        if personal and want_phone and first:
            numbers: dict[int, str] = {}
            for petitioner_id, enc in (
                PetitionerPhone.objects.filter(petitioner_id__in=set(first.values()))
                .order_by("petitioner_id", "position", "pk")
                .values_list("petitioner_id", "number_enc")
            ):
                numbers.setdefault(petitioner_id, enc)
            for case_id, petitioner_id in first.items():
                if petitioner_id in numbers:
                    self.phones[case_id] = crypto.decrypt(numbers[petitioner_id])


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _written_date(day: date | None, fmt: str):
    if day is None:
        return None
    if fmt == ISO:
        return day.isoformat()
    if fmt == CHINESE:
        return f"{day.year}年{day.month}月{day.day}日"
    if fmt == COMPACT:
        return f"{day:%Y%m%d}"
    return day


def facts(r: dict, people: _Petitioners, spelled: dict[str, dict[str, str]], fmt: str) -> dict[str, Any]:
    """One case's value for every field key (what the layout does not ask for is simply not written)."""
    imported = r["imported"] or {}
    status = r["status"]
    state = LEDGER_STATE.get(status)
    received = timezone.localtime(r["received_at"]).date()
    decided = r["accepted_on"] or _day(imported.get("decided_at"))
    closed = r["closed_on"] or _day(imported.get("closed_at"))
    unit_id = r["competent_org_id"]
    code = r["category__code"]
    return {
        "ledger_number": imported.get("ledger_number") or r["number"],
        "received_on": _written_date(received, fmt),
        "name": people.names.get(r["pk"], ""),
        "id_number": people.id_numbers.get(r["pk"], ""),
        "phone": people.phones.get(r["pk"], ""),
        "channel": spelled[F.CHANNEL].get(r["channel"]) or CHANNEL_LABELS.get(r["channel"], r["channel"]),
        "category": (spelled[F.CATEGORY].get(code) or r["category__name"]) if code else "",
        "content": r["content"],
        "unit": (spelled[F.UNIT].get(str(unit_id)) or r["competent_org__name"]) if unit_id else "",
        "decided_on": _written_date(decided, fmt),
        "closed_on": _written_date(closed, fmt) if state == F.CLOSED else None,
        "state": F.STATE_LABELS[state] if state else STATUS_LABELS.get(status, status),
        "satisfaction": EVALUATION_LABELS.get(r["evaluation"]) or imported.get("satisfaction", ""),
    }


def rows(qs, asked: Asked, *, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """The export's rows: cell values in the layout's column order."""
    keys = [key for key, _header in columns_of(asked.layout)]
    spelled = spellings(asked.layout)
    source = qs.annotate(imported=_imported()).values(*VALUES).iterator(chunk_size=chunk)
    while batch := list(islice(source, chunk)):
        people = _Petitioners(
            [r["pk"] for r in batch],
            personal=asked.personal,
            want_id="id_number" in keys,
            want_phone="phone" in keys,
        )
        for r in batch:
            values = facts(r, people, spelled, asked.date_format)
            yield [values[key] for key in keys]


def _head(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True)
    cell.fill = HEAD_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center")
    return cell


def write(qs, asked: Asked, *, title: str, today: date | None = None, chunk: int = CHUNK) -> Export:
    """The ledger in a temporary file (deleted when closed), rewound, with its row count.

    The first sheet is the ledger alone, its header on row 1, as the import reads a ledger; the title and
    conditions go on a second sheet (说明) that the import does not read.
    """
    today = today or clock.today()
    columns = columns_of(asked.layout)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    for i, (key, header) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(key, max(12, 2 * len(header) + 2))
    ws.freeze_panes = "A2"
    ws.append([_head(ws, header) for _key, header in columns])
    count = 0
    for values in rows(qs, asked, chunk=chunk):
        ws.append([text_cell(ws, v) for v in values])
        count += 1
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    about = wb.create_sheet("说明")
    about.column_dimensions["A"].width = 90
    about.append([title])
    about.append([asked.conditions])
    about.append([f"共{count}件；制表日期：{today:%Y-%m-%d}"])
    if not asked.personal:
        about.append(["个人姓名已隐去（仅显示姓氏），未写入身份证号和联系电话"])
    # Handed to the response, which closes (and so deletes) it once sent.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return Export(file=out, count=count)


def export(user, asked: Asked, today: date | None = None) -> Export:
    """The ledger ``asked`` for, of the cases ``user`` may see."""
    title = f"{asked.unit.name}信访事项台账（{asked.period.start:%Y-%m-%d}至{asked.period.end:%Y-%m-%d}）"
    return write(queryset(user, asked), asked, title=title, today=today)
