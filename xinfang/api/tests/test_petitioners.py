import pytest

from xinfang.core import clock
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import make_petitioner, valid_id_number
from xinfang.orgs.models import Role
from xinfang.petitioners.models import Petitioner

pytestmark = pytest.mark.django_db


def test_search_finds_by_full_id_number_and_returns_masked_values_only(cast, api_as):
    number = valid_id_number()
    p = make_petitioner(cast.registrar, name="钱七", id_number=number, phones=["13900001111"])
    api = api_as(cast.registrar)
    for response in (api.post("/api/v1/petitioners/search", {"q": number}),):
        body = response.json()
        assert response.status_code == 200 and body["kind"] == "id_number"
        assert [r["id"] for r in body["items"]] == [p.pk]
        text = response.content.decode()
        assert number not in text and "13900001111" not in text
        assert body["items"][0]["id_masked"] and body["items"][0]["phones"][0].count("*") >= 4
    assert api.get("/api/v1/petitioners", {"q": "钱七"}).json()["items"][0]["name"] == "钱七"
    # A number in the URL would sit in every access log: refused, and nothing is looked up.
    in_url = api.get("/api/v1/petitioners", {"q": number})
    assert in_url.status_code == 422
    assert in_url.json() == {
        "code": "invalid",
        "message": "身份证号码、电话号码不能放在网址中，请在查找框中输入后提交（POST）",
        "field": "q",
    }


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


def test_register_answers_200_with_the_record_already_registered_in_the_jurisdiction(cast, api_as):
    township_registrar = make_user("township_registrar", cast.township, Role.REGISTRAR)
    number = valid_id_number()
    existing = make_petitioner(township_registrar, name="吴十", id_number=number, phones=["13900002222"])
    api = api_as(cast.registrar)
    assert api.post("/api/v1/petitioners/search", {"q": number}).json()["items"] == []  # not in scope yet
    response = api.post("/api/v1/petitioners", {"name": "吴拾", "id_number": number, "phones": ["13900003333"]})
    body = response.json()
    assert response.status_code == 200
    assert body["id"] == existing.pk and body["existing"] is True and body["name"] == "吴十"
    assert body["message"] == "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录，未重复登记"
    assert body["phones"] == ["139****2222"] and number not in response.content.decode()
    assert Petitioner.objects.count() == 1
    # The bureau may now use the record: find it, and register a case with it.
    assert [p["id"] for p in api.post("/api/v1/petitioners/search", {"q": number}).json()["items"]] == [existing.pk]
    case = {
        "petitioners": [{"id": existing.pk, "is_representative": True}],
        "channel": "visit",
        "received_at": clock.now().isoformat(),
        "kind": "claim",
        "summary": "反映征地补偿",
        "content": "内容",
        "category": "0101",
    }
    assert api.post("/api/v1/cases", case).status_code == 201
    again = api.post("/api/v1/petitioners", {"name": "吴十", "id_number": number})
    assert again.status_code == 200 and again.json()["id"] == existing.pk


def test_register_of_a_number_the_other_county_holds_creates_a_record(cast, api_as):
    number = valid_id_number()
    make_petitioner(cast.other_registrar, name="远山人", id_number=number)
    response = api_as(cast.registrar).post("/api/v1/petitioners", {"name": "本县人", "id_number": number})
    assert response.status_code == 201 and response.json()["existing"] is False
    assert response.json()["message"] == "已登记信访人" and "远山" not in response.content.decode()
    assert Petitioner.objects.count() == 2
