"""A role that may not see personal data cannot learn a full ID or phone number by searching.

The attack that worked: read the masked number and the birth year on the
petitioner page (about 33 candidates left), then confirm each candidate by an
exact search. Now the birth year is not shown beside the masked number to
such roles, exact look-ups by number are reveal-class (roles that may
reveal, audited, rate-limited), and numbers never travel in URLs.
"""

import logging

import pytest

from xinfang.core.idnumbers import check_digit
from xinfang.devdata.flow import make_petitioner, valid_id_number
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def candidates(number: str) -> list[str]:
    """What the statistician could derive from 330781********123X and a birth year: every day of that year."""
    from datetime import date, timedelta

    region, year, tail = number[:6], int(number[6:10]), number[14:17]
    day, out = date(year, 1, 1), []
    while day.year == year:
        first17 = f"{region}{day:%Y%m%d}{tail}"
        if check_digit(first17) == number[-1]:
            out.append(first17 + number[-1])
        day += timedelta(days=1)
    return out


@pytest.fixture
def api_as(client):
    from xinfang.api.models import ApiToken

    def make(user):
        token = ApiToken.issue(user)[1]

        class Api:
            def post(self, url, body):
                return client.post(
                    url, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
                )

        return Api()

    return make


def test_the_statisticians_attack_confirms_nothing_and_leaves_a_record(cast, client, api_as):
    number = valid_id_number(birth="19800517")
    person = make_petitioner(cast.registrar, name="王秀兰", id_number=number, phones=["13812345678"])
    from xinfang.devdata.flow import register

    register(cast.registrar, petitioners=[(person, True)])  # the statistician (county scope) can open it
    client.force_login(cast.statistician)
    page = client.get(f"/petitioners/{person.pk}/").content.decode()
    assert person.id_masked in page and "1980" not in page and "出生年份" not in page
    guesses = candidates(number)
    assert number in guesses
    confirmed = []
    for guess in guesses[:40]:
        listed = client.post("/petitioners/", {"q": guess}).content.decode()
        if "王秀兰" in listed:
            confirmed.append(guess)
        assert "按身份证号码或电话号码查找仅限可查看个人信息的角色（登记员、受理交办员、承办人、负责人）" in listed
    api = api_as(cast.statistician)
    refused = api.post("/api/v1/petitioners/search", {"q": number})
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert api.post("/api/v1/cases/lookup", {"number": number}).status_code == 403
    assert "按号码查找" not in client.get("/cases/?tab=search").content.decode()
    phone = client.post("/petitioners/", {"q": "13812345678"}).content.decode()
    assert "王秀兰" not in phone
    assert confirmed == []
    # Nothing was looked up, so nothing was recorded as a look-up; the refusals left no reveal either.
    assert not AuditEvent.objects.filter(actor=cast.statistician, action=AuditAction.REVEAL).exists()


def test_each_look_up_by_number_is_audited_with_a_hash_prefix_and_its_purpose(cast, client):
    number = valid_id_number()
    make_petitioner(cast.registrar, name="刘一", id_number=number)
    client.force_login(cast.registrar)
    assert "刘一" in client.post("/petitioners/", {"q": number}).content.decode()
    event = AuditEvent.objects.get(actor=cast.registrar, action=AuditAction.REVEAL)
    assert event.target == "按号码查找：信访人查询" and event.reason == "信访人查询"
    assert event.detail.startswith("按身份证号码精确查找（号码摘要 ") and number not in event.detail


def test_look_ups_by_number_are_limited_per_user_per_hour(cast, client, settings):
    settings.NUMBER_LOOKUPS_PER_HOUR = 3
    number = valid_id_number()
    make_petitioner(cast.registrar, name="陈二", id_number=number)
    client.force_login(cast.registrar)
    for _ in range(3):
        assert "陈二" in client.post("/petitioners/", {"q": number}).content.decode()
    fourth = client.post("/petitioners/", {"q": number}).content.decode()
    assert "按号码查找过于频繁：每小时最多3次，请稍后再试" in fourth and "陈二" not in fourth
    # Other searches are not limited, and another user has their own allowance.
    assert "陈二" in client.post("/petitioners/", {"q": "陈二"}).content.decode()
    client.force_login(cast.officer)
    assert "陈二" in client.post("/petitioners/", {"q": number}).content.decode()


def test_a_number_never_reaches_the_logs(cast, client, caplog):
    number = valid_id_number()
    make_petitioner(cast.registrar, name="赵三", id_number=number)
    client.force_login(cast.registrar)
    with caplog.at_level(logging.DEBUG):
        client.post("/petitioners/", {"q": number})
        client.post("/cases/", {"person_number": number})
        client.get("/petitioners/", {"q": number})  # refused: numbers are not looked up from URLs
    access = [r.getMessage() for r in caplog.records if r.name == "xinfang.access"]
    # The access log's format: method, path, status, time, who; never the query string.
    assert len(access) == 3
    assert access[0].startswith("POST /petitioners/ 200 ") and access[0].endswith(f" user={cast.registrar.pk}")
    assert access[2].startswith("GET /petitioners/ 200 ")
    for entry in caplog.records:
        assert number not in entry.getMessage()
        assert number not in str(getattr(entry, "request", ""))


def test_a_petitioner_has_at_most_five_phone_numbers(cast, api_as, client):
    from xinfang.core.phones import PhoneError
    from xinfang.petitioners.services import register_petitioner

    six = [f"1381234{n:04d}" for n in range(6)]
    with pytest.raises(PhoneError) as exc:
        register_petitioner(actor=cast.registrar, kind="person", name="多号码", phones=six)
    assert exc.value.message == "联系电话最多登记5个（现为6个）"
    response = api_as(cast.registrar).post("/api/v1/petitioners", {"kind": "person", "name": "多号码", "phones": six})
    assert response.status_code == 422 and response.json()["message"] == "请求数据有误：“phones”不能超过5项"
