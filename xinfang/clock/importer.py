"""Importing a year's official schedule from a plain text file.

Each State Council notice is published in November for the next year, often
before the ``chinesecalendar`` package is updated, so an administrator types
it into a file and runs ``manage.py clock import FILE``::

    # 2027 年部分节假日安排（国办发明电〔2026〕X号）
    2027-01-01 holiday 元旦
    2027-02-07 workday 春节调休

One date a line: ISO date, ``holiday`` or ``workday`` (调休上班), then the
holiday name (optional, may contain spaces). ``#`` starts a comment. Every year
that appears in the file is taken to be complete: its existing entries are
replaced by the file's and the year is marked as loaded, so re-importing a
corrected file fixes mistakes and importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from django.db import transaction

from xinfang.clock.models import CalendarDay, CalendarSource, CalendarYear, DayKind, weekday_label
from xinfang.clock.services import calendar_changes

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KINDS = {"holiday": DayKind.HOLIDAY, "workday": DayKind.WORKDAY}
MAX_ERRORS = 20
_NAME_MAX = cast(int, CalendarDay._meta.get_field("name").max_length)  # a CharField: always set


class CalendarFileError(ValueError):
    """The file cannot be imported; ``errors`` lists every problem with its line number (Chinese)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class Entry:
    line: int
    date: date
    kind: str
    name: str


@dataclass(frozen=True)
class ImportResult:
    years: list[int]
    created: int
    updated: int
    removed: int
    recomputed: int


def parse_calendar(text: str) -> list[Entry]:
    """Validate the whole file and return its entries, or raise ``CalendarFileError`` listing all problems."""
    errors: list[str] = []
    entries: list[Entry] = []
    seen: dict[date, int] = {}
    truncated = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(errors) >= MAX_ERRORS:
            truncated = True
            break
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 2:
            errors.append(f"第 {number} 行：格式应为“日期 类别 名称”，例如“2027-01-01 holiday 元旦”。")
            continue
        text_date, text_kind = parts[0], parts[1]
        name = parts[2].strip() if len(parts) > 2 else ""
        try:
            if not _ISO_DATE.match(text_date):
                raise ValueError
            day = date.fromisoformat(text_date)
        except ValueError:
            errors.append(f"第 {number} 行：日期“{text_date}”无效，应为实际存在的日期，格式为 YYYY-MM-DD。")
            continue
        kind = _KINDS.get(text_kind.lower())
        if kind is None:
            errors.append(f"第 {number} 行：类别“{text_kind}”无效，应为 holiday（放假）或 workday（调休上班）。")
            continue
        if kind == DayKind.WORKDAY and day.weekday() < 5:
            errors.append(
                f"第 {number} 行：{text_date} 是{weekday_label(day)}，本来就是工作日，不能标为调休上班（workday）。"
            )
            continue
        if len(name) > _NAME_MAX:
            errors.append(f"第 {number} 行：名称过长（最多 {_NAME_MAX} 个字）。")
            continue
        if day in seen:
            errors.append(f"第 {number} 行：日期 {text_date} 与第 {seen[day]} 行重复。")
            continue
        seen[day] = number
        entries.append(Entry(number, day, kind, name))
    if not entries and not errors:
        errors.append("文件中没有任何日期（空行和 # 注释之外没有内容）。")
    if errors:
        if truncated:
            errors.append(f"错误过多，仅列出前 {MAX_ERRORS} 条。")
        raise CalendarFileError(errors)
    return entries


def read_calendar_file(path: str | Path) -> list[Entry]:
    try:
        # utf-8-sig: files saved by Windows Notepad start with a BOM.
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalendarFileError([f"找不到文件：{path}"]) from None
    except UnicodeDecodeError:
        raise CalendarFileError([f"文件不是 UTF-8 编码：{path}"]) from None
    except OSError as exc:
        raise CalendarFileError([f"无法读取文件 {path}：{exc.strerror}"]) from None
    return parse_calendar(text)


def import_calendar(entries: list[Entry], *, note: str = "") -> ImportResult:
    """Replace the entries of every year in ``entries`` and mark those years loaded; recompute once."""
    years = sorted({e.date.year for e in entries})
    created = updated = removed = 0
    with transaction.atomic(), calendar_changes() as change:
        existing = {d.date: d for d in CalendarDay.objects.filter(date__year__in=years)}
        for e in entries:
            current = existing.pop(e.date, None)
            if current is None:
                CalendarDay.objects.create(date=e.date, kind=e.kind, name=e.name, source=CalendarSource.IMPORT)
                created += 1
            elif (current.kind, current.name) != (e.kind, e.name):
                current.kind, current.name, current.source = e.kind, e.name, CalendarSource.IMPORT
                current.save()
                updated += 1
        for leftover in existing.values():
            leftover.delete()
            removed += 1
        for year in years:
            row, made = CalendarYear.objects.get_or_create(
                year=year, defaults={"source": CalendarSource.IMPORT, "note": note}
            )
            if not made and (row.source != CalendarSource.IMPORT or (note and row.note != note)):
                row.source = CalendarSource.IMPORT
                row.note = note or row.note
                row.save()
    return ImportResult(years, created, updated, removed, change.recomputed or 0)
