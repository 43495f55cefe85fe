"""历史台账导入 in a real Chromium: the clerk uploads a small ledger with one bad row, reads the report,
uploads the corrected file, starts the import, watches the progress and opens an imported case."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.background.testing import run_queued
from xinfang.ledgers.tests.ledgerfiles import row, xlsx

pytestmark = pytest.mark.browser


def _category():
    from xinfang.cases.models import Category

    names: dict[str, list] = {}
    for c in Category.objects.filter(parent__isnull=False, is_active=True):
        names.setdefault(c.name, []).append(c)
    return next(cs[0] for cs in names.values() if len(cs) == 1)


def test_the_clerk_imports_a_small_ledger_and_sees_its_progress_and_result(page, e2e_cast, results_dir, tmp_path):
    reseed_migration_data()
    category = _category()
    rows = [
        row("QH-1", 问题类别=category.name),
        row("QH-2", 问题类别=category.name, 办理状态="办理中", 办结日期="", 信访人="李四", 身份证号=""),
    ]
    bad = tmp_path / "台账（有误）.xlsx"
    bad.write_bytes(xlsx([*rows, row("QH-3", 问题类别=category.name, 登记日期="2025-13-01")]))
    good = tmp_path / "台账.xlsx"
    good.write_bytes(xlsx(rows))

    login_as(page, "registrar")
    page.get_by_role("link", name="台账导入").click()
    expect(page.get_by_role("heading", name="历史台账导入")).to_be_visible()
    page.get_by_label("台账文件（XLSX 或 CSV）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("problem-count")).to_have_text(
        "发现1处问题，尚未写入任何数据。请修改台账后重新上传，或在下方对应列和字典值。"
    )
    expect(page.get_by_role("cell", name="日期“2025-13-01”不存在")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载校验报告（XLSX）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.screenshot(path=str(results_dir / "ledgers-report.png"), full_page=True)

    page.get_by_role("link", name="← 台账导入").click()
    page.get_by_label("台账文件（XLSX 或 CSV）").set_input_files(str(good))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_role("heading", name="校验通过")).to_be_visible()
    page.get_by_role("button", name="开始导入").click()
    expect(page.get_by_test_id("state")).to_have_text("导入中")
    expect(page.get_by_role("button", name="取消导入")).to_be_visible()
    page.screenshot(path=str(results_dir / "ledgers-progress.png"), full_page=True)

    assert run_queued() == 1  # what the worker does; the page's polling then shows the result
    expect(page.get_by_test_id("state")).to_have_text("已完成", timeout=15_000)
    expect(page.get_by_test_id("counts")).to_have_text("共2行，已导入2行，已存在跳过0行（100%）")
    page.get_by_role("link", name="查看导入结果").click()
    expect(page.get_by_role("heading", name="导入的信访件")).to_be_visible()
    page.screenshot(path=str(results_dir / "ledgers-result.png"), full_page=True)
    page.get_by_role("row").filter(has_text="QH-1").get_by_role("link").click()
    expect(page.get_by_text("自历史台账导入（台账编号QH-1）")).to_be_visible()
