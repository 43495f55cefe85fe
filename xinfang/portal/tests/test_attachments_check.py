"""`manage.py attachments check [--delete]` covers the files of letters written on the portal (``portal/``)."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from xinfang.portal.models import Submission, SubmissionFile
from xinfang.portal.tests.conftest import OTHER_PHONE, registration_post

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def letter_with_files(client, write, django_capture_on_commit_callbacks):
    """A letter submitted with files, their bytes written as on a real commit; returns its query code and rows."""

    def _letter(*files, **changes):
        write(**changes)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/portal/write/confirm/", {"submit": "1", "files": list(files)})
        assert response["Location"] == "/portal/write/done/"
        receipt = client.get("/portal/write/done/").content.decode()
        code = re.search(r'<p class="code">([0-9A-Z-]+)</p>', receipt).group(1)
        return code, list(SubmissionFile.objects.filter(submission=Submission.objects.latest("pk")))

    return _letter


def check(*args) -> str:
    out = StringIO()
    call_command("attachments", "check", *args, stdout=out)
    return out.getvalue()


def on_disk(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_a_letters_files_are_known_to_the_check(letter_with_files, media):
    _code, (row,) = letter_with_files(SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf"))
    assert on_disk(media) == [row.file.name]
    assert row.file.name.startswith(f"portal/{row.submission_id}/")
    out = check()
    assert "网上信访附件记录 1 条；缺失文件 0 个；无对应记录的文件 0 个" in out
    assert "附件记录 0 条；缺失文件 0 个；无对应记录的文件 0 个" in out
    assert "缺失文件：" not in out and "无对应记录：" not in out


def test_the_files_of_a_letter_deleted_in_the_admin_are_reported_and_removed(letter_with_files, media):
    _code, (gone,) = letter_with_files(SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf"))
    _code, (kept,) = letter_with_files(SimpleUploadedFile("截图.png", PNG, "image/png"), phone=OTHER_PHONE)
    gone.submission.delete()  # the admin's delete: the rows go, the bytes stay
    out = check()
    assert f"无对应记录：{gone.file.name}" in out
    assert "网上信访附件记录 1 条；缺失文件 0 个；无对应记录的文件 1 个" in out
    assert on_disk(media) == sorted([gone.file.name, kept.file.name])  # reporting removes nothing
    deleted = check("--delete")
    assert "网上信访附件记录 1 条；缺失文件 0 个；无对应记录的文件 1 个（已删除）" in deleted
    assert on_disk(media) == [kept.file.name]
    assert "无对应记录的文件 0 个" in check()


def test_a_letters_row_whose_file_is_missing_is_reported_and_kept(letter_with_files, media):
    _code, (row,) = letter_with_files(SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf"))
    (media / row.file.name).unlink()
    out = check("--delete")
    assert f"缺失文件：{row.file.name}" in out
    assert "网上信访附件记录 1 条；缺失文件 1 个；无对应记录的文件 0 个" in out
    assert SubmissionFile.objects.filter(pk=row.pk).exists()


def test_a_stray_file_under_the_portals_directory_is_reported(media):
    stray = media / "portal" / "999" / "0123456789abcdef0123456789abcdef"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(PDF)
    out = check()
    assert "无对应记录：portal/999/0123456789abcdef0123456789abcdef" in out
    assert "网上信访附件记录 0 条；缺失文件 0 个；无对应记录的文件 1 个" in out
    check("--delete")
    assert on_disk(media) == []


def test_a_registered_letters_files_and_the_petitioners_materials_are_all_known(
    cast, client, letter_with_files, media, staff, django_capture_on_commit_callbacks
):
    """Registration copies the letter's file to the case (both are kept); 补充材料 go under attachments/."""
    from xinfang.portal.tests.test_track import sign_in

    code, (row,) = letter_with_files(SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf"))
    submission = row.submission
    with django_capture_on_commit_callbacks(execute=True):
        staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    sign_in(client, code)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/track/materials/", {"files": [SimpleUploadedFile("截图.png", PNG, "image/png")]})
    submission.refresh_from_db()
    copied, added = submission.case.attachments.order_by("pk")
    assert (copied.original_name, added.original_name) == ("现场照片.pdf", "截图.png")
    assert on_disk(media) == sorted([row.file.name, copied.file.name, added.file.name])
    out = check("--delete")
    assert "附件记录 2 条；缺失文件 0 个；无对应记录的文件 0 个" in out
    assert "网上信访附件记录 1 条；缺失文件 0 个；无对应记录的文件 0 个" in out
    assert on_disk(media) == sorted([row.file.name, copied.file.name, added.file.name])
