"""The pages answer in Chinese, never 500, to a request too large, too crowded or with a NUL
character, and to ids, page numbers and filters beyond 2^63 (xinfang.middleware.RequestLimitsMiddleware)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.devdata.flow import Flow, make_petitioner

pytestmark = pytest.mark.django_db

BIG = 2**63
NUL_REFUSED = "请求中含有空字符（U+0000），无法处理：请检查所填写的内容"


def refused_page(response, message):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert message in body and "请求有误，无法处理" in body
    assert "Bad Request" not in body


@pytest.mark.parametrize("url", ["/petitioners/?q=%E5%BC%A0%00", "/cases/?tab=search&q=%00"])
def test_a_search_with_a_nul_character_is_refused_in_chinese(login, cast, url):
    refused_page(login(cast.registrar).get(url), NUL_REFUSED)


def test_a_form_with_a_nul_character_is_refused_in_chinese(login, cast):
    case = Flow(cast).register()
    response = login(cast.officer).post(f"/cases/{case.pk}/act/assign/", {"org": cast.dept.pk, "note": "请\x00办理"})
    refused_page(response, NUL_REFUSED)
    case.refresh_from_db()
    assert case.status == "registered"


def test_a_form_over_the_size_limit_is_refused_in_chinese(login, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    petitioner = make_petitioner(cast.registrar)
    response = login(cast.registrar).post(f"/petitioners/{petitioner.pk}/contact/", {"address": "某" * 2000})
    refused_page(response, "请求内容过大：除上传的文件外不能超过2 KB")


def test_an_upload_of_more_files_than_allowed_is_refused_in_chinese(login, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    case = Flow(cast).handling()
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf") for n in range(3)]
    response = login(cast.handler).post(f"/cases/{case.pk}/attachments/", {"files": files})
    refused_page(response, "一次上传的文件过多：每次最多2个")
    assert not case.attachments.exists()


def test_a_query_with_too_many_fields_is_refused_in_chinese(login, cast, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = login(cast.registrar).get("/cases/?" + "&".join(f"x{n}=1" for n in range(6)))
    refused_page(response, "请求包含的字段过多：最多5个")


def test_the_limits_hold_before_login_too(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = client.post("/accounts/login/", {"username": "x" * 3000, "password": "x"})
    refused_page(response, "请求内容过大：除上传的文件外不能超过2 KB")


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/{BIG}/",
        f"/cases/{BIG}/print/",
        f"/cases/{BIG}/act/assign/",
        f"/cases/by-petitioner/{BIG}/",
        f"/petitioners/{BIG}/",
    ],
)
def test_an_id_beyond_the_largest_is_the_chinese_404(login, cast, url):
    response = login(cast.officer).get(url)
    assert response.status_code == 404
    assert "未找到该页面或信访件" in response.content.decode()


@pytest.mark.parametrize("query", [f"org={BIG}", f"page={BIG}", f"tab=search&org={BIG}&page={BIG}", f"category={BIG}"])
def test_a_filter_or_page_beyond_the_largest_still_lists(login, cast, query):
    Flow(cast).register()
    response = login(cast.officer).get(f"/cases/?{query}")
    assert response.status_code == 200


def test_an_attachment_id_beyond_the_largest_is_the_chinese_404(login, cast):
    case = Flow(cast).register()
    response = login(cast.officer).get(f"/cases/{case.pk}/attachments/{BIG}/")
    assert response.status_code == 404
    assert "未找到该页面或信访件" in response.content.decode()


def test_a_portal_request_is_refused_on_the_portals_own_page(client):
    response = client.post("/portal/write/", {"name": "张\x00三"})
    assert response.status_code == 400
    body = response.content.decode()
    assert NUL_REFUSED in body and '<a class="button" href="/portal/">返回首页</a>' in body
    assert "/cases/" not in body and "/accounts/" not in body and "信访业务管理系统" not in body
