"""Write the default 通报 template (bulletin.docx) with python-docx.

Run: `.venv/bin/python xinfang/stats/docx/make_bulletin_template.py`.

The result is a plain Word document with docxtpl (Jinja) tags that a bureau
may open in Word or WPS, restyle and reword, keeping the tags:

  {{ title }} {{ org }} {{ period }} {{ issued }}      the heading and dates
  {{ headline }}                                      the headline figures in sentences
  {{ trend_chart }} {{ channel_chart }}               chart images (drawn on the server)
  rows: cells (list of 9 strings)                     the 月报 excerpt, a row loop {%tr for row in rows %}
  ranking: rank, name, score, vetoes                  the ranking, a row loop
  columns (9 headers), scheme, note                   the table headers, the scoring scheme's name, a note

Run it again after changing it, and commit both the script and the .docx.
"""

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
OUT = HERE / "bulletin.docx"
COLUMNS = 9  # the unit, then bulletin.COLUMNS' eight figures


def _font(doc: DocumentType, name: str = "宋体", size: int = 12) -> None:
    style = doc.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, bold=False, size=None, center=False):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _loop_table(doc, header: str, row_open: str, cells: list[str]):
    """A table: a header row, then docxtpl's row loop (open row, a data row, close row)."""
    table = doc.add_table(rows=4, cols=len(cells))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.rows[0].cells[0].text = header
    table.rows[1].cells[0].text = row_open
    for i, text in enumerate(cells):
        table.rows[2].cells[i].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    return table


def build() -> DocumentType:
    doc = Document()
    _font(doc)
    _para(doc, "{{ title }}", bold=True, size=22, center=True)
    _para(doc, "{{ org }}　　{{ issued }}", center=True)
    _para(doc, "一、总体情况", bold=True, size=14)
    _para(doc, "{{ period }}，{{ headline }}")
    _para(doc, "{{ trend_chart }}", center=True)
    _para(doc, "{{ channel_chart }}", center=True)
    _para(doc, "二、各单位情况", bold=True, size=14)
    # Fixed columns (the unit and the bulletin's figures): a table Word shows at a page's width.
    table = _loop_table(doc, "", "{%tr for row in rows %}", [f"{{{{ row.cells[{i}] }}}}" for i in range(COLUMNS)])
    for i in range(COLUMNS):
        table.rows[0].cells[i].text = f"{{{{ columns[{i}] }}}}"
    _para(doc, "{{ note }}", size=10)
    _para(doc, "三、排名", bold=True, size=14)
    _para(doc, "评分方案：{{ scheme }}")
    ranking = _loop_table(
        doc, "名次", "{%tr for r in ranking %}", ["{{ r.rank }}", "{{ r.name }}", "{{ r.score }}", "{{ r.vetoes }}"]
    )
    for i, text in enumerate(["名次", "单位", "得分", "否决事项"]):
        ranking.rows[0].cells[i].text = text
    _para(doc, "（排名只衡量各单位办理信访事项的情况；集体访、越级访、重复信访的数量只作情况反映，不计分。）", size=10)
    return doc


if __name__ == "__main__":
    build().save(str(OUT))
    print(OUT)
