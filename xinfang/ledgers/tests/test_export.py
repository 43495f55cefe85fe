"""导出台账: the cases of a period and unit, in a saved layout's columns and spellings, read back by the import."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from xinfang.background.testing import run_queued
from xinfang.cases.models import Category
from xinfang.cases.states import Channel
from xinfang.devdata.flow import Flow, make_petitioner, register
from xinfang.ledgers import export as ex
from xinfang.ledgers.fields import DEFAULT_COLUMNS, FIELDS
from xinfang.ledgers.models import ImportState, LedgerImport, LedgerLayout, ValueMapping
from xinfang.ledgers.tests.ledgerfiles import row, xlsx
from xinfang.ledgers.validation import check
from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.stats.periods import Period

pytestmark = pytest.mark.django_db

URL = "/ledgers/export/"
TODAY = date(2025, 4, 10)
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}

# The city's layout: fewer columns, its own headers (in an order FIELDS does not have, to show the export's order).
CITY_COLUMNS = {
    "state": "状态",
    "ledger_number": "编号",
    "received_on": "来信来访日期",
    "name": "姓名",
    "channel": "方式",
    "category": "类别",
    "content": "主要内容",
    "unit": "承办单位",
    "decided_on": "受理时间",
    "closed_on": "办结时间",
}
CITY_HEADERS = ["编号", "来信来访日期", "姓名", "方式", "类别", "主要内容", "承办单位", "受理时间", "办结时间", "状态"]


@pytest.fixture
def category(db):
    """A subcategory whose name no other shares (the import matches it by name)."""
    names: dict[str, list[Category]] = {}
    for c in Category.objects.filter(parent__isnull=False, is_active=True).order_by("code"):
        names.setdefault(c.name, []).append(c)
    return next(cs[0] for cs in names.values() if len(cs) == 1)


@pytest.fixture
def county(cast, clock, category):
    """March 2025 in 清河县: a closed visit of 张三丰 at 自然资源局, a letter still at the bureau; April: a visit.
    And a March case in 远山县."""
    flow = Flow(cast)
    clock.set(date(2025, 3, 3))
    closed = flow.closed(petitioners=[(make_petitioner(cast.registrar, name="张三丰"), True)], category=category)
    clock.set(date(2025, 3, 5))
    letter = flow.register(channel=Channel.LETTER, summary="反映路灯损坏", content="=反映路灯损坏", category=category)
    register(cast.other_registrar, summary="远山县的信访件")
    clock.set(date(2025, 4, 2))
    april = flow.register(summary="四月来访", category=category)
    clock.set(TODAY)
    return {"closed": closed, "letter": letter, "april": april}


@pytest.fixture
def city_layout(cast, category):
    layout = LedgerLayout.objects.create(org=cast.bureau, name="市局格式", columns=CITY_COLUMNS)
    ValueMapping.objects.create(layout=layout, kind="category", text="征地补偿类", target=category.code)
    ValueMapping.objects.create(layout=layout, kind="category", text="征地补偿", target=category.code)  # second
    ValueMapping.objects.create(layout=layout, kind="unit", text="县资规局", target=str(cast.dept.pk))
    ValueMapping.objects.create(layout=layout, kind="channel", text="走访", target=Channel.VISIT)
    return layout


def post(client, **data):
    return client.post(URL, {"date_format": ex.CELL, **MARCH, **data})


def book(response):
    assert response.status_code == 200, response.content[:500]
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def table(response):
    ws = book(response).worksheets[0]
    lines = list(ws.iter_rows(values_only=True))
    return list(lines[0]), [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_the_export_has_the_layouts_headers_in_order_and_its_spellings(login, cast, county, city_layout, category):
    response = post(login(cast.officer), layout=city_layout.pk)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    p = cast.county.pk
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="xinfang-ledger-{p}-20250301-20250331.xlsx"'
    )
    headers, rows = table(response)
    assert headers == CITY_HEADERS
    assert [r["编号"] for r in rows] == [county["closed"].number, county["letter"].number]  # March only, by receipt
    closed, letter = rows
    assert closed["姓名"] == "张**"  # masked by default
    assert (closed["方式"], closed["类别"], closed["承办单位"]) == ("走访", "征地补偿类", "县资规局")  # the first text
    assert closed["来信来访日期"] == datetime(2025, 3, 3)  # a date cell (read back at midnight)
    assert (closed["受理时间"], closed["办结时间"], closed["状态"]) == (
        datetime(2025, 3, 3),
        datetime(2025, 3, 3),
        "已办结",
    )
    # Unmapped: the system's own label; a case not yet decided has no unit; content that looks like a formula is text.
    assert (letter["方式"], letter["承办单位"], letter["状态"], letter["受理时间"]) == ("来信", None, "待受理", None)
    assert letter["主要内容"] == "=反映路灯损坏"
    cell = book(post(login(cast.officer), layout=city_layout.pk)).worksheets[0]["F3"]
    assert (cell.value, cell.data_type) == ("=反映路灯损坏", "s")


def test_the_workbook_explains_itself_on_a_second_sheet_the_import_does_not_read(login, cast, county, city_layout):
    wb = book(post(login(cast.officer), layout=city_layout.pk, date_format=ex.CHINESE))
    assert wb.sheetnames == ["台账", "说明"]
    assert [r[0] for r in wb["说明"].iter_rows(values_only=True)] == [
        "清河县人民政府信访事项台账（2025-03-01至2025-03-31）",
        "台账格式：市局格式；登记日期：2025-03-01至2025-03-31；单位：清河县人民政府；日期格式：文本 2024年3月15日",
        "共2件；制表日期：2025-04-10",
        "个人姓名已隐去（仅显示姓氏），未写入身份证号和联系电话",
    ]
    assert wb["台账"]["B2"].value == "2025年3月3日"
    assert wb["台账"].freeze_panes == "A2"


def test_without_a_layout_the_export_has_the_default_headers(login, cast, county):
    headers, rows = table(post(login(cast.leader), date_format=ex.COMPACT))
    assert headers == [f.label for f in FIELDS]
    assert [r["信访编号"] for r in rows] == [county["closed"].number, county["letter"].number]
    assert (rows[0]["登记日期"], rows[0]["身份证号"], rows[0]["联系电话"], rows[0]["满意度"]) == (
        "20250303",
        None,
        None,
        None,
    )


def test_a_unit_exports_its_subtree_and_the_root_the_whole_scope(login, cast, county):
    client = login(cast.leader)
    _, dept = table(post(client, unit=cast.dept.pk))
    assert [r["信访编号"] for r in dept] == [county["closed"].number]
    _, bureau = table(post(client, unit=cast.bureau.pk))
    assert [r["信访编号"] for r in bureau] == [county["letter"].number]
    _, whole = table(post(client, unit=cast.county.pk, start="2025-03-01", end="2025-04-10"))
    assert [r["信访编号"] for r in whole] == [county[k].number for k in ("closed", "letter", "april")]


def test_another_counties_unit_or_layout_is_a_404(login, cast, county, city_layout):
    assert post(login(cast.leader), unit=cast.other_county.pk).status_code == 404
    assert post(login(cast.officer), unit=cast.other_dept.pk).status_code == 404
    assert post(login(cast.officer), unit="abc").status_code == 404
    other = login(cast.other_officer)
    assert post(other, layout=city_layout.pk).status_code == 404
    _, rows = table(post(other))  # their own county's case, none of ours
    assert [r["信访编号"][:5] for r in rows] == ["远山县信访"]
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT, username="leader").exists()


def test_each_export_is_in_the_security_audit_log(login, cast, county, city_layout):
    table(post(login(cast.officer), layout=city_layout.pk))
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert (event.username, event.target) == ("officer", "导出台账（XLSX）")
    assert event.detail == (
        "2件；台账格式：市局格式；登记日期：2025-03-01至2025-03-31；单位：清河县人民政府；日期格式：日期单元格（2024-03-15）"
    )
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_full_personal_data_needs_a_reason_and_is_logged_as_a_reveal(login, cast, county):
    client = login(cast.officer)
    refused = post(client, personal="on", reason=" ")
    assert refused.status_code == 400
    assert "导出完整个人信息须填写理由" in refused.content.decode()
    headers, rows = table(post(client, personal="on", reason="市信访局要求报送一季度台账"))
    closed = rows[0]
    petitioner = county["closed"].case_petitioners.get().petitioner
    assert closed["信访人"] == "张三丰"
    assert closed["身份证号"] == petitioner.decrypt_id_number()
    assert closed["联系电话"] == petitioner.phone_list()[0].decrypt_number()
    reveal = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (reveal.target, reveal.reason) == ("导出台账：完整姓名、身份证号码和联系电话", "市信访局要求报送一季度台账")
    assert reveal.detail.endswith("；含完整个人信息")


def test_a_role_that_may_not_reveal_gets_masked_names_whatever_it_posts(login, cast, county):
    client = login(cast.statistician)
    assert "含完整个人信息" not in client.get(URL).content.decode()
    _, rows = table(post(client, personal="on", reason="想看"))
    assert rows[0]["信访人"] == "张**" and rows[0]["身份证号"] is None
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2025-13-01"}, "开始日期无效，请按 2024-03-15 的格式填写"),
        ({"end": "三月底"}, "结束日期无效，请按 2024-03-15 的格式填写"),
        ({"start": ""}, "请填写开始日期"),
        ({"start": "2025-03-31", "end": "2025-03-01"}, "结束日期不能早于开始日期"),
        ({"start": "1899-12-31"}, "登记日期须在1900-01-01至2099-12-31之间"),
        ({"start": "2000-01-01", "end": "2025-03-01"}, "统计期间不能超过3660天"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_no_audit(login, cast, data, message):
    response = post(login(cast.officer), **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


def test_the_page_offers_the_orgs_layouts_and_units_and_refuses_other_roles(login, cast, city_layout, clock):
    clock.set(TODAY)
    page = login(cast.officer).get(URL).content.decode()
    assert "市局格式" in page and "默认格式（系统表头）" in page
    assert "清河县自然资源局" in page and "远山县" not in page
    assert 'value="2025-01-01"' in page and 'value="2025-04-10"' in page  # this year so far
    assert login(cast.handler).get(URL).status_code == 403
    assert login(cast.nobody).post(URL, MARCH).status_code == 403
    assert '<a href="/ledgers/export/">导出台账</a>' in login(cast.registrar).get("/ledgers/").content.decode()


def test_the_query_count_does_not_grow_with_the_rows(cast, clock, category):
    clock.set(date(2025, 3, 3))
    flow = Flow(cast)
    asked = ex.Asked(
        layout=None,
        period=Period.range(date(2025, 3, 1), date(2025, 3, 31)),
        unit=cast.county,
        top=True,
        personal=True,
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            made = ex.export(cast.officer, asked, today=TODAY)
        made.file.close()
        return len(ctx.captured_queries)

    flow.closed(category=category)
    few = queries()
    for _ in range(4):
        flow.closed(category=category)
        flow.register(category=category)
    assert queries() == few


def _mappings(layout):
    found: dict[str, dict[str, str]] = {}
    for kind, text, target in ValueMapping.objects.filter(layout=layout).values_list("kind", "text", "target"):
        found.setdefault(kind, {})[text] = target
    return found


def test_an_imported_ledger_exported_in_its_layout_reads_back_to_the_same_rows(login, cast, clock, category):
    """Round trip: import a ledger, export it in the same layout, check the export: every row valid, the same."""
    clock.set(date(2025, 6, 2))
    layout = LedgerLayout.objects.create(org=cast.bureau, name="县台账", columns=dict(DEFAULT_COLUMNS))
    ValueMapping.objects.create(layout=layout, kind="category", text="征地补偿", target=category.code)
    ValueMapping.objects.create(layout=layout, kind="unit", text="县资规局", target=str(cast.dept.pk))
    ledger = [
        row("QH-1", 问题类别="征地补偿", 责任单位="县资规局"),
        row("QH-2", 问题类别=category.name, 办理状态="办理中", 办结日期="", 身份证号="", 信访人="李四", 满意度=""),
        row("QH-3", 问题类别="征地补偿", 办理状态="待受理", 受理日期="", 办结日期="", 责任单位="", 信访形式="来信"),
        row(
            "QH-4",
            登记日期="2025年3月9日",
            受理日期="2025-03-10",
            问题类别="征地补偿",
            责任单位="县资规局",
            信访形式="网上信访",
            满意度="不满意",
        ),
    ]
    data = xlsx(ledger)
    mappings = _mappings(layout)
    before = check("台账.xlsx", data, org=cast.bureau, columns=layout.columns, mappings=mappings)
    assert before.problems == []
    client = login(cast.registrar)
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert (
        client.post("/ledgers/", {"file": SimpleUploadedFile("台账.xlsx", data), "layout": layout.pk}).status_code
        == 302
    )
    imp = LedgerImport.objects.latest("pk")
    assert imp.state == ImportState.VALIDATED, imp.message
    client.post(f"/ledgers/{imp.pk}/start/")
    run_queued()
    imp.refresh_from_db()
    assert (imp.state, imp.imported) == (ImportState.DONE, 4)

    exported = post(client, layout=layout.pk, personal="on", reason="核对导入", date_format=ex.CHINESE)
    exported_bytes = b"".join(exported.streaming_content)
    after = check("导出.xlsx", exported_bytes, org=cast.bureau, columns=layout.columns, mappings=mappings)
    assert after.problems == [] and len(after.rows) == 4
    by_number = {r.values["ledger_number"]: r.values for r in after.rows}
    assert by_number == {r.values["ledger_number"]: r.values for r in before.rows}
