"""The petitioner screens, called through their literal URLs."""

import ast
import re
from pathlib import Path

import pytest

from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.petitioners.models import Petitioner
from xinfang.petitioners.tests.conftest import VECTOR_ID, VECTOR_ID_15

pytestmark = pytest.mark.django_db

PERSON = {
    "kind": "person",
    "name": "李秀英",
    "id_number": VECTOR_ID,
    "phone_1": "138 1234 5678",
    "phone_2": "",
    "phone_3": "",
    "address": "清河县东岗镇前村8号",
    "division_code": "330781101201",
    "uscc": "",
    "legal_representative": "",
}


def html(response) -> str:
    return response.content.decode()


def field(response, name: str) -> str:
    """The HTML of one form field's block (label, input, errors, help)."""
    page = html(response)
    start = page.index(f'id="field-{name}"')
    end = page.find('id="field-', start + 1)
    return page[start : end if end != -1 else len(page)]


def results(response) -> str:
    """The results block of the list page (the search box echoes the query)."""
    page = html(response)
    return page[page.index('id="results"') :]


# --- list and search -----------------------------------------------------------


def test_the_list_shows_masked_values_only(login, cast, ours):
    response = login(cast.registrar).get("/petitioners/")
    assert response.status_code == 200
    page = html(response)
    assert "李秀英" in page and "110105********002X" in page and "138****5678" in page
    assert VECTOR_ID not in page and "13812345678" not in page
    assert f'data-petitioner-id="{ours.pk}"' in page


def test_the_list_query_count_does_not_grow_with_rows(login, cast, make_petitioner, django_assert_max_num_queries):
    client = login(cast.registrar)
    for i in range(25):
        make_petitioner(cast.registrar, f"吴{i}", phones=[f"1381234{i:04d}"])
    with django_assert_max_num_queries(10):  # 9, and the navigation's unread-notification count
        response = client.get("/petitioners/")
    assert "第 1 / 2 页" in html(response)
    assert "吴" in html(client.get("/petitioners/?page=2"))


def test_it_searches_by_id_number_by_post_never_from_the_url(login, cast, ours, make_petitioner):
    make_petitioner(cast.registrar, "其他人")
    client = login(cast.registrar)
    for q in (VECTOR_ID_15, VECTOR_ID):
        page = results(client.post("/petitioners/", {"q": q}))
        assert "李秀英" in page and "其他人" not in page and "按身份证号码精确查找" in page
    page = results(client.get("/petitioners/", {"q": VECTOR_ID}))
    assert "身份证号码、电话号码不能放在网址中，请在查找框中输入后提交（POST）" in page and "李秀英" not in page


def test_it_searches_by_phone(login, cast, ours, make_petitioner):
    make_petitioner(cast.registrar, "其他人", phones=["13900002222"])
    page = results(login(cast.registrar).post("/petitioners/", {"q": "138-1234-5678"}))
    assert "李秀英" in page and "其他人" not in page


def test_an_htmx_search_returns_the_results_fragment_and_keeps_numbers_out_of_history(login, cast, ours):
    client = login(cast.registrar)
    response = client.post("/petitioners/", {"q": VECTOR_ID}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(response) and 'id="results"' in html(response)
    assert response.headers["HX-Push-Url"] == "false"
    response = client.post("/petitioners/", {"q": "李秀"}, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Push-Url"].startswith("/petitioners/?q=")
    assert "HX-Request" in response.headers["Vary"]


def test_the_other_countys_registrar_sees_none_of_ours_in_search(login, cast, ours, theirs):
    client = login(cast.other_registrar)
    for q in ("", "李秀英", VECTOR_ID, "13812345678"):
        page = results(client.post("/petitioners/", {"q": q}))
        assert "李秀英" not in page and "110105********002X" not in page
    assert "王远山" in html(client.get("/petitioners/"))


# --- detail and reveal -------------------------------------------------------


def test_the_detail_page_shows_masked_values_and_the_reveal_form(login, cast, ours):
    page = html(login(cast.registrar).get(f"/petitioners/{ours.pk}/"))
    assert "110105********002X" in page and "138****5678" in page and "女" in page and "1949" in page
    assert VECTOR_ID not in page
    assert "查看完整信息" in page and f'action="/petitioners/{ours.pk}/reveal/"' in page


def test_the_reveal_form_is_not_offered_to_a_statistician(login, cast, ours):
    response = login(cast.statistician).get(f"/petitioners/{ours.pk}/")
    assert response.status_code == 200  # the bureau's statistician may read, masked
    assert "查看完整信息" not in html(response)


def test_the_other_countys_registrar_gets_404_on_our_detail_page(login, cast, ours):
    client = login(cast.other_registrar)
    assert client.get(f"/petitioners/{ours.pk}/").status_code == 404
    assert client.get("/petitioners/999999/").status_code == 404
    assert client.post(f"/petitioners/{ours.pk}/reveal/", {"reason": "核实"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_registrar_reveals_with_a_reason_and_it_is_logged(login, cast, ours):
    response = login(cast.registrar).post(f"/petitioners/{ours.pk}/reveal/", {"reason": "电话回访核实"})
    page = html(response)
    assert response.status_code == 200
    assert VECTOR_ID in page and "13812345678" in page and "已记入安全审计日志" in page
    assert "no-store" in response.headers["Cache-Control"]
    events = AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=cast.registrar)
    assert events.count() == 2 and {e.reason for e in events} == {"电话回访核实"}


def test_reveal_by_htmx_swaps_just_the_identity_card(login, cast, ours):
    response = login(cast.registrar).post(
        f"/petitioners/{ours.pk}/reveal/", {"reason": "核实身份"}, HTTP_HX_REQUEST="true"
    )
    page = html(response)
    assert 'id="pii"' in page and "<html" not in page
    assert VECTOR_ID in page


def test_reveal_without_a_reason_shows_an_error_and_logs_nothing(login, cast, ours):
    page = html(login(cast.registrar).post(f"/petitioners/{ours.pk}/reveal/", {"reason": "  "}))
    assert "请填写查看完整信息的事由" in page and VECTOR_ID not in page
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_statistician_is_refused_reveal(login, cast, ours):
    response = login(cast.statistician).post(f"/petitioners/{ours.pk}/reveal/", {"reason": "统计"})
    assert response.status_code == 403
    assert VECTOR_ID not in html(response)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


# --- create ------------------------------------------------------------------


def test_a_registrar_registers_a_person(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", PERSON, follow=True)
    petitioner = Petitioner.objects.get()
    assert response.redirect_chain[-1][0] == f"/petitioners/{petitioner.pk}/"
    assert "已登记信访人：李秀英" in html(response)
    assert petitioner.org == cast.bureau and petitioner.created_by == cast.registrar
    assert petitioner.id_masked == "110105********002X" and petitioner.birth_year == 1949
    assert [p.masked for p in petitioner.phones.all()] == ["138****5678"]
    assert petitioner.division_code == "330781101201"


def test_a_15_digit_number_is_converted_on_registration(login, cast):
    login(cast.registrar).post("/petitioners/new/", {**PERSON, "id_number": VECTOR_ID_15})
    assert Petitioner.objects.get().decrypt_id_number() == VECTOR_ID


def test_a_bad_id_number_is_explained_at_the_field_and_nothing_typed_is_lost(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "id_number": "110105194912310021"})
    assert response.status_code == 200
    assert not Petitioner.objects.exists()
    assert "身份证号码校验位错误，请核对" in field(response, "id_number")
    assert 'aria-invalid="true"' in field(response, "id_number")
    page = html(response)
    for kept in ("李秀英", "110105194912310021", "138 1234 5678", "清河县东岗镇前村8号", "330781101201"):
        assert f'value="{kept}"' in page, kept


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491331002X", "出生日期无效"),
        ("1101051949123100", "应为18位"),
        ("99010519491231002X", "省级行政区划代码"),
    ],
)
def test_each_id_number_rule_has_its_own_chinese_message(login, cast, raw, message):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "id_number": raw})
    assert message in field(response, "id_number")


def test_a_bad_phone_is_explained_at_its_field(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "phone_2": "8765-43"})
    assert "请输入有效的手机号码或带区号的固定电话" in field(response, "phone_2")
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "phone_3": "1381234567"})
    assert "手机号码应为11位" in field(response, "phone_3")
    assert "errorlist" not in field(response, "id_number")
    assert f'value="{VECTOR_ID}"' in html(response)
    assert not Petitioner.objects.exists()


def test_a_missing_name_is_explained_in_chinese(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "name": " "})
    assert "请填写信访人姓名或单位名称" in field(response, "name")


def test_a_uscc_checksum_failure_warns_but_saves(login, cast):
    data = {
        **PERSON,
        "kind": "organisation",
        "name": "示例建材公司",
        "id_number": "",
        "uscc": "91350100M000100Y44",
        "legal_representative": "赵六",
    }
    response = login(cast.registrar).post("/petitioners/new/", data, follow=True)
    petitioner = Petitioner.objects.get()
    assert petitioner.uscc == "91350100M000100Y44" and not petitioner.uscc_checksum_ok
    page = html(response)
    assert "统一社会信用代码校验位不符" in page and "校验位不符，请核对" in page


def test_a_malformed_uscc_is_an_error(login, cast):
    data = {**PERSON, "kind": "organisation", "id_number": "", "uscc": "91350100M0001"}
    response = login(cast.registrar).post("/petitioners/new/", data)
    assert "统一社会信用代码应为18位" in field(response, "uscc")


def test_fields_of_the_other_kind_are_refused_not_dropped(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "kind": "organisation"})
    assert "单位信访人不填写身份证号码" in field(response, "id_number")
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "legal_representative": "赵六"})
    assert "个人信访人不填写此项" in field(response, "legal_representative")
    assert not Petitioner.objects.exists()


def test_a_second_record_for_the_same_id_number_is_refused_with_a_link(login, cast, ours):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "id_number": VECTOR_ID_15})
    block = field(response, "id_number")
    assert "该身份证号码已登记过信访人" in block and f'href="/petitioners/{ours.pk}/"' in block
    assert Petitioner.objects.count() == 1


def test_the_other_county_may_register_the_same_person_without_learning_of_ours(login, cast, ours):
    response = login(cast.other_registrar).post("/petitioners/new/", PERSON)
    assert response.status_code == 302
    assert Petitioner.objects.count() == 2


def test_the_create_form_has_the_live_id_check(login, cast):
    page = html(login(cast.registrar).get("/petitioners/new/"))
    assert 'hx-post="/petitioners/validate-id/"' in page and 'hx-target="#id_number-check"' in page


def test_staff_who_do_not_register_cannot_open_the_form(login, cast):
    assert login(cast.statistician).get("/petitioners/new/").status_code == 403
    assert login(cast.statistician).post("/petitioners/new/", PERSON).status_code == 403
    assert not Petitioner.objects.exists()


# --- live ID check -------------------------------------------------------------


def test_validate_id_confirms_a_valid_number(login, cast):
    page = html(login(cast.registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}))
    assert "号码有效" in page and "1949-12-31" in page and "女" in page and "<html" not in page


def test_validate_id_converts_a_15_digit_number(login, cast):
    page = html(login(cast.registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID_15}))
    assert "15 位旧号码将保存为 18 位" in page and VECTOR_ID in page


def test_validate_id_explains_an_invalid_number(login, cast):
    page = html(login(cast.registrar).post("/petitioners/validate-id/", {"id_number": "110105194912310021"}))
    assert "身份证号码校验位错误，请核对" in page


def test_validate_id_points_at_an_existing_record(login, cast, ours):
    page = html(login(cast.registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}))
    assert f'href="/petitioners/{ours.pk}/"' in page
    page = html(login(cast.other_registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}))
    assert "已登记" not in page


def test_validate_id_is_for_registering_staff_only(login, cast):
    assert login(cast.statistician).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}).status_code == 403
    assert login(cast.registrar).get("/petitioners/validate-id/").status_code == 405


# --- lookup fragment -------------------------------------------------------------


def test_lookup_returns_rows_with_ids_and_masked_values(login, cast, ours):
    client = login(cast.registrar)
    by_name = client.get("/petitioners/lookup/", {"q": "李"})
    for response in (by_name, client.post("/petitioners/lookup/", {"q": VECTOR_ID})):
        page = html(response)
        assert "<html" not in page
        assert f'data-petitioner-id="{ours.pk}"' in page
        assert 'data-petitioner-label="李秀英（110105********002X）"' in page
        assert "138****5678" in page and VECTOR_ID not in page


def test_lookup_of_the_other_county_finds_nothing(login, cast, ours):
    page = html(login(cast.other_registrar).get("/petitioners/lookup/", {"q": "李秀英"}))
    assert "data-petitioner-id" not in page and "没有找到" in page


def test_lookup_without_a_query_explains_what_to_type(login, cast, ours):
    page = html(login(cast.registrar).get("/petitioners/lookup/"))
    assert "data-petitioner-id" not in page and "输入姓名" in page


# --- guards ------------------------------------------------------------------------

APP = Path(__file__).resolve().parent.parent


def test_views_go_through_the_access_layer():
    """No model manager and no decryption in views: only the access layer reads."""
    tree = ast.parse((APP / "views.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("objects", "_default_manager"), ast.unparse(node)
            assert "decrypt" not in node.attr, ast.unparse(node)
        if isinstance(node, ast.ImportFrom) and node.module == "xinfang.petitioners.models":
            raise AssertionError("views must not import the models")


def test_templates_have_no_inline_script_or_style_for_the_csp():
    for template in (APP / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text and "<style" not in text, template
        assert not re.search(r"\sstyle=|\son[a-z]+=|hx-on", text), template


def test_every_form_leaves_validation_to_the_server():
    """The browser's own validation speaks the browser's language; ours answers in Chinese at the field."""
    for template in (APP / "templates").rglob("*.html"):
        for tag in re.findall(r"<form\b[^>]*>", template.read_text()):
            assert "novalidate" in tag, f"{template.name}: {tag}"


def test_a_missing_kind_is_explained_in_chinese(login, cast):
    response = login(cast.registrar).post("/petitioners/new/", {**PERSON, "kind": ""})
    assert "请选择信访人类型" in field(response, "kind")
    assert not Petitioner.objects.exists()


def test_an_over_long_value_is_refused_at_its_field_not_cut_by_the_browser(login, cast, ours):
    client = login(cast.registrar)
    assert "maxlength" not in html(client.get("/petitioners/new/"))
    assert "maxlength" not in html(client.get(f"/petitioners/{ours.pk}/"))  # the reveal reason
    response = client.post("/petitioners/new/", {**PERSON, "id_number": "", "address": "村" * 201})
    assert "不能超过 200 个字（现为 201 个）" in field(response, "address") and "村" * 201 in html(response)
    assert Petitioner.objects.count() == 1
