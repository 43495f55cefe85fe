import pytest

from xinfang.devdata.flow import make_petitioner, valid_id_number

pytestmark = pytest.mark.django_db


def test_search_finds_by_full_id_number_and_returns_masked_values_only(cast, api_as):
    number = valid_id_number()
    p = make_petitioner(cast.registrar, name="钱七", id_number=number, phones=["13900001111"])
    api = api_as(cast.registrar)
    for response in (
        api.get("/api/v1/petitioners", {"q": number}),
        api.post("/api/v1/petitioners/search", {"q": number}),
    ):
        body = response.json()
        assert response.status_code == 200 and body["kind"] == "id_number"
        assert [r["id"] for r in body["items"]] == [p.pk]
        text = response.content.decode()
        assert number not in text and "13900001111" not in text
        assert body["items"][0]["id_masked"] and body["items"][0]["phones"][0].count("*") >= 4
    assert api.get("/api/v1/petitioners", {"q": "钱七"}).json()["items"][0]["name"] == "钱七"


def test_search_never_leaves_the_callers_scope(cast, api_as):
    make_petitioner(cast.registrar, name="孙八")
    assert api_as(cast.other_registrar).get("/api/v1/petitioners", {"q": "孙八"}).json()["items"] == []
    assert api_as(cast.nobody).get("/api/v1/petitioners").json()["items"] == []


def test_register_petitioner_validates_the_id_number_and_the_role(cast, api_as):
    bad = api_as(cast.registrar).post("/api/v1/petitioners", {"name": "周九", "id_number": "330781198001010000"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid" and bad.json()["field"] == "id_number" and bad.json()["message"]
    denied = api_as(cast.handler).post("/api/v1/petitioners", {"name": "周九"})
    assert denied.status_code == 403 and denied.json()["code"] == "not_allowed"
    ok = api_as(cast.registrar).post("/api/v1/petitioners", {"name": "周九", "id_number": valid_id_number()})
    assert ok.status_code == 201 and ok.json()["org"]["id"] == cast.bureau.pk
