"""正式文书 in a real Chromium: the handling unit issues the 处理意见书 of a replied case, downloads
its PDF, and records its delivery by post with the tracking number through the case page's form."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from e2e.helpers import act_on_case, login_as, reseed_migration_data
from xinfang.cases.models import Delivery
from xinfang.devdata.flow import Flow
from xinfang.documents.models import Document

pytestmark = pytest.mark.browser


def test_issue_the_reply_opinion_download_it_and_record_its_delivery_by_post(
    page, e2e_cast, results_dir, console_errors
):
    reseed_migration_data()
    case = Flow(e2e_cast).replied(summary="反映承包地征收补偿款未发放")
    case_url = f"/cases/{case.pk}/"

    # 1. The department's officer issues the reply opinion from the case page.
    page.goto("/accounts/login/", timeout=60_000)  # the live server's first request imports every URLconf
    login_as(page, "dept_officer")
    page.goto(case_url)
    panel = page.locator("section#documents")
    panel.get_by_role("button", name="印发《处理意见书》", exact=True).click()
    page.wait_for_url(f"**{case_url}#documents")
    doc = Document.objects.get(case=case, kind="reply")
    expect(page.locator(".messages")).to_contain_text(f"已印发《信访事项处理意见书》，文号{doc.number}")
    row = panel.locator(f"#document-{doc.pk}")
    expect(row.locator(".doc-number")).to_have_text(doc.number)
    expect(row.locator(".doc-state")).to_have_text("已印发")
    expect(panel.get_by_role("button", name="印发《处理意见书》", exact=True)).to_have_count(0)
    page.screenshot(path=str(results_dir / "documents-issued.png"), full_page=True)

    # 2. The PDF downloads with its 文号 and the Chinese date.
    with page.expect_download() as info:
        row.get_by_role("link", name="PDF").click()
    download = info.value
    assert download.suggested_filename == f"信访事项处理意见书-{doc.number}.pdf"
    with open(download.path(), "rb") as fh:
        text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages).split())
    assert doc.number in text and "一、信访请求" in text

    # 3. The delivery by post, with the tracking number, on the case page's delivery form.
    def by_post(form):
        form.get_by_label("送达方式").select_option(label="邮寄送达")
        form.get_by_label("邮件号").fill("1234567890123")
        form.get_by_label("签收人").fill("张三")

    act_on_case(page, case_url, "记录送达", by_post)
    delivery = Delivery.objects.get(case=case)
    assert (delivery.method, delivery.tracking_number) == ("post", "1234567890123")
    expect(page.locator("section#documents").locator(f"#document-{doc.pk} .doc-state")).to_have_text("已送达")
    page.locator("section#documents").screenshot(path=str(results_dir / "documents-delivered.png"))
    assert not console_errors


def test_archive_an_ended_case_from_the_case_page_and_download_the_volume(page, e2e_cast, results_dir, console_errors):
    import hashlib
    import zipfile

    from xinfang.cases.actions import do_decline
    from xinfang.documents import archive
    from xinfang.documents.models import ArchiveVolume

    reseed_migration_data()
    flow = Flow(e2e_cast)
    case = do_decline(
        flow.sign_for(flow.forward(flow.register(summary="反映宅基地界址纠纷"))),
        actor=e2e_cast.dept_officer,
        reason="已经依法处理完毕",
    )
    case_url = f"/cases/{case.pk}/"
    page.goto("/accounts/login/", timeout=60_000)
    login_as(page, "dept_officer")
    page.goto(case_url)
    section = page.locator("#archive")
    expect(section.locator(".archive-state")).to_have_text("尚未生成归档卷宗。")
    section.get_by_role("button", name="生成归档卷宗", exact=True).click()
    page.wait_for_url(f"**{case_url}#archive")
    expect(page.locator(".messages")).to_contain_text("已提交生成归档卷宗，稍后刷新本页即可下载")
    expect(page.locator("#archive .archive-state")).to_contain_text("生成中")

    archive.build_volume(case.pk)  # what the worker does with the task the request enqueued
    volume = ArchiveVolume.objects.get(case=case)
    page.reload()
    section = page.locator("#archive")
    expect(section.locator(".archive-state")).to_contain_text("已生成")
    expect(section.locator(".archive-sha")).to_have_text(volume.sha256)
    with page.expect_download() as info:
        section.get_by_role("link", name="下载归档卷宗（ZIP）").click()
    download = info.value
    assert download.suggested_filename == f"{case.number}-归档卷宗.zip"
    with open(download.path(), "rb") as fh:
        content = fh.read()
    assert hashlib.sha256(content).hexdigest() == volume.sha256
    assert "00-卷内目录.csv" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    section.screenshot(path=str(results_dir / "documents-archive.png"))
    assert not console_errors
