"""Archive volumes (归档卷宗): contents and 卷内目录, the stored SHA-256, reruns, downloads and who may have them."""

import csv
import hashlib
import io
import os
import zipfile
from datetime import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from docx import Document as Docx
from pypdf import PdfReader, PdfWriter

from xinfang.background.testing import run_queued
from xinfang.cases import actions as A
from xinfang.cases import outbox
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Kind
from xinfang.documents import archive
from xinfang.documents.actions import do_issue_document
from xinfang.documents.models import ArchiveVolume
from xinfang.documents.tests.helpers import pdf_text, squash
from xinfang.orgs.models import AuditAction, AuditEvent

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def two_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _event(case, action):
    return CaseEvent.objects.filter(case=case, action=action).latest("pk")


def declined(cast, flow, **kwargs):
    """A case forwarded to the department, given two files, declined: it has ended."""
    case = flow.sign_for(flow.forward(flow.register(**kwargs)))
    files = [
        SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"),
        SimpleUploadedFile("材料 清单.pdf", two_page_pdf(), content_type="application/pdf"),
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the files are written on commit
        A.do_add_attachments(case.pk, actor=cast.dept_officer, files=files)
    return A.do_decline(case, actor=cast.dept_officer, reason="已经依法处理完毕")


def built(case):
    """What the worker does: the outbox consumer asks, the task builds."""
    outbox.drain(archive.CONSUMER)
    result = archive.build_volume(case.pk)
    return ArchiveVolume.objects.get(case=case), result


def read_zip(volume) -> dict[str, bytes]:
    with default_storage.open(volume.file.name, "rb") as fh, zipfile.ZipFile(fh) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_an_ended_case_gets_a_volume_with_its_documents_attachments_history_and_index(cast, flow, clock):
    clock.set(datetime(2026, 12, 2, 10, 0))
    case = declined(cast, flow)
    forward = do_issue_document(case, actor=cast.officer, event=_event(case, "forward"))
    decline = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "decline"))
    volume, result = built(case)
    assert result.startswith("built ")
    assert volume.is_ready and volume.generated_at == clock.now()
    files = read_zip(volume)
    assert sorted(files) == [
        "00-卷内目录.csv",
        "00-卷内目录.docx",
        "00-卷内目录.pdf",
        "05-信访事项办理记录.pdf",
        f"文书/01-信访事项转送函-{forward.number}.pdf",
        f"文书/02-{decline.title}-{decline.number}.pdf",
        "附件/03-现场照片.png",
        "附件/04-材料 清单.pdf",
    ]
    assert files["附件/03-现场照片.png"] == PNG
    assert forward.number in squash(pdf_text(files[f"文书/01-信访事项转送函-{forward.number}.pdf"]))
    history = squash(pdf_text(files["05-信访事项办理记录.pdf"]))
    assert case.number in history and "不予受理" in history and "印发文书" in history
    assert "办理记录校验链完整" in history

    raw = files["00-卷内目录.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel and WPS open it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    history_pages = len(PdfReader(io.BytesIO(files["05-信访事项办理记录.pdf"])).pages)
    assert rows == [
        ["序号", "文件名称", "文号", "日期", "页数", "备注"],
        ["1", "信访事项转送函", forward.number, "2026-12-02", "1", f"文书/01-信访事项转送函-{forward.number}.pdf"],
        ["2", decline.title, decline.number, "2026-12-02", "1", f"文书/02-{decline.title}-{decline.number}.pdf"],
        ["3", "现场照片.png", "", "2026-12-02", "1", "附件/03-现场照片.png"],
        ["4", "材料 清单.pdf", "", "2026-12-02", "2", "附件/04-材料 清单.pdf"],
        ["5", "信访事项办理记录", "", "2026-12-02", str(history_pages), "05-信访事项办理记录.pdf"],
    ]
    table = Docx(io.BytesIO(files["00-卷内目录.docx"])).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == rows
    index_pdf = squash(pdf_text(files["00-卷内目录.pdf"]))
    assert "卷内目录" in index_pdf and forward.number in index_pdf and decline.number in index_pdf
    assert [e["number"] for e in volume.entries] == [forward.number, decline.number, "", "", ""]


def test_an_uploaded_name_cannot_leave_its_folder_in_the_zip():
    assert archive._safe("../a/b.pdf") == "_a_b.pdf"
    assert archive._safe("..\\..\\c:x.png") == "_.._c_x.png"
    assert archive._safe("...") == "file"


def test_the_stored_sha256_and_size_are_those_of_the_stored_bytes(cast, flow):
    case = declined(cast, flow)
    version = case.version
    volume, _ = built(case)
    with default_storage.open(volume.file.name, "rb") as fh:
        content = fh.read()
    assert volume.sha256 == hashlib.sha256(content).hexdigest()
    assert volume.size == len(content)
    assert volume.file.name == f"archives/{case.pk}/volume-{volume.sha256[:32]}.zip"
    case.refresh_from_db()
    assert case.version == version  # a build writes no history: open forms on the case stay valid


def test_running_the_build_again_changes_nothing(cast, flow):
    case = declined(cast, flow)
    volume, _ = built(case)
    events = case.events.count()
    assert archive.build_volume(case.pk) == "up to date"
    assert archive.sweep() == "built=0 failed=0"
    outbox.drain(archive.CONSUMER)  # the ARCHIVED event asks for nothing
    again = ArchiveVolume.objects.get(case=case)
    assert (again.sha256, again.file.name, again.built, again.wanted) == (
        volume.sha256,
        volume.file.name,
        volume.built,
        volume.wanted,
    )
    assert case.events.count() == events
    assert ArchiveVolume.objects.count() == 1


def test_a_document_issued_after_the_end_rebuilds_the_volume(cast, flow):
    case = declined(cast, flow)
    first, _ = built(case)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "decline"))
    outbox.drain(archive.CONSUMER)
    pending = ArchiveVolume.objects.get(case=case)
    assert not pending.is_ready and pending.sha256 == first.sha256  # the old one stays until the new one is stored
    assert archive.owed() == [case.pk]
    assert archive.sweep() == "built=1 failed=0"
    second = ArchiveVolume.objects.get(case=case)
    assert second.is_ready and second.sha256 != first.sha256
    assert any(doc.number in name for name in read_zip(second))


def test_an_open_case_asks_for_no_volume_and_cannot_be_archived(cast, flow):
    case = flow.handling()
    outbox.drain(archive.CONSUMER)
    assert not ArchiveVolume.objects.exists()
    with pytest.raises(Invalid, match="^当前状态为“办理中”，信访件结束后方可归档$"):
        archive.do_request_archive(case, actor=cast.dept_officer)
    assert archive.build_volume(case.pk) == "no volume asked for"


def test_a_build_killed_before_it_stored_leaves_the_old_volume_and_the_next_one_finishes(cast, flow, monkeypatch):
    case = declined(cast, flow)
    first, _ = built(case)
    archive.do_request_archive(case, actor=cast.dept_officer)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if the worker were stopped mid-write

    with monkeypatch.context() as m:
        m.setattr(archive, "history_pdf", killed)
        with pytest.raises(KeyboardInterrupt):
            archive.build_volume(case.pk)
    stuck = ArchiveVolume.objects.get(case=case)
    assert (stuck.file.name, stuck.sha256, stuck.is_ready) == (first.file.name, first.sha256, False)
    assert os.listdir(default_storage.path(f"archives/{case.pk}")) == [os.path.basename(first.file.name)]
    assert archive.build_volume(case.pk).startswith("built ")
    done = ArchiveVolume.objects.get(case=case)
    assert done.is_ready and done.built == done.wanted


def test_a_failed_build_is_recorded_and_retried_by_the_sweep(cast, flow, monkeypatch):
    case = declined(cast, flow)
    outbox.drain(archive.CONSUMER)
    with monkeypatch.context() as m:
        m.setattr(archive, "index_pdf", lambda *a: (_ for _ in ()).throw(RuntimeError("字体缺失")))
        assert archive.sweep() == "built=0 failed=1"
    assert ArchiveVolume.objects.get(case=case).error == "RuntimeError: 字体缺失"
    assert archive.sweep() == "built=1 failed=0"
    volume = ArchiveVolume.objects.get(case=case)
    assert volume.is_ready and volume.error == ""


def test_the_kick_enqueues_the_task_which_builds_the_volume(cast, flow):
    case = declined(cast, flow)
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbox.drain(archive.CONSUMER)
    assert run_queued() >= 1
    assert ArchiveVolume.objects.get(case=case).is_ready


def test_staff_regenerate_from_the_case_page_recorded_in_the_history(cast, flow, login):
    case = declined(cast, flow)
    first, _ = built(case)
    client = login(cast.dept_officer)
    response = client.post(f"/documents/cases/{case.pk}/archive/request/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#archive"
    event = case.events.filter(action="archived", actor=cast.dept_officer).get()
    assert (event.get_action_display(), event.note) == ("生成归档卷宗", "要求重新生成归档卷宗")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已提交生成归档卷宗，稍后刷新本页即可下载" in page
    assert "生成中" in page and first.sha256 in page  # the previous volume stays downloadable meanwhile
    archive.build_volume(case.pk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    volume = ArchiveVolume.objects.get(case=case)
    section = page.split('id="archive"', 1)[1].split("</div>", 1)[0]
    assert "已生成" in section and volume.sha256 in section and archive.size_text(volume.size) in section
    assert f'href="/documents/cases/{case.pk}/archive/"' in section
    assert "重新生成归档卷宗" in section


def test_the_statistician_may_not_ask_for_a_volume(cast, flow):
    case = declined(cast, flow)
    with pytest.raises(NotAllowed, match="^只有登记员、受理交办员、承办人或负责人可以生成归档卷宗$"):
        archive.do_request_archive(case, actor=cast.statistician)


def test_an_ended_case_without_a_volume_offers_to_generate_one(cast, flow, login):
    case = declined(cast, flow)
    page = login(cast.dept_officer).get(f"/cases/{case.pk}/").content.decode()
    assert "尚未生成归档卷宗" in page and "生成归档卷宗</button>" in page
    assert f'action="/documents/cases/{case.pk}/archive/request/"' in page


def test_the_download_is_the_volume_and_is_audited(cast, flow, login):
    case = declined(cast, flow)
    volume, _ = built(case)
    response = login(cast.officer).get(f"/documents/cases/{case.pk}/archive/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == volume.sha256
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    audit = AuditEvent.objects.get(action=AuditAction.ATTACHMENT_DOWNLOAD)
    assert (audit.actor, audit.target, audit.detail) == (
        cast.officer,
        "归档卷宗（ZIP）",
        f"{case.number}；SHA-256 {volume.sha256}",
    )


def test_no_volume_yet_is_a_404_and_nothing_is_logged(cast, flow, login):
    case = declined(cast, flow)
    assert login(cast.officer).get(f"/documents/cases/{case.pk}/archive/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()


def test_the_other_county_gets_a_404_for_download_and_request(cast, flow, login):
    case = declined(cast, flow)
    built(case)
    client = login(cast.other_officer)
    assert client.get(f"/documents/cases/{case.pk}/archive/").status_code == 404
    assert client.post(f"/documents/cases/{case.pk}/archive/request/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()
    assert not case.events.filter(action="archived", actor=cast.other_officer).exists()


def test_the_accused_never_gets_an_accusation_volume(cast, flow, login):
    # Registered at the accused's own bureau, it went on by recusal to the city bureau, which declines it.
    case = flow.register(kind=Kind.ACCUSATION, summary="检举某科长收受好处费", accused_user=cast.supervisor)
    case = A.do_sign_for(case, actor=cast.city_officer)
    case = A.do_decline(case, actor=cast.city_officer, reason="检举事项已由纪检监察机关处理")
    volume, _ = built(case)
    assert volume.is_ready
    assert login(cast.supervisor).get(f"/documents/cases/{case.pk}/archive/").status_code == 404
    assert login(cast.supervisor).post(f"/documents/cases/{case.pk}/archive/request/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()
    assert login(cast.city_officer).get(f"/documents/cases/{case.pk}/archive/").status_code == 200


def test_an_ended_case_page_costs_one_query_more_whatever_the_volume_holds(cast, flow, login):
    case = declined(cast, flow)
    client = login(cast.dept_officer)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as none:
        client.get(f"/cases/{case.pk}/")
    assert sum("documents_archivevolume" in q["sql"] for q in none.captured_queries) == 1
    built(case)
    do_issue_document(case, actor=cast.dept_officer, event=_event(case, "decline"))
    outbox.drain(archive.CONSUMER)
    archive.build_volume(case.pk)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as ready:
        client.get(f"/cases/{case.pk}/")
    assert len(ready.captured_queries) == len(none.captured_queries)


def test_the_command_asks_for_the_ended_cases_without_a_volume_and_builds_them(cast, flow):
    from django.core.management import call_command

    old = declined(cast, flow)
    open_case = flow.handling()
    out = io.StringIO()
    call_command("archive_volumes", "--missing", stdout=out)  # the events were not drained: no volume yet
    assert out.getvalue().strip() == "已为1件提出生成请求（后台任务与定时任务将逐件生成）"
    assert list(ArchiveVolume.objects.values_list("case_id", flat=True)) == [old.pk]
    out = io.StringIO()
    call_command("archive_volumes", "--build", "5", stdout=out)
    assert out.getvalue().strip() == "built=1 failed=0"
    assert ArchiveVolume.objects.get(case=old).is_ready
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="^当前状态为“办理中”，信访件结束后方可归档$"):
        call_command("archive_volumes", "--case", open_case.number)
