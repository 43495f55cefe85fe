"""The DOCX bulletin (通报): the figures in sentences, the table, the ranking and the chart images."""

from io import BytesIO

import pytest
from docx import Document

from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.stats.tests.test_dashboard import Q_MARCH, county  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def read(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(BytesIO(response.content))


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_the_bulletin_says_the_headline_figures_in_sentences(login, cast, county):  # noqa: F811
    doc = read(login(cast.leader).get("/stats/bulletin.docx", Q_MARCH))
    text = text_of(doc)
    assert "关于2025年3月信访工作情况的通报" in text
    # 4 cases in March (4 persons), 1 in February: +300% 环比; nothing a year earlier: no 同比.
    assert "2025年3月，共收到信访事项4件（4人次），环比上升300.00%；受理信访事项1件；办结率0.00%；" in text
    assert "按期办结率无可计算的数据" in text
    assert "截至2025年4月10日，在办信访件中已超期" in text
    assert "{{" not in text and "{%" not in text


def test_the_bulletin_has_the_monthly_table_the_ranking_and_the_charts(login, cast, county):  # noqa: F811
    doc = read(login(cast.leader).get("/stats/bulletin.docx", Q_MARCH))
    table, ranking = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:3] == ["单位", "信访总量（件）", "信访总量（人次）"]
    assert rows[1][:2] == ["清河县信访局", "1"]
    assert rows[-1][:2] == ["合计", "4"]
    assert [[c.text for c in row.cells] for row in ranking.rows][:3] == [
        ["名次", "单位", "得分", "否决事项"],
        ["1", "清河县自然资源局", "100.00", "无"],
        ["不参加排名", "清河县信访局", "—", "无"],
    ]
    images = [rel for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 2
    assert all(rel.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for rel in images)


def test_the_bulletin_is_recorded_in_the_security_audit_log(login, cast, county):  # noqa: F811
    login(cast.statistician).get("/stats/bulletin.docx", Q_MARCH)
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert (event.actor, event.target, event.detail) == (
        cast.statistician,
        "信访工作通报（DOCX）",
        "清河县人民政府；2025年3月",
    )


def test_the_bulletin_is_refused_and_scoped_like_the_page(login, cast):
    assert login(cast.registrar).get("/stats/bulletin.docx").status_code == 403
    assert login(cast.other_officer).get("/stats/bulletin.docx", {"org": cast.county.pk}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


def test_the_default_template_is_the_one_the_script_writes():
    from xinfang.stats.docx.make_bulletin_template import build

    written = build()
    assert "{{ headline }}" in "\n".join(p.text for p in written.paragraphs)
    shipped = Document("xinfang/stats/docx/bulletin.docx")
    assert [p.text for p in shipped.paragraphs] == [p.text for p in written.paragraphs]
