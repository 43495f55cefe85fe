"""A document as DOCX (docxtpl, from the Word template) and as PDF (WeasyPrint, from HTML).

Both are drawn from the same frozen fields of the ``Document`` row, never
from the case as it is now, so the DOCX, the PDF and the print view always say
what was issued. Public for the other apps (the portal gives the petitioner the
PDF): ``docx_bytes(document)``, ``pdf_bytes(document)``, ``html(document)``.
Fonts are the installed "Noto Serif CJK SC"; nothing is fetched at run time.
"""

from __future__ import annotations

import io
import logging

from django.template.loader import render_to_string

from xinfang.core.numerals import chinese_date
from xinfang.documents.layout import DEFAULT_TEMPLATE
from xinfang.documents.models import Document, DocumentTemplate

# WeasyPrint reports every layout step at INFO; one line per step per document floods the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def fields(document: Document) -> dict:
    """What the templates print, all from the frozen row."""
    d = document.dated
    return {
        "issuer": document.signer,
        "number": document.number,
        "title": document.title,
        "addressee": document.addressee,
        "paragraphs": document.paragraphs,
        "signer": document.signer,
        "date_cn": chinese_date(d.year, d.month, d.day),
        "cc": document.cc,
        "case_number": document.case.number,
        "superseded": document.state == "superseded",
    }


def template_for(document: Document):
    """The issuing org's uploaded template for this kind, else for all its kinds, else the default (a path)."""
    if document.issuing_org_id is None:
        return str(DEFAULT_TEMPLATE)
    found = {
        t.kind: t for t in DocumentTemplate.objects.filter(org_id=document.issuing_org_id, kind__in=[document.kind, ""])
    }
    chosen = found.get(document.kind) or found.get("")
    if chosen is None:
        return str(DEFAULT_TEMPLATE)
    with chosen.file.open("rb") as fh:
        return io.BytesIO(fh.read())


def docx_bytes(document: Document) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(template_for(document))
    tpl.render(fields(document), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def html(document: Document, *, for_print: bool = False) -> str:
    return render_to_string("documents/document.html", {**fields(document), "for_print": for_print})


def pdf_bytes(document: Document) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(document)).write_pdf()
