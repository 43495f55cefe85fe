"""The petitioner acts on the portal through the same actions: evaluate a delivered reply, ask for review."""

from datetime import timedelta

import pytest

from xinfang.cases.models import CaseEvent
from xinfang.cases.spec import check
from xinfang.cases.states import Status
from xinfang.portal.models import Submission
from xinfang.portal.projection import petitioner_actor
from xinfang.portal.tests.conftest import registration_post
from xinfang.portal.tests.test_track import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(cast, client, flow, submit, staff):
    """A letter registered, assigned, accepted and answered; the petitioner signed in on the portal."""

    def _replied(*, deliver=True):
        code = submit()
        submission = Submission.objects.get()
        staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
        submission.refresh_from_db()
        case = submission.case
        for step in (flow.assign, flow.sign_for, flow.accept, flow.reply):
            step(case)
        if deliver:
            flow.deliver(case)
        sign_in(client, code)
        case.refresh_from_db()
        return case

    return _replied


def test_the_petitioner_evaluates_a_delivered_reply_once(client, replied):
    case = replied()
    page = client.get("/portal/track/case/").content.decode()
    assert "<h2>评价处理意见</h2>" in page
    response = client.post("/portal/track/evaluate/", {"evaluation": "basic", "comment": "处理及时，但电梯仍常出故障"})
    assert response["Location"] == "/portal/track/case/"
    assert (
        '<p class="msg ok" role="status">已提交您的评价，谢谢</p>' in client.get("/portal/track/case/").content.decode()
    )
    case.refresh_from_db()
    assert (case.evaluation, case.evaluation_source) == ("basic", "petitioner")
    event = CaseEvent.objects.filter(case=case, action="evaluate").get()
    assert event.actor_kind == "petitioner" and event.actor_id is None
    assert "处理及时，但电梯仍常出故障" in event.note
    again = client.post("/portal/track/evaluate/", {"evaluation": "satisfied", "comment": ""})
    assert again.status_code == 422
    assert '<p class="msg error" role="alert">您已评价过这份答复意见</p>' in again.content.decode()
    assert "您的评价：基本满意" in again.content.decode()


def test_before_the_reply_is_delivered_there_is_nothing_to_evaluate_or_review(client, replied):
    replied(deliver=False)
    page = client.get("/portal/track/case/").content.decode()
    assert "<h2>评价处理意见</h2>" not in page and "申请复查" not in page
    response = client.post("/portal/track/evaluate/", {"evaluation": "satisfied"})
    assert '<p class="msg error" role="alert">答复意见尚未送达，暂不能评价</p>' in response.content.decode()


def test_the_petitioner_asks_for_review_within_the_window(cast, client, clock, replied):
    case = replied()
    days_left = (case.window_until - clock.today()).days
    page = client.get("/portal/track/case/").content.decode()
    assert (
        f'（<span class="days-left">还有{days_left}天</span>）向<strong>{case.review_org.name}</strong>申请复查' in page
    )
    response = client.post("/portal/track/ask/review/", {"reasons": "物业公司仍未维修，处理意见未落实"})
    assert response["Location"] == "/portal/track/case/"
    case.refresh_from_db()
    assert case.status == Status.REVIEW_REQUESTED
    event = CaseEvent.objects.filter(case=case, action="request_review").get()
    assert event.actor_kind == "petitioner"
    assert "信访人网上申请：物业公司仍未维修，处理意见未落实" in event.note
    assert event.data["received_on"] == clock.today().isoformat()


def test_a_review_request_needs_reasons(client, replied):
    replied()
    response = client.post("/portal/track/ask/review/", {"reasons": "  "})
    assert '<p class="msg error" role="alert">请写明申请的理由</p>' in response.content.decode()


def test_out_of_the_window_the_page_says_when_it_closed(client, clock, replied):
    case = replied()
    clock.set(case.window_until + timedelta(days=1))
    page = client.get("/portal/track/case/").content.decode()
    closed = f"复查申请期限已于{case.window_until.year}年{case.window_until.month}月{case.window_until.day}日届满"
    assert closed in page
    assert 'action="/portal/track/ask/review/"' not in page
    response = client.post("/portal/track/ask/review/", {"reasons": "不服"})
    assert f"{case.window_until:%Y年%m月%d日}届满" in response.content.decode()
    case.refresh_from_db()
    assert case.status != Status.REVIEW_REQUESTED


def test_a_petitioner_may_take_only_the_actions_open_to_them(replied):
    case = replied()
    actor = petitioner_actor(Submission.objects.get())
    assert check(actor, "close", case) == "信访人不能自行办结"
    assert check(actor, "evaluate", case) is None


def test_the_petitioner_confirms_receipt_of_a_notice_as_electronic_delivery(cast, client, clock, replied):
    case = replied(deliver=False)
    page = client.get("/portal/track/case/").content.decode()
    assert '<button type="submit">确认收到《信访事项处理意见书》</button>' in page
    assert '<input type="hidden" name="notice" value="reply">' in page
    response = client.post("/portal/track/confirm/", {"notice": "reply"})
    assert response["Location"] == "/portal/track/case/"
    page = client.get("/portal/track/case/").content.decode()
    assert '<p class="msg ok" role="status">已确认收到，送达日期已记录</p>' in page
    today = clock.today()
    assert f"{today.year}年{today.month}月{today.day}日电子送达" in page
    assert '<input type="hidden" name="notice" value="reply">' not in page
    delivery = case.deliveries.get(notice="reply")
    assert (delivery.method, delivery.recorded_by, delivery.recorded_by_petitioner) == (
        "electronic",
        None,
        case.case_petitioners.get().petitioner,
    )
    # A reply confirmed this way opens the evaluation and the review window.
    assert "<h2>评价处理意见</h2>" in page and "申请复查" in page
    case.refresh_from_db()
    assert case.reply_delivered_on == today


def test_a_notice_already_delivered_cannot_be_confirmed_again(client, replied):
    case = replied(deliver=False)
    client.post("/portal/track/confirm/", {"notice": "reply"})
    again = client.post("/portal/track/confirm/", {"notice": "reply"})
    assert again.status_code == 422
    assert '<p class="msg error" role="alert">《信访事项处理意见书》的送达已记录</p>' in again.content.decode()
    assert case.deliveries.filter(notice="reply").count() == 1


def test_confirming_needs_a_signed_in_petitioner_and_a_post(client, replied):
    case = replied(deliver=False)
    assert client.get("/portal/track/confirm/")["Location"] == "/portal/track/case/"
    client.post("/portal/track/sign-out/")
    assert client.post("/portal/track/confirm/", {"notice": "reply"})["Location"] == "/portal/track/"
    assert not case.deliveries.filter(notice="reply").exists()


def test_confirming_an_unknown_notice_is_refused(client, replied):
    replied(deliver=False)
    response = client.post("/portal/track/confirm/", {"notice": "nonsense"})
    assert '<p class="msg error" role="alert">请选择送达的文书</p>' in response.content.decode()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_petitioner_adds_written_materials_and_files_to_an_open_case(client, replied):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = replied(deliver=False)
    assert "<h2>补充材料</h2>" in client.get("/portal/track/case/").content.decode()
    response = client.post(
        "/portal/track/materials/",
        {"text": "电梯本周又停运三天", "files": [SimpleUploadedFile("照片说明.pdf", PDF, "application/pdf")]},
    )
    assert response["Location"] == "/portal/track/case/"
    assert '<p class="msg ok" role="status">已提交补充材料</p>' in client.get("/portal/track/case/").content.decode()
    (attachment,) = case.attachments.all()
    petitioner = case.case_petitioners.get().petitioner
    assert (attachment.original_name, attachment.uploaded_by, attachment.uploaded_by_petitioner) == (
        "照片说明.pdf",
        None,
        petitioner,
    )
    event = CaseEvent.objects.filter(case=case, action="add_attachment").get()
    assert (event.actor_kind, event.actor_petitioner) == ("petitioner", petitioner)
    assert event.note == "补充材料：电梯本周又停运三天；补充附件：照片说明.pdf"
    client.post("/portal/track/materials/", {"text": "物业电话无人接听"})
    assert (
        CaseEvent.objects.filter(case=case, action="add_attachment").latest("seq").note == "补充材料：物业电话无人接听"
    )


def test_materials_get_the_same_type_check_as_staff_uploads(client, replied):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = replied(deliver=False)
    response = client.post(
        "/portal/track/materials/",
        {"files": [SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00not a pdf", "application/pdf")]},
    )
    assert response.status_code == 422
    assert "附件“病毒.pdf”的内容不是有效的PDF文件（文件可能已损坏，或扩展名与内容不符）" in response.content.decode()
    empty = client.post("/portal/track/materials/", {"text": "  "})
    assert '<p class="msg error" role="alert">请填写补充的内容或选择要上传的文件</p>' in empty.content.decode()
    assert not case.attachments.exists()
    assert not CaseEvent.objects.filter(case=case, action="add_attachment").exists()


def test_an_issued_notice_downloads_as_pdf_and_a_letter_to_a_unit_does_not(cast, client, replied):
    from xinfang.documents.actions import do_issue_document

    case = replied(deliver=False)
    reply = do_issue_document(
        case, actor=cast.dept_officer, event=CaseEvent.objects.filter(case=case, action="reply").latest("pk")
    )
    letter = do_issue_document(
        case, actor=cast.officer, event=CaseEvent.objects.filter(case=case, action="assign").latest("pk")
    )
    page = client.get("/portal/track/case/").content.decode()
    assert f'<a href="/portal/track/notice/{reply.pk}.pdf">下载《信访事项处理意见书》PDF</a>' in page
    response = client.get(f"/portal/track/notice/{reply.pk}.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/portal/track/notice/{letter.pk}.pdf").status_code == 404
    client.post("/portal/track/sign-out/")
    assert client.get(f"/portal/track/notice/{reply.pk}.pdf")["Location"] == "/portal/track/"


def test_materials_that_fail_after_their_files_leave_no_file_behind(
    client, replied, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The history's event fails after the files were taken: nothing is kept, on disk or in the database."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinfang.cases import events

    settings.MEDIA_ROOT = tmp_path / "media"
    case = replied(deliver=False)

    def failing_record(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(events, "record", failing_record)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portal/track/materials/",
            {"text": "电梯本周又停运三天", "files": [SimpleUploadedFile("照片说明.pdf", PDF, "application/pdf")]},
        )
    assert response.status_code == 500
    assert not case.attachments.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/portal/track/materials/",
            {"files": [SimpleUploadedFile("照片说明.pdf", PDF, "application/pdf")]},
        )
    (attachment,) = case.attachments.all()
    assert (tmp_path / "media" / attachment.file.name).read_bytes() == PDF
