"""Files on 我要写信: checked as staff uploads are, kept with the letter, carried to the case on registration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.cases.models import Attachment
from xinfang.portal.models import Submission, SubmissionFile
from xinfang.portal.tests.conftest import registration_post

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_last_look_offers_files_with_the_limits(client, write):
    write()
    page = client.get("/portal/write/confirm/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "可上传图片、PDF 或 Word 文件，最多5个，每个不超过20MB" in page


def test_a_letters_files_reach_the_case_as_the_petitioners_attachments(
    cast, client, write, staff, django_capture_on_commit_callbacks
):
    write()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portal/write/confirm/", {"submit": "1", "files": [SimpleUploadedFile("合同.pdf", PDF, "application/pdf")]}
        )
    assert response["Location"] == "/portal/write/done/"
    submission = Submission.objects.get()
    (kept,) = SubmissionFile.objects.filter(submission=submission)
    assert (kept.original_name, kept.content_type, kept.size) == ("合同.pdf", "application/pdf", len(PDF))
    assert "合同" not in kept.file.name and kept.file.read() == PDF
    with django_capture_on_commit_callbacks(execute=True):
        staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    submission.refresh_from_db()
    (attachment,) = Attachment.objects.filter(case=submission.case)
    petitioner = submission.case.case_petitioners.get().petitioner
    assert (attachment.original_name, attachment.uploaded_by, attachment.uploaded_by_petitioner) == (
        "合同.pdf",
        None,
        petitioner,
    )
    assert attachment.file.open("rb").read() == PDF


def test_a_file_that_is_not_what_it_claims_is_refused_at_the_field(client, write):
    write()
    response = client.post(
        "/portal/write/confirm/",
        {"submit": "1", "files": [SimpleUploadedFile("照片.jpg", b"MZ\x90\x00", "image/jpeg")]},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<span class="error" id="id_files_error">附件“照片.jpg”的内容不是有效的JPEG 图片文件'
        "（文件可能已损坏，或扩展名与内容不符）</span>" in page
    )
    assert 'aria-describedby="id_files_help id_files_error" aria-invalid="true"' in page
    assert not Submission.objects.exists()


def test_at_most_five_files(client, write):
    write()
    files = [SimpleUploadedFile(f"{i}.pdf", PDF, "application/pdf") for i in range(6)]
    response = client.post("/portal/write/confirm/", {"submit": "1", "files": files})
    assert response.status_code == 422
    assert '<span class="error" id="id_files_error">最多上传5个文件</span>' in response.content.decode()
    assert not Submission.objects.exists()


def stored_files(media) -> list[str]:
    """The letters' files in storage (under portal/; the SMS log shares the temporary directory)."""
    return sorted(str(p.relative_to(media)) for p in (media / "portal").rglob("*") if p.is_file())


def test_a_letters_files_are_written_only_when_the_letter_commits(client, write, media):
    write()
    client.post(
        "/portal/write/confirm/", {"submit": "1", "files": [SimpleUploadedFile("合同.pdf", PDF, "application/pdf")]}
    )
    # The test's transaction has not committed: the row is there, its bytes not yet.
    assert SubmissionFile.objects.count() == 1
    assert stored_files(media) == []


def test_a_submit_that_fails_after_its_files_leaves_no_file_behind(
    client, write, media, monkeypatch, django_capture_on_commit_callbacks
):
    """The second file's row fails after the first was kept: nothing of the letter stays, in the
    database or in storage."""
    write()
    save = SubmissionFile.save
    kept = []

    def failing_save(self, *args, **kwargs):
        if kept:
            raise RuntimeError("the database went away")
        kept.append(self)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(SubmissionFile, "save", failing_save)
    client.raise_request_exception = False
    files = [SimpleUploadedFile(f"{i}.pdf", PDF + str(i).encode(), "application/pdf") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/write/confirm/", {"submit": "1", "files": files})
    assert response.status_code == 500
    assert "系统暂时无法处理您的请求，请稍后再试。您已填写的内容没有提交。" in response.content.decode()
    assert len(kept) == 1
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    assert stored_files(media) == []
