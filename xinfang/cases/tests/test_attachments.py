"""补充附件 on an existing case: who may, the registration's checks, and the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from xinfang.cases import actions
from xinfang.cases.models import Attachment, CaseEvent
from xinfang.cases.permissions import can_attach
from xinfang.cases.states import Action, Status
from xinfang.orgs.models import AuditAction, AuditEvent

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf(name="补充材料.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def upload(client, case, *files):
    # The files are written when the upload's transaction commits (run those callbacks here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/cases/{case.pk}/attachments/", {"files": list(files)})


def test_the_handler_adds_files_on_the_case_page_and_the_history_shows_it(flow, cast, login):
    case = flow.handling()
    client = login(cast.handler)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/attachments/"' in page and 'enctype="multipart/form-data"' in page
    form = page.split('aria-label="补充附件"', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" in form and 'name="files" multiple' in form
    assert "style" not in form and "onclick" not in form and "<script" not in form  # strict CSP

    response = upload(client, case, pdf(), SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    before = case.version
    case.refresh_from_db()
    assert case.status == Status.HANDLING and case.version == before + 1
    assert sorted(case.attachments.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    event = CaseEvent.objects.get(case=case, action=Action.ADD_ATTACHMENT)
    assert event.actor == cast.handler and event.from_status == event.to_status == Status.HANDLING
    assert "补充材料.pdf" in event.note and "现场照片.png" in event.note

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已上传2个附件" in page
    assert "补充附件" in page and "补充附件：补充材料.pdf、现场照片.png" in page
    assert page.count(f'href="/cases/{case.pk}/attachments/') == 2


def test_the_download_of_an_added_file_is_still_audited(flow, cast, login):
    case = flow.handling()
    upload(login(cast.handler), case, pdf())
    attachment = case.attachments.get()
    response = login(cast.registrar).get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD, actor=cast.registrar).exists()


def test_the_other_county_gets_404(flow, cast, login):
    case = flow.handling()
    response = upload(login(cast.other_officer), case, pdf())
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_a_read_only_statistician_sees_no_form_and_is_refused(flow, cast, login):
    case = flow.handling()
    client = login(cast.statistician)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/attachments/"' not in page
    response = upload(client, case, pdf())
    assert response.status_code == 403
    assert "只有登记员、受理交办员、承办人或负责人可以补充附件" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.ADD_ATTACHMENT).exists()


def test_an_exe_named_pdf_is_refused(flow, cast, login):
    case = flow.handling()
    response = upload(login(cast.handler), case, pdf("扫描件.pdf", EXE), pdf())
    assert response.status_code == 422
    assert "附件“扫描件.pdf”的内容不是有效的PDF文件（文件可能已损坏，或扩展名与内容不符）" in response.content.decode()
    assert not Attachment.objects.exists()  # all or nothing
    assert not CaseEvent.objects.filter(action=Action.ADD_ATTACHMENT).exists()


def test_an_oversize_file_is_refused(flow, cast, login, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    case = flow.handling()
    response = upload(login(cast.handler), case, pdf())
    assert response.status_code == 422
    assert "大小限制" in response.content.decode()
    assert not Attachment.objects.exists()


def test_no_files_is_refused(flow, cast, login):
    case = flow.handling()
    response = login(cast.handler).post(f"/cases/{case.pk}/attachments/", {})
    assert response.status_code == 422 and "请选择要上传的附件" in response.content.decode()


def test_an_ended_case_refuses(flow, cast, login):
    case = flow.sign_for(flow.assign(flow.register()))
    case = actions.do_decline(case, actor=cast.dept_officer, reason="不属于信访事项")
    assert case.status == Status.DECLINED
    client = login(cast.dept_officer)
    assert f'action="/cases/{case.pk}/attachments/"' not in client.get(f"/cases/{case.pk}/").content.decode()
    response = upload(client, case, pdf())
    assert response.status_code == 403 and "不能补充附件" in response.content.decode()
    assert not Attachment.objects.exists()


def test_who_may_attach(flow, cast):
    case = flow.handling()  # registered by the bureau, assigned to dept (current and competent)
    for user in (cast.registrar, cast.officer, cast.handler, cast.dept_officer, cast.unit_head):
        assert can_attach(user, case) is None, user
    assert "不是该件的办理单位" in can_attach(cast.handler2, case)  # dept2 takes no part
    assert "不是该件的办理单位" in can_attach(cast.other_officer, case)
    assert "只有登记员" in can_attach(cast.statistician, case)
    assert "不是该件的办理单位" in can_attach(cast.leader, case)  # sees the case, does not handle it


def test_the_reviewing_body_may_attach_the_petitioners_review_request(cast):
    from django.utils import timezone

    from xinfang.devdata.flow import register

    # Registered directly at the department, so the county bureau takes part
    # only as the body acting for the reviewing county government.
    case = register(cast.dept_officer)
    case = actions.do_accept(case, actor=cast.dept_officer, handler=cast.handler)
    assert "不是该件的办理单位" in can_attach(cast.officer, case)  # no reviewing body yet
    case = actions.do_reply(case, actor=cast.unit_head, request="请求", facts="事实", decision="explain", basis="依据")
    case = actions.do_record_delivery(
        case, actor=cast.handler, notice="reply", method="in_person", delivered_at=timezone.now(), recipient="张三"
    )
    case = actions.do_request_review(case, actor=cast.officer)
    assert can_attach(cast.officer, case) is None
    assert "不是该件的办理单位" in can_attach(cast.city_officer, case)


def test_adding_files_is_not_a_transition():
    from xinfang.cases.spec import SPECS, specs

    specs()
    assert Action.ADD_ATTACHMENT not in SPECS


def test_a_file_of_a_type_not_allowed_says_so(flow, cast, login):
    case = flow.handling()
    response = upload(login(cast.handler), case, pdf("setup.exe", EXE))
    assert response.status_code == 422
    assert "附件“setup.exe”的文件类型不允许（仅限 jpg/png/gif/webp/tiff/pdf/doc/docx）" in response.content.decode()


def _files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_a_rolled_back_upload_leaves_nothing_on_disk(flow, cast, media):
    from xinfang.cases.attachments import store_attachments

    case = flow.handling()
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        store_attachments(case, cast.handler, [(pdf("身份证.pdf"), "application/pdf")])
        raise RuntimeError("the registration failed after the files were taken")
    assert not Attachment.objects.exists()
    assert _files(media) == []


def test_the_bytes_are_written_when_the_transaction_commits(flow, cast, media):
    from xinfang.cases.attachments import store_attachments

    case = flow.handling()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        with transaction.atomic():
            (attachment,) = store_attachments(case, cast.handler, [(pdf(), "application/pdf")])
        assert _files(media) == []  # nothing yet: the commit has not been confirmed
    for callback in callbacks:
        callback()
    assert _files(media) == [attachment.sha256[:32]]
    assert attachment.file.open("rb").read() == PDF


def test_the_check_command_reports_and_removes_stray_files(flow, cast, media):
    case = flow.handling()
    upload_client_free = media / "attachments" / str(case.pk)
    upload_client_free.mkdir(parents=True)
    (upload_client_free / "0123456789abcdef0123456789abcdef").write_bytes(PDF)
    from io import StringIO

    out = StringIO()
    call_command("attachments", "check", stdout=out)
    assert f"attachments/{case.pk}/0123456789abcdef0123456789abcdef" in out.getvalue()
    assert "无对应记录的文件 1 个" in out.getvalue()
    call_command("attachments", "check", "--delete", stdout=StringIO())
    assert _files(media) == []
