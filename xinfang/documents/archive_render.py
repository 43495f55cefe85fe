"""The parts of an archive volume that are drawn here: the 卷内目录 (CSV, DOCX, PDF) and the history PDF.

The documents and attachments go into the volume as they are (the documents
through ``rendering.pdf_bytes``); these are made from the case's rows at
build time. Fonts are the installed "Noto Serif CJK SC", as for documents.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string

from xinfang.core import clock

INDEX_HEADER = ("序号", "文件名称", "文号", "日期", "页数", "备注")


@dataclass(frozen=True)
class Entry:
    """One row of the 卷内目录: a file of the volume."""

    seq: int
    title: str
    number: str
    dated: date | None
    pages: int | None
    path: str  # the file's name inside the ZIP
    note: str = ""

    def row(self) -> list[str]:
        return [
            str(self.seq),
            self.title,
            self.number,
            self.dated.isoformat() if self.dated else "",
            "" if self.pages is None else str(self.pages),
            "；".join(x for x in (self.note, self.path) if x),
        ]

    def as_json(self) -> dict:
        return {
            "seq": self.seq,
            "title": self.title,
            "number": self.number,
            "dated": self.dated.isoformat() if self.dated else None,
            "pages": self.pages,
            "path": self.path,
            "note": self.note,
        }


def index_csv(entries: list[Entry]) -> bytes:
    """UTF-8 with a byte-order mark: Excel and WPS then read the Chinese headers without asking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INDEX_HEADER)
    for entry in entries:
        writer.writerow(entry.row())
    return out.getvalue().encode("utf-8-sig")


def _context(case, entries: list[Entry], generated_at: datetime) -> dict:
    return {
        "case": case,
        "rows": [e.row() for e in entries],
        "header": INDEX_HEADER,
        "generated_at": clock.localtime(generated_at),
        "total_pages": sum(e.pages or 0 for e in entries),
    }


def index_pdf(case, entries: list[Entry], generated_at: datetime) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=render_to_string("documents/archive_index.html", _context(case, entries, generated_at))
    ).write_pdf()


def index_docx(case, entries: list[Entry], generated_at: datetime) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from xinfang.documents.layout import SERIF

    doc = Docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    normal = doc.styles["Normal"]
    normal.font.name = SERIF
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("卷内目录")
    run.font.size, run.font.bold = Pt(22), True
    local = clock.localtime(generated_at)
    doc.add_paragraph(f"案号：{case.number}　　内容摘要：{case.summary}")
    doc.add_paragraph(f"生成时间：{local:%Y-%m-%d %H:%M}　　共{len(entries)}件，{sum(e.pages or 0 for e in entries)}页")
    table = doc.add_table(rows=1, cols=len(INDEX_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, INDEX_HEADER, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].font.bold = True
    for entry in entries:
        for cell, text in zip(table.add_row().cells, entry.row(), strict=True):
            cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def history_pdf(case, events, petitioners: list[str], generated_at: datetime, chain_ok: bool) -> bytes:
    """The case's history (办理记录) as printed into the volume: every event, in order."""
    from weasyprint import HTML

    rows = [
        {
            "seq": e.seq or i,
            "at": clock.localtime(e.at),
            "action": e.get_action_display(),
            "actor": e.actor_display,
            "org": e.actor_org.name if e.actor_org_id else "",
            "status": (
                f"{e.get_from_status_display()} → {e.get_to_status_display()}"
                if e.to_status and e.to_status != e.from_status
                else ""
            ),
            "note": e.note,
        }
        for i, e in enumerate(events, start=1)
    ]
    html = render_to_string(
        "documents/archive_history.html",
        {
            "case": case,
            "events": rows,
            "petitioners": "、".join(petitioners),
            "generated_at": clock.localtime(generated_at),
            "chain_ok": chain_ok,
        },
    )
    return HTML(string=html).write_pdf()
