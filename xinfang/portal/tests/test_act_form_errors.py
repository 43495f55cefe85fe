"""The case page's three forms refuse bad input at the field: 补充材料, 评价处理意见, 申请复查.

A refused post is the case page again (422, as the portal's other refusals), with the petitioner's
input kept, each error beside its field (aria-invalid, aria-describedby naming the error's id), an
error summary at the top of the form linking to the fields, and the page's one alert at the top
linking to that summary. Nothing is recorded.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Status
from xinfang.portal.tests import test_act

pytestmark = pytest.mark.django_db

PDF = test_act.PDF
replied = test_act.replied  # the fixture: a letter registered and answered, the petitioner signed in


def test_an_empty_review_request_is_refused_at_the_reasons_field(client, replied):
    case = replied()
    response = client.post("/portal/track/ask/review/", {"reasons": "   "})
    page = response.content.decode()
    assert response.status_code == 422
    assert page.count('role="alert"') == 1
    assert '<p class="msg error" role="alert">请写明申请的理由</p>' in page
    assert '<p><a href="#review_errors">转到需要修改的内容</a></p>' in page
    assert '<div class="errors-summary" id="review_errors" tabindex="-1">' in page
    assert '<li><a href="#review_reasons">申请复查的理由：请写明申请的理由</a></li>' in page
    assert '<span class="error" id="review_reasons_error">请写明申请的理由</span>' in page
    assert (
        '<textarea name="reasons" cols="40" rows="6" maxlength="5000" required aria-invalid="true"'
        ' aria-describedby="review_reasons_helptext review_reasons_error" id="review_reasons">\n   </textarea>'
    ) in page
    case.refresh_from_db()
    assert case.status != Status.REVIEW_REQUESTED


def test_too_long_reasons_are_refused_and_kept(client, replied):
    case = replied()
    reasons = "物业仍未维修" * 834  # 5004 characters
    response = client.post("/portal/track/ask/review/", {"reasons": reasons})
    page = response.content.decode()
    assert response.status_code == 422
    message = "申请复查的理由不能超过 5000 字（现为 5004 字），请精简"
    assert f'<p class="msg error" role="alert">{message}</p>' in page
    assert f'<span class="error" id="review_reasons_error">{message}</span>' in page
    assert f'id="review_reasons">\n{reasons}</textarea>' in page
    assert not CaseEvent.objects.filter(case=case, action="request_review").exists()


def test_an_evaluation_without_a_choice_is_refused_at_the_choice_and_keeps_the_comment(client, replied):
    case = replied()
    response = client.post("/portal/track/evaluate/", {"comment": "电梯仍常出故障"})
    page = response.content.decode()
    assert response.status_code == 422
    assert '<p class="msg error" role="alert">请选择评价结果</p>' in page
    assert '<p><a href="#evaluate_errors">转到需要修改的内容</a></p>' in page
    assert '<li><a href="#evaluate_evaluation_0">您对处理意见是否满意：请选择评价结果</a></li>' in page
    assert (
        '<fieldset class="field invalid" aria-describedby="evaluate_evaluation_error">\n'
        "      <legend>您对处理意见是否满意</legend>\n"
        '      <span class="error" id="evaluate_evaluation_error">请选择评价结果</span>'
    ) in page
    radio = 'value="satisfied" id="evaluate_evaluation_0" required aria-invalid="true">'
    assert f'<input type="radio" name="evaluation" {radio}' in page
    assert 'id="evaluate_comment">\n电梯仍常出故障</textarea>' in page
    case.refresh_from_db()
    assert case.evaluation == ""
    assert not CaseEvent.objects.filter(case=case, action="evaluate").exists()


def test_an_unknown_evaluation_gets_the_same_message(client, replied):
    replied()
    response = client.post("/portal/track/evaluate/", {"evaluation": "delighted"})
    assert response.status_code == 422
    assert '<span class="error" id="evaluate_evaluation_error">请选择评价结果</span>' in response.content.decode()


def test_a_too_long_comment_is_refused_at_the_comment_and_the_choice_is_kept(client, replied):
    case = replied()
    response = client.post("/portal/track/evaluate/", {"evaluation": "basic", "comment": "好" * 501})
    page = response.content.decode()
    assert response.status_code == 422
    message = "意见和建议不能超过 500 字（现为 501 字），请精简"
    assert f'<p class="msg error" role="alert">{message}</p>' in page
    assert f'<li><a href="#evaluate_comment">意见和建议：{message}</a></li>' in page
    assert (
        '<textarea name="comment" cols="40" rows="4" maxlength="500" aria-invalid="true"'
        f' aria-describedby="evaluate_comment_error" id="evaluate_comment">\n{"好" * 501}</textarea>'
    ) in page
    assert 'value="basic" id="evaluate_evaluation_1" required checked>' in page
    case.refresh_from_db()
    assert case.evaluation == ""


def test_every_error_of_a_form_is_listed_and_said(client, replied):
    replied()
    response = client.post("/portal/track/evaluate/", {"comment": "好" * 501})
    page = response.content.decode()
    both = "请选择评价结果；意见和建议不能超过 500 字（现为 501 字），请精简"
    assert f'<p class="msg error" role="alert">{both}</p>' in page
    assert page.count('<li><a href="#evaluate_') == 2


def test_empty_materials_are_refused_at_the_text_field(client, replied):
    case = replied(deliver=False)
    response = client.post("/portal/track/materials/", {"text": "  "})
    page = response.content.decode()
    assert response.status_code == 422
    assert '<p class="msg error" role="alert">请填写补充的内容或选择要上传的文件</p>' in page
    assert '<p><a href="#materials_errors">转到需要修改的内容</a></p>' in page
    assert '<li><a href="#materials_text">补充的内容：请填写补充的内容或选择要上传的文件</a></li>' in page
    assert '<span class="error" id="materials_text_error">请填写补充的内容或选择要上传的文件</span>' in page
    assert 'aria-invalid="true" aria-describedby="materials_text_helptext materials_text_error"' in page
    assert not CaseEvent.objects.filter(case=case, action="add_attachment").exists()


def test_a_file_that_is_not_what_it_says_is_refused_at_the_file_field_and_the_text_kept(client, replied):
    case = replied(deliver=False)
    response = client.post(
        "/portal/track/materials/",
        {
            "text": "电梯本周又停运三天",
            "files": [
                SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00not a pdf", "application/pdf"),
                SimpleUploadedFile("程序.exe", b"MZ\x90\x00\x03\x00" + b"\x00" * 200, "application/octet-stream"),
            ],
        },
    )
    page = response.content.decode()
    assert response.status_code == 422
    message = (
        "附件“病毒.pdf”的内容不是有效的PDF文件（文件可能已损坏，或扩展名与内容不符）；"
        "附件“程序.exe”的文件类型不允许（仅限 jpg/png/gif/webp/tiff/pdf/doc/docx）"
    )
    assert f'<span class="error" id="materials_files_error">{message}</span>' in page
    assert f'<li><a href="#materials_files">文件：{message}</a></li>' in page
    assert (
        '<input type="file" name="files" accept=".doc,.docx,.gif,.jpeg,.jpg,.pdf,.png,.tif,.tiff,.webp" multiple'
        ' aria-invalid="true" aria-describedby="materials_files_helptext materials_files_error" id="materials_files">'
    ) in page
    assert 'id="materials_text">\n电梯本周又停运三天</textarea>' in page
    assert 'id="materials_text_error"' not in page
    assert not case.attachments.exists()
    assert not CaseEvent.objects.filter(case=case, action="add_attachment").exists()


def test_a_file_over_the_size_limit_is_refused_at_the_file_field(client, replied, settings):
    case = replied(deliver=False)
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    response = client.post("/portal/track/materials/", {"files": [big]})
    assert response.status_code == 422
    assert (
        '<span class="error" id="materials_files_error">附件“扫描件.pdf”超过1MB的大小限制</span>'
        in response.content.decode()
    )
    assert not case.attachments.exists()


def test_too_long_materials_are_refused_and_good_files_must_be_chosen_again(client, replied):
    case = replied(deliver=False)
    response = client.post(
        "/portal/track/materials/",
        {"text": "停" * 5001, "files": [SimpleUploadedFile("照片说明.pdf", PDF, "application/pdf")]},
    )
    page = response.content.decode()
    assert response.status_code == 422
    message = "补充的内容不能超过 5000 字（现为 5001 字），请精简"
    assert f'<span class="error" id="materials_text_error">{message}</span>' in page
    assert "每个不超过20MB。刚才选择的文件未上传，请重新选择</span>" in page
    assert not case.attachments.exists()


def test_a_refusal_by_the_rules_keeps_the_input_without_field_errors(client, replied):
    """Valid input the action refuses (already evaluated): the top message as before, no summary."""
    replied()
    client.post("/portal/track/evaluate/", {"evaluation": "basic"})
    again = client.post("/portal/track/evaluate/", {"evaluation": "satisfied"})
    page = again.content.decode()
    assert again.status_code == 422
    assert '<p class="msg error" role="alert">您已评价过这份答复意见</p>' in page
    assert "errors-summary" not in page and "转到需要修改的内容" not in page


def test_an_invalid_post_to_a_form_not_on_the_page_has_no_link_to_it(client, replied):
    replied(deliver=False)  # the reply is not delivered: no evaluation form
    response = client.post("/portal/track/evaluate/", {})
    page = response.content.decode()
    assert response.status_code == 422
    assert '<p class="msg error" role="alert">请选择评价结果</p>' in page
    assert "转到需要修改的内容" not in page and "<h2>评价处理意见</h2>" not in page


def test_the_blank_forms_carry_no_error_marks(client, replied):
    replied()
    page = client.get("/portal/track/case/").content.decode()
    assert "aria-invalid" not in page and "errors-summary" not in page
    assert page.count("novalidate") == 3  # the server checks; the browser's required does not stand in
    assert '<label for="review_reasons">申请复查的理由</label>' in page
    assert '<label for="materials_text">补充的内容</label>' in page
    assert '<label for="materials_files">文件（选填）</label>' in page


def test_the_api_keeps_its_own_messages(client, replied):
    """The JSON API shares acting's checks, not the page's forms: its answers are as they were."""
    from xinfang.portal.api import SALT
    from xinfang.portal.models import Submission

    replied()
    from django.core import signing

    from xinfang.core import clock

    token = signing.dumps([Submission.objects.get().pk, clock.now().timestamp() + 600], salt=SALT)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = "/portal/api/portal/v1"
    empty = client.post(f"{api}/case/review", {"reasons": " "}, content_type="application/json", **auth)
    assert (empty.status_code, empty.json()) == (422, {"message": "请写明申请的理由"})
    unknown = client.post(f"{api}/case/evaluate", {"evaluation": "x"}, content_type="application/json", **auth)
    assert (unknown.status_code, unknown.json()) == (422, {"message": "请选择评价结果"})
    long = client.post(
        f"{api}/case/evaluate", {"evaluation": "basic", "comment": "好" * 600}, content_type="application/json", **auth
    )
    assert (long.status_code, long.json()) == (200, {"message": "已提交您的评价，谢谢"})
