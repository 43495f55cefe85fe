"""Correcting a petitioner's address and phone numbers (/petitioners/<id>/contact/)."""

import pytest

from xinfang.orgs.models import AuditEvent
from xinfang.petitioners.models import Petitioner
from xinfang.petitioners.services import AUDIT_PETITIONER_CHANGE

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def phone_id(petitioner) -> int:
    return petitioner.phones.get().pk


def form_data(petitioner, **overrides):
    data = {"address": petitioner.address, "division_code": petitioner.division_code, "add_phone_1": "", "reason": ""}
    data.update(overrides)
    return data


def audit_events():
    return AuditEvent.objects.filter(action=AUDIT_PETITIONER_CHANGE)


def test_it_lets_a_registrar_correct_the_address_and_phones_and_logs_old_and_new_values(login, cast, ours):
    client = login(cast.registrar)
    page = html(client.get(f"/petitioners/{ours.pk}/"))
    assert f'href="/petitioners/{ours.pk}/contact/"' in page
    form = html(client.get(f"/petitioners/{ours.pk}/contact/"))
    assert "138****5678" in form and "13812345678" not in form and "清河县东岗镇前村8号" in form
    pid = phone_id(ours)
    data = form_data(
        ours,
        address="清河县东岗镇后村9号",
        **{f"phone_{pid}": "139 0000 1111"},
        add_phone_1="0571-87654321",
        reason="信访人来电告知新号码",
    )
    response = client.post(f"/petitioners/{ours.pk}/contact/", data)
    assert response.status_code == 302 and response["Location"] == f"/petitioners/{ours.pk}/"
    ours = Petitioner.objects.get(pk=ours.pk)
    assert ours.address == "清河县东岗镇后村9号"
    assert [p.decrypt_number() for p in ours.phones.all()] == ["13900001111", "0571-87654321"]
    event = audit_events().get()
    assert event.actor == cast.registrar and event.reason == "信访人来电告知新号码"
    assert event.target == f"信访人#{ours.pk} 李**"
    assert event.detail.splitlines() == [
        "住址：清河县东岗镇前村8号 → 清河县东岗镇后村9号",
        "联系电话：138****5678 → 139****1111",
        "联系电话：新增 0571-****4321",
    ]
    for full in ("13812345678", "13900001111", "87654321"):
        assert full not in event.detail
    page = html(client.get(f"/petitioners/{ours.pk}/"))
    assert "已更正信访人信息" in page and "139****1111" in page


def test_it_lets_a_petition_officer_delete_a_number(login, cast, ours):
    pid = phone_id(ours)
    response = login(cast.officer).post(f"/petitioners/{ours.pk}/contact/", form_data(ours, **{f"remove_{pid}": "on"}))
    assert response.status_code == 302
    assert not ours.phones.exists()
    assert audit_events().get().detail == "联系电话：删除 138****5678"


def test_it_explains_every_bad_number_at_its_field_in_one_submit_and_keeps_what_was_typed(login, cast, ours):
    pid = phone_id(ours)
    data = form_data(
        ours,
        address="新住址",
        division_code="33078",
        **{f"phone_{pid}": "12345"},
        add_phone_1="555",
        add_phone_2="13812345678",
    )
    response = login(cast.registrar).post(f"/petitioners/{ours.pk}/contact/", data)
    assert response.status_code == 422
    page = html(response)
    assert "手机号码应为11位" in page and "请输入有效的手机号码或带区号的固定电话" in page
    assert "行政区划代码应为 6、9 或 12 位数字" in page
    assert "该号码与信访人的其他号码重复" in page  # add_phone_2 is the stored number
    for typed in ("新住址", "33078", "12345", "555"):
        assert typed in page
    assert Petitioner.objects.get(pk=ours.pk).address == "清河县东岗镇前村8号"
    assert not audit_events().exists()


def test_it_refuses_deleting_and_replacing_the_same_number(login, cast, ours):
    pid = phone_id(ours)
    data = form_data(ours, **{f"phone_{pid}": "13900001111", f"remove_{pid}": "on"})
    response = login(cast.registrar).post(f"/petitioners/{ours.pk}/contact/", data)
    assert response.status_code == 422
    assert "该号码已勾选删除，请不要同时填写新号码" in html(response)
    assert ours.phones.get().masked == "138****5678"


def test_it_refuses_an_address_longer_than_the_field_with_a_message(login, cast, ours):
    response = login(cast.registrar).post(f"/petitioners/{ours.pk}/contact/", form_data(ours, address="村" * 201))
    assert response.status_code == 422
    assert "不能超过 200 个字（现为 201 个）" in html(response)


def test_it_saves_and_logs_nothing_when_nothing_changed(login, cast, ours):
    client = login(cast.registrar)
    response = client.post(f"/petitioners/{ours.pk}/contact/", form_data(ours), follow=True)
    assert "没有需要保存的更改" in html(response)
    assert not audit_events().exists()


def test_staff_who_do_not_register_may_not_correct(login, cast, ours):
    for user in (cast.statistician, cast.handler, cast.nobody):
        client = login(user)
        assert client.get(f"/petitioners/{ours.pk}/contact/").status_code == 403
        assert client.post(f"/petitioners/{ours.pk}/contact/", form_data(ours, address="x")).status_code == 403
    assert "更正住址和电话" not in html(login(cast.statistician).get(f"/petitioners/{ours.pk}/"))
    assert not audit_events().exists()


def test_the_other_countys_registrar_gets_404(login, cast, ours):
    client = login(cast.other_registrar)
    assert client.get(f"/petitioners/{ours.pk}/contact/").status_code == 404
    assert client.post(f"/petitioners/{ours.pk}/contact/", form_data(ours, address="x")).status_code == 404
    assert client.get("/petitioners/999999/contact/").status_code == 404
    assert Petitioner.objects.get(pk=ours.pk).address == "清河县东岗镇前村8号"
    assert not audit_events().exists()
