"""The default Word template, laid out after GB/T 9704-2012, built with python-docx.

Run ``manage.py make_document_template`` to rebuild
``xinfang/documents/docx/default.docx`` (committed, so a bureau can open it in
Word, restyle it and upload its own). The template's fields are docxtpl
(Jinja) tags: ``issuer``, ``number``, ``title``, ``addressee``,
``paragraphs`` (a list), ``signer``, ``date_cn``, ``cc``, ``case_number``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "docx" / "default.docx"
SERIF = "Noto Serif CJK SC"
RED = RGBColor(0xE6, 0x00, 0x12)
# GB/T 9704 sizes: 2号 = 22pt (title), 3号 = 16pt (body), 4号 = 14pt (抄送).
TITLE_PT, BODY_PT, NOTE_PT, ISSUER_PT = 22, 16, 14, 36


def _font(run, size, *, bold=False, color=None):
    run.font.name = SERIF
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)
    if color is not None:
        run.font.color.rgb = color


def _para(doc, text, size=BODY_PT, *, align=None, bold=False, color=None, indent=False, space_after=0):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = Pt(28)  # 22 lines of 28 characters per page
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), size, bold=bold, color=color)
    return p


def _red_rule(paragraph):
    """The red separator line under the 文号 (版头中的分隔线)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def build(path: Path = DEFAULT_TEMPLATE) -> Path:
    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = SERIF
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)

    C, R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, "{{ issuer }}", ISSUER_PT, align=C, bold=True, color=RED, space_after=12)
    rule = _para(doc, "{{ number }}", BODY_PT, align=C, space_after=24)
    _red_rule(rule)
    _para(doc, "{{ title }}", TITLE_PT, align=C, bold=True, space_after=16)
    _para(doc, "{% if addressee %}{{ addressee }}：{% endif %}", BODY_PT)
    _para(doc, "{%p for para in paragraphs %}", BODY_PT)
    _para(doc, "{{ para }}", BODY_PT, indent=True)
    _para(doc, "{%p endfor %}", BODY_PT)
    # The seal area: the seal is pressed over the signature and date, "下压成文日期".
    for _ in range(3):
        _para(doc, "", BODY_PT)
    _para(doc, "{{ signer }}", BODY_PT, align=R).paragraph_format.right_indent = Pt(BODY_PT * 4)
    _para(doc, "{{ date_cn }}", BODY_PT, align=R).paragraph_format.right_indent = Pt(BODY_PT * 4)
    _para(doc, "", BODY_PT)
    _para(doc, "{%p if cc %}", NOTE_PT)
    _red_rule(_para(doc, "", NOTE_PT))
    _para(doc, "抄送：{{ cc }}。", NOTE_PT)
    _para(doc, "{%p endif %}", NOTE_PT)
    _para(doc, "（案号：{{ case_number }}）", NOTE_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
