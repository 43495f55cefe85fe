"""/api/v1/cases/{id}/attachments: multipart upload with the registration's checks, and the metadata list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from xinfang.cases.models import Attachment, CaseEvent
from xinfang.cases.states import Action
from xinfang.devdata.flow import Flow

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(cast):
    return Flow(cast).handling()


@pytest.fixture
def upload(client, token_for):
    def _upload(user, case, *files):
        # The files are written when the upload's transaction commits (run those callbacks here).
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                f"/api/v1/cases/{case.pk}/attachments",
                {"files": list(files)},
                headers={"Authorization": f"Bearer {token_for(user)}"},
            )

    return _upload


def pdf(name="补充材料.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_then_list(cast, case, upload, api_as):
    response = upload(cast.handler, case, pdf(), pdf("第二页.pdf"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [a["name"] for a in body] == ["补充材料.pdf", "第二页.pdf"]
    assert body[0]["content_type"] == "application/pdf" and body[0]["size"] == len(PDF)
    assert body[0]["uploaded_by"]["id"] == cast.handler.pk and len(body[0]["sha256"]) == 64
    assert CaseEvent.objects.filter(case=case, action=Action.ADD_ATTACHMENT).count() == 1

    listed = api_as(cast.registrar).get(f"/api/v1/cases/{case.pk}/attachments")
    assert listed.status_code == 200 and listed.json() == body
    events = api_as(cast.registrar).get(f"/api/v1/cases/{case.pk}/events").json()
    assert events[-1]["action"] == "add_attachment" and events[-1]["action_label"] == "补充附件"
    detail = api_as(cast.handler).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["version"] == case.version + 1
    assert "add_attachment" not in {a["action"] for a in detail["available_actions"]}


def test_out_of_scope_is_404_for_both(cast, case, upload, api_as):
    response = upload(cast.other_officer, case, pdf())
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api_as(cast.other_officer).get(f"/api/v1/cases/{case.pk}/attachments")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Attachment.objects.exists()


def test_a_statistician_is_403_with_the_reason(cast, case, upload, api_as):
    response = upload(cast.statistician, case, pdf())
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed" and "补充附件" in response.json()["message"]
    assert api_as(cast.statistician).get(f"/api/v1/cases/{case.pk}/attachments").json() == []


def test_bad_type_and_oversize_are_422_invalid(cast, case, upload, settings):
    response = upload(cast.handler, case, pdf("扫描件.pdf", EXE))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["field"] == "files"
    assert "的内容不是有效的PDF文件（文件可能已损坏，或扩展名与内容不符）" in response.json()["message"]
    settings.ATTACHMENT_MAX_BYTES = 10
    response = upload(cast.handler, case, pdf())
    assert response.status_code == 422 and "大小限制" in response.json()["message"]
    assert not Attachment.objects.exists()


def test_no_file_is_a_validation_error(cast, case, upload):
    response = upload(cast.handler, case)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_the_openapi_document_shows_the_multipart_upload(cast, login):
    paths = login(cast.handler).get("/api/v1/openapi.json").json()["paths"]
    op = paths["/api/v1/cases/{case_id}/attachments"]
    assert "multipart/form-data" in op["post"]["requestBody"]["content"]
    assert {"201", "403", "404", "422"} <= set(op["post"]["responses"]) and "get" in op
