"""Checking a ledger before writing, importing it in its historical state, idempotently."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.background.testing import run_queued
from xinfang.cases.models import Case, CaseEvent, Category
from xinfang.cases.states import Status, TrackedAction
from xinfang.ledgers.fields import FIELDS
from xinfang.ledgers.models import ImportedRow, ImportState, LedgerImport, ValueMapping
from xinfang.ledgers.tests.ledgerfiles import HEADERS, csv_bytes, row, xlsx

URL = "/ledgers/"


@pytest.fixture
def category(db):
    names = {}
    for c in Category.objects.filter(parent__isnull=False, is_active=True):
        names.setdefault(c.name, []).append(c)
    return next(cs[0] for cs in names.values() if len(cs) == 1)


@pytest.fixture
def today(clock):
    clock.set(date(2025, 6, 2))


def upload(client, name, data, **extra):
    response = client.post(URL, {"file": SimpleUploadedFile(name, data), **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    return LedgerImport.objects.latest("pk")


def problems(imp):
    ws = openpyxl.load_workbook(io.BytesIO(bytes(imp.report))).active
    return [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def three(category):
    return [
        row("QH-1", 问题类别=category.name),
        row("QH-2", 问题类别=category.name, 办理状态="办理中", 办结日期="", 身份证号="", 信访人="李四"),
        row("QH-3", 问题类别=category.name, 办理状态="待受理", 受理日期="", 办结日期="", 责任单位="", 信访形式="来信"),
    ]


def test_a_valid_ledger_imports_cases_in_their_historical_state(login, cast, category, today):
    client = login(cast.registrar)
    imp = upload(client, "台账.xlsx", xlsx(three(category)))
    assert imp.state == ImportState.VALIDATED and imp.total == 3 and imp.report is None
    assert Case.objects.count() == 0
    assert client.post(f"{URL}{imp.pk}/start/").status_code == 302
    run_queued()
    imp.refresh_from_db()
    assert (imp.state, imp.imported, imp.skipped) == (ImportState.DONE, 3, 0)
    by_number = {r.ledger_number: r.case for r in ImportedRow.objects.select_related("case")}
    closed, handling, received = by_number["QH-1"], by_number["QH-2"], by_number["QH-3"]
    assert closed.status == Status.CLOSED and closed.competent_org == cast.dept
    assert handling.status == Status.HANDLING and handling.current_org == cast.dept
    assert received.status == Status.REGISTERED and received.current_org == cast.bureau
    assert timezone.localdate(closed.received_at) == date(2025, 3, 3)
    event = CaseEvent.objects.get(case=closed, action=TrackedAction.LEDGER_IMPORTED)
    assert event.note == "自历史台账导入（台账编号QH-1）"
    assert event.data["closed_at"] == "2025-04-20"
    # The handling period runs from the recorded decision at the unit; the closed case's is met.
    from xinfang.cases.deadlines import case_deadlines

    running = case_deadlines(handling).get(clock="handling")
    assert (running.start, running.org, running.status) == (date(2025, 3, 5), cast.dept, "open")
    assert running.days == 60 and running.due_date == date(2025, 5, 4)
    met = case_deadlines(closed).get(clock="handling")
    assert (met.status, met.met_at) == ("met", date(2025, 4, 20))
    page = client.get(f"{URL}{imp.pk}/").content.decode()
    assert "共3行，已导入3行，已存在跳过0行（100%）" in page
    assert f'href="/cases/{closed.pk}/"' in page


def test_importing_the_same_file_again_skips_every_row(login, cast, category, today):
    client = login(cast.registrar)
    data = csv_bytes(three(category))
    for _ in range(2):
        imp = upload(client, "台账.csv", data)
        client.post(f"{URL}{imp.pk}/start/")
        run_queued()
    imp.refresh_from_db()
    assert (imp.state, imp.imported, imp.skipped) == (ImportState.DONE, 0, 3)
    assert Case.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.xlsx", b"", "文件为空（0字节）"),
        ("notes.txt", b"just some text", "文件不是 XLSX 或 CSV 表格"),
        ("fake.xlsx", b"PK\x03\x04garbage", "文件不是 XLSX 或 CSV 表格"),
    ],
)
def test_a_file_that_is_no_ledger_gets_a_report_and_writes_nothing(login, cast, today, name, data, reason):
    imp = upload(login(cast.registrar), name, data)
    assert imp.state == ImportState.UPLOADED
    assert problems(imp) == [("（整个文件）", None, reason)]
    assert Case.objects.count() == 0


def test_merged_cells_and_formulas_are_refused(login, cast, category, today):
    client = login(cast.registrar)
    imp = upload(client, "merged.xlsx", xlsx(three(category), merge="A2:A3"))
    assert problems(imp) == [("（整个文件）", None, "表格含合并单元格，请取消合并后重新上传")]
    imp = upload(client, "formula.xlsx", xlsx(three(category), formula=True))
    assert problems(imp) == [(2, None, "第2行第1列是公式，请粘贴为数值后重新上传")]


def test_each_bad_row_is_reported_with_its_row_column_and_reason_and_nothing_is_written(login, cast, category, today):
    bad = [
        row("QH-1", 问题类别=category.name),
        row("QH-1", 问题类别=category.name),
        row("QH-3", 问题类别="不存在的类别"),
        row("QH-4", 问题类别=category.name, 登记日期="2025-02-30"),
        row("QH-5", 问题类别=category.name, 身份证号="110105194912310021"),
        row("QH-6", 问题类别=category.name, 联系电话="12345"),
        row("QH-7", 问题类别=category.name, 办结日期="2025-03-04"),
        row("QH-8", 问题类别=category.name, 信访人=""),
        row("QH-9", 问题类别=category.name, 受理日期=""),
    ]
    client = login(cast.registrar)
    imp = upload(client, "bad.xlsx", xlsx(bad))
    found = problems(imp)
    assert (3, "信访编号", "信访编号“QH-1”与第2行重复") in found
    assert (4, "问题类别", "问题类别“不存在的类别”未对应到字典，请在“对应字典值”中选择") in found
    assert (5, "登记日期", "日期“2025-02-30”不存在") in found
    assert (6, "身份证号", "身份证号无效：身份证号码校验位错误，请核对") in found
    assert (7, "联系电话", "联系电话无效：手机号码应为11位") in found
    assert len(found) == 8
    assert (8, "办结日期", "办结日期早于受理日期") in found
    assert (9, "信访人", "信访人不能为空") in found
    assert (10, "受理日期", "办理状态为“已办结”须填写受理日期") in found
    assert imp.state == ImportState.UPLOADED and imp.total == 0
    # Nothing can be started from a file with problems, and nothing was written.
    client.post(f"{URL}{imp.pk}/start/")
    run_queued()
    assert Case.objects.count() == 0 and ImportedRow.objects.count() == 0
    assert "发现8处问题，尚未写入任何数据" in client.get(f"{URL}{imp.pk}/").content.decode()


def test_wrong_columns_are_reported_then_mapped_and_saved_as_a_layout(login, cast, category, today):
    headers = ["编号" if h == "信访编号" else h for h in HEADERS]
    rows = [{("编号" if k == "信访编号" else k): v for k, v in row("QH-1", 问题类别=category.name).items()}]
    client = login(cast.registrar)
    imp = upload(client, "other.xlsx", xlsx(rows, headers=headers))
    assert problems(imp) == [(1, "信访编号", "缺少必需的列“信访编号”（信访编号）")]
    post = {f"col_{f.key}": h for f, h in zip(FIELDS, headers, strict=True)}
    post["name"] = "某镇台账"
    client.post(f"{URL}{imp.pk}/columns/", post)
    imp.refresh_from_db()
    assert imp.state == ImportState.VALIDATED and imp.layout.name == "某镇台账"
    assert imp.layout.columns["ledger_number"] == "编号"
    # The saved layout is offered for the next file.
    assert "某镇台账" in client.get(URL).content.decode()


def test_an_unmatched_category_is_listed_for_the_clerk_and_the_choice_is_kept(login, cast, category, today):
    client = login(cast.registrar)
    imp = upload(client, "t.xlsx", xlsx([row("QH-1", 问题类别="征地拆迁补偿")]))
    page = client.get(f"{URL}{imp.pk}/").content.decode()
    assert "问题类别“征地拆迁补偿”" in page
    client.post(f"{URL}{imp.pk}/values/", {"category_0": category.code})
    imp.refresh_from_db()
    assert imp.state == ImportState.VALIDATED
    assert ValueMapping.objects.get(layout=imp.layout).target == category.code


def test_another_org_s_import_is_a_404_and_the_handler_may_not_import(login, cast, category, today):
    imp = upload(login(cast.registrar), "t.xlsx", xlsx(three(category)))
    other = login(cast.other_registrar)
    for path in ("", "report.xlsx"):
        assert other.get(f"{URL}{imp.pk}/{path}").status_code == 404
    assert other.post(f"{URL}{imp.pk}/start/").status_code == 404
    assert login(cast.handler).get(URL).status_code == 403


def test_a_cancelled_import_stops_between_batches(login, cast, category, today, monkeypatch):
    from xinfang.ledgers import importer

    monkeypatch.setattr(importer, "BATCH", 1)
    client = login(cast.registrar)
    imp = upload(client, "t.xlsx", xlsx(three(category)))
    client.post(f"{URL}{imp.pk}/start/")
    original = importer._batch

    def then_cancel(*args):
        original(*args)
        LedgerImport.objects.filter(pk=imp.pk).update(cancel_requested=True)

    monkeypatch.setattr(importer, "_batch", then_cancel)
    run_queued()
    imp.refresh_from_db()
    assert (imp.state, imp.imported) == (ImportState.CANCELLED, 1)
    assert Case.objects.count() == 1


def test_a_case_from_2019_gets_the_2005_regulation_s_periods_and_one_from_2004_is_reported(
    login, cast, category, today
):
    from xinfang.cases.deadlines import case_deadlines

    client = login(cast.registrar)
    old = row(
        "QH-2019", 问题类别=category.name, 登记日期="2019-09-30", 受理日期="2019-10-08", 办结日期="", 办理状态="办理中"
    )
    imp = upload(client, "old.xlsx", xlsx([old, row("QH-2004", 问题类别=category.name, 登记日期="2004-12-31")]))
    found = problems(imp)
    assert len(found) == 1 and found[0][:2] == (3, "登记日期")
    assert found[0][2].startswith("无法计算期限：")
    imp = upload(client, "old.xlsx", xlsx([old]))
    client.post(f"{URL}{imp.pk}/start/")
    run_queued()
    case = ImportedRow.objects.get(ledger_number="QH-2019").case
    assert case.number.startswith("清河县信访局〔2019〕")
    routing = case_deadlines(case).get(clock="routing")
    handling = case_deadlines(case).get(clock="handling")
    assert routing.rule_set.code == handling.rule_set.code == "national-2005"
    assert (routing.start, routing.met_at) == (date(2019, 9, 30), date(2019, 10, 8))
    assert (handling.start, handling.days, handling.due_date) == (date(2019, 10, 8), 60, date(2019, 12, 7))
