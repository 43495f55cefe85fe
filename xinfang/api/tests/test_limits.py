"""No input makes the API answer 500: ids beyond 2^63, far dates, NUL characters, large or
crowded requests, ids that are not integers. Each is a 4xx with a Chinese JSON message."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.cases.models import HandlingStep
from xinfang.devdata.flow import Flow, make_petitioner

pytestmark = pytest.mark.django_db

BIG = 2**63  # one past a BigAutoField's top
NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权查看", "field": None}


@pytest.fixture
def officer_api(api_as, cast):
    return api_as(cast.officer)


def registration(petitioner_id, **changes):
    body = {
        "petitioners": [{"id": petitioner_id, "is_representative": True}],
        "channel": "visit",
        "received_at": "2025-03-01T09:30:00+08:00",
        "kind": "claim",
        "summary": "反映征地补偿款未发放",
        "content": "信访人反映其承包地被征收后补偿款至今未发放到位。",
        "category": "0101",
    }
    body.update(changes)
    return body


def refused(response, field, message):
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"], body["message"]) == ("validation_error", field, message)


# ---------------------------------------------------------------- integers beyond 2^63


def test_a_case_id_beyond_the_largest_is_not_found(officer_api):
    for url in (f"/api/v1/cases/{BIG}", f"/api/v1/cases/{BIG}/events", "/api/v1/cases/0/deadlines"):
        response = officer_api.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url


def test_an_action_on_a_case_id_beyond_the_largest_is_not_found(officer_api, cast):
    response = officer_api.post(f"/api/v1/cases/{BIG}/assign", {"lead_org_id": cast.dept.pk})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_list_refuses_an_offset_beyond_its_limit(officer_api):
    refused(officer_api.get("/api/v1/cases", {"offset": BIG}), "offset", "请求数据有误：“offset”不能大于1000000000")


def test_the_list_refuses_an_org_id_beyond_the_largest(officer_api):
    refused(
        officer_api.get("/api/v1/cases", {"current_org": BIG}),
        "current_org",
        "请求数据有误：“current_org”不能大于9223372036854775807",
    )


def test_registration_refuses_a_petitioner_id_beyond_the_largest(officer_api):
    refused(
        officer_api.post("/api/v1/cases", registration(BIG)),
        "petitioners.0.id",
        "请求数据有误：“petitioners.0.id”不能大于9223372036854775807",
    )


def test_an_action_refuses_an_org_id_beyond_the_largest(officer_api, cast):
    case = Flow(cast).register()
    response = officer_api.post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk, "co_org_ids": [BIG]})
    refused(response, "co_org_ids.0", "请求数据有误：“co_org_ids.0”不能大于9223372036854775807")


def test_an_action_refuses_a_version_beyond_the_largest(officer_api, cast):
    case = Flow(cast).register()
    response = officer_api.post(
        f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk, "expected_version": BIG}
    )
    refused(response, "expected_version", "请求数据有误：“expected_version”不能大于2147483647")


# ---------------------------------------------------------------- dates in year 1 and 9999


@pytest.mark.parametrize(
    "received_at", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00"]
)
def test_registration_refuses_a_moment_outside_the_years_it_keeps(officer_api, cast, received_at):
    petitioner = make_petitioner(cast.registrar)
    refused(
        officer_api.post("/api/v1/cases", registration(petitioner.pk, received_at=received_at)),
        "received_at",
        "请求数据有误：“received_at”须在1900-01-01至2099-12-31之间",
    )


def test_the_list_refuses_a_date_given_as_a_number(officer_api):
    refused(
        officer_api.get("/api/v1/cases", {"received_to": "0"}),
        "received_to",
        "请求数据有误：“received_to”须为日期（如 2025-03-01）",
    )


def test_the_list_refuses_a_day_outside_the_years_it_keeps(officer_api):
    refused(
        officer_api.get("/api/v1/cases", {"received_from": "0001-01-01"}),
        "received_from",
        "请求数据有误：“received_from”须在1900-01-01至2099-12-31之间",
    )


def test_a_step_without_its_day_happened_today(api_as, cast, clock):
    clock.set(date(2025, 3, 10))
    case = Flow(cast).handling()
    response = api_as(cast.handler).post(
        f"/api/v1/cases/{case.pk}/steps", {"kind": "investigation", "happened_on": None, "description": "实地走访"}
    )
    assert response.status_code == 200, response.content
    assert str(HandlingStep.objects.get(case=case).happened_on) == "2025-03-10"


# ---------------------------------------------------------------- NUL characters (refused on both databases)


def test_registration_refuses_text_with_a_nul_character(officer_api, cast):
    petitioner = make_petitioner(cast.registrar)
    refused(
        officer_api.post("/api/v1/cases", registration(petitioner.pk, summary="反映\x00补偿")),
        "summary",
        "请求数据有误：“summary”不能包含空字符（U+0000）",
    )


def test_a_nul_character_in_a_list_is_named_by_its_place(officer_api):
    refused(
        officer_api.post("/api/v1/petitioners", {"name": "李四", "phones": ["13812345678", "1\x00"]}),
        "phones.1",
        "请求数据有误：“phones.1”不能包含空字符（U+0000）",
    )


def test_an_action_refuses_a_note_with_a_nul_character(officer_api, cast):
    case = Flow(cast).register()
    response = officer_api.post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk, "note": "请\x00办理"})
    refused(response, "note", "请求数据有误：“note”不能包含空字符（U+0000）")


@pytest.mark.parametrize("url", ["/api/v1/cases?q=%E5%BC%A0%00", "/api/v1/petitioners?q=%E5%BC%A0%00"])
def test_a_search_refuses_a_nul_character(officer_api, url):
    refused(officer_api.get(url), "q", "请求数据有误：“q”不能包含空字符（U+0000）")


def test_a_number_look_up_refuses_a_nul_character(officer_api):
    refused(
        officer_api.post("/api/v1/cases/lookup", {"number": "1381234\x005678"}),
        "number",
        "请求数据有误：“number”不能包含空字符（U+0000）",
    )


# ---------------------------------------------------------------- size and count limits


def test_a_body_over_the_size_limit_is_a_chinese_400(officer_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = officer_api.post("/api/v1/petitioners", {"name": "李四", "address": "某" * 2000})
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "请求内容过大：除上传的文件外不能超过2 KB",
        "field": None,
    }


def test_an_upload_of_more_files_than_allowed_is_a_chinese_400(client, cast, token_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    case = Flow(cast).handling()
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf") for n in range(3)]
    response = client.post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"files": files},
        headers={"Authorization": f"Bearer {token_for(cast.handler)}"},
    )
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "一次上传的文件过多：每次最多2个", "field": None}
    assert not case.attachments.exists()


def test_a_query_with_more_fields_than_allowed_is_a_chinese_400(officer_api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = officer_api.get("/api/v1/cases?" + "&".join(f"status=registered&x{n}=1" for n in range(5)))
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求包含的字段过多：最多5个", "field": None}


# ---------------------------------------------------------------- what no operation matches


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/abc", "/api/v1/cases/1.5/events", "/api/v1/cases/-1", "/api/v1/nowhere"]
)
def test_a_path_that_names_no_operation_is_a_json_404(officer_api, url):
    response = officer_api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == NOT_FOUND


def test_a_post_to_a_non_integer_case_id_is_a_json_404(officer_api, cast):
    response = officer_api.post("/api/v1/cases/abc/assign", {"lead_org_id": cast.dept.pk})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# ---------------------------------------------------------------- what the rules, not the schema, refuse


def test_a_petitioner_listed_twice_is_registered_once(officer_api, cast):
    petitioner = make_petitioner(cast.registrar)
    link = {"id": petitioner.pk, "is_representative": False}
    body = registration(petitioner.pk, petitioners=[link, {**link, "is_representative": True}])
    response = officer_api.post("/api/v1/cases", body)
    assert response.status_code == 201, response.content
    assert [(p["id"], p["is_representative"]) for p in response.json()["case"]["petitioners"]] == [
        (petitioner.pk, True)
    ]


def test_the_petitioner_search_refuses_an_empty_query(officer_api):
    refused(officer_api.post("/api/v1/petitioners/search", {"q": ""}), "q", "请求数据有误：“q”不能少于1个字符")


# ---------------------------------------------------------------- the document states every limit


def _request_schemas(doc):
    """Every schema a client sends: parameters and request bodies, with their names."""
    components = doc["components"]["schemas"]

    def resolve(schema):
        while "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def walk(name, schema, required):
        schema = resolve(schema)
        for alt in schema.get("anyOf", []):
            if resolve(alt).get("type") != "null":
                yield from walk(name, alt, required)
        if schema.get("type") == "object":
            for prop, sub in schema.get("properties", {}).items():
                yield from walk(f"{name}.{prop}", sub, prop in schema.get("required", []))
        elif schema.get("type") == "array":
            yield name, schema, required
            yield from walk(f"{name}[]", schema["items"], True)
        elif "type" in schema:
            yield name, schema, required

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                yield from walk(f"{where} {param['name']}", param["schema"], param.get("required", False))
            for content in op.get("requestBody", {}).get("content", {}).values():
                yield from walk(f"{where} body", content["schema"], True)


def test_the_document_states_a_limit_for_every_value_a_client_sends(officer_api):
    doc = officer_api.get("/api/v1/openapi.json").json()
    missing = []
    for name, schema, required in _request_schemas(doc):
        kind = schema["type"]
        if kind == "integer" and not ("minimum" in schema and "maximum" in schema):
            missing.append(f"{name}: integer without minimum and maximum")
        if kind == "array" and "maxItems" not in schema:
            missing.append(f"{name}: list without maxItems")
        if kind == "string" and "enum" not in schema and schema.get("format") not in ("date", "date-time", "binary"):
            if "maxLength" not in schema:
                missing.append(f"{name}: text without maxLength")
            if required and not schema.get("minLength"):
                missing.append(f"{name}: required text without minLength")
        limits = (schema.get("formatMinimum"), schema.get("formatMaximum"))
        if (
            kind == "string"
            and schema.get("format") in ("date", "date-time")
            and limits != ("1900-01-01", "2099-12-31")
        ):
            missing.append(f"{name}: date without its range")
    assert missing == []


def test_every_operation_documents_the_errors_it_can_answer(officer_api):
    doc = officer_api.get("/api/v1/openapi.json").json()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert {"400", "401", "403", "404", "422"} <= set(op["responses"]), f"{method} {path}"


def test_a_validation_error_is_documented_with_its_list(officer_api):
    doc = officer_api.get("/api/v1/openapi.json").json()
    error = doc["components"]["schemas"]["ErrorOut"]["properties"]
    assert set(error) == {"code", "message", "field", "errors"}
    assert json.dumps(doc).count("FieldErrorOut") >= 2


# ---------------------------------------------------------------- the screen's rules


def test_the_api_refuses_what_the_registration_screen_refuses(officer_api, cast):
    """No category, no content: refused by the action, so on both surfaces (the document caps the length)."""
    petitioner = make_petitioner(cast.officer, name="赵六")
    cases = [
        ({"category": None}, "category", "请选择内容分类"),
        ({"content": ""}, "content", "请填写信访内容"),
    ]
    for changes, field, message in cases:
        body = {**registration(petitioner.pk), **changes}
        response = officer_api.post("/api/v1/cases", body)
        assert response.status_code == 422, response.content
        assert (response.json()["field"], response.json()["message"]) == (field, message)


def test_a_reversed_date_range_is_refused_at_its_end(officer_api):
    response = officer_api.get("/api/v1/cases?received_from=2026-03-01&received_to=2026-01-01")
    assert response.status_code == 422
    body = response.json()
    assert (body["field"], body["message"]) == ("received_to", "收件日期的截止日早于起始日，请检查")
