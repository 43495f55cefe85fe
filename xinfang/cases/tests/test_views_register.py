"""Registration screen (/cases/new/): quick-create duplicates, which steps validate, nothing lost."""

from xinfang.cases.tests.test_views import html, reg_data
from xinfang.devdata.flow import make_petitioner, valid_id_number
from xinfang.petitioners.models import Petitioner


def test_quick_create_refuses_an_id_number_already_registered(cast, login):
    number = valid_id_number(birth="19800101")
    existing = make_petitioner(cast.registrar, name="钱一", id_number=number)
    client = login(cast.registrar)
    old_form = number[:6] + number[8:17]  # the legacy 15-digit form of the same number
    for typed in (number, old_form):
        data = reg_data([], do="", create_petitioner="1", new_name="钱一一", new_id_number=typed)
        body = html(client.post("/cases/new/", data))
        assert "该身份证号码已登记为信访人“钱一”" in body
        assert f'name="choose_duplicate" value="{existing.pk}"' in body  # offered to choose it
        assert "钱一一" in body and typed in body  # what was typed stays
    assert Petitioner.objects.count() == 1


def test_quick_create_ignores_a_duplicate_the_user_cannot_see(cast, login):
    number = valid_id_number(birth="19800101")
    make_petitioner(cast.other_registrar, name="外县人", id_number=number)
    client = login(cast.registrar)
    data = reg_data([], do="", create_petitioner="1", new_name="本县人", new_id_number=number)
    body = html(client.post("/cases/new/", data))
    assert "外县人" not in body
    assert Petitioner.objects.filter(name="本县人").exists()


def test_choosing_the_duplicate_selects_it_and_clears_the_quick_create(cast, login):
    number = valid_id_number(birth="19800101")
    existing = make_petitioner(cast.registrar, name="钱二", id_number=number)
    data = reg_data([], do="", choose_duplicate=str(existing.pk), new_name="钱二二", new_id_number=number)
    body = html(login(cast.registrar).post("/cases/new/", data))
    assert f'name="petitioner" value="{existing.pk}"' in body
    assert "钱二二" not in body


def test_steps_before_registering_do_not_flag_the_case_fields(cast, login):
    p = make_petitioner(cast.registrar, name="李四")
    client = login(cast.registrar)
    blank = {"summary": "", "content": "", "received_at": "", "category": ""}
    steps = [
        {"do": "lookup", "q": "李四"},
        {"do": "", "add_petitioner": str(p.pk)},
        {"do": "", "create_petitioner": "1", "new_name": "新人甲"},
    ]
    for step in steps:
        response = client.post("/cases/new/", reg_data([], **blank, **step))
        assert response.status_code == 200
        body = html(response)
        assert "必填" not in body and "请选择内容分类" not in body and 'class="error"' not in body, step
    # 检查 and 登记 do validate the case section.
    for do in ("check", "register"):
        body = html(client.post("/cases/new/", reg_data([p], **blank, do=do)))
        assert "必填" in body and 'class="error"' in body


def test_registering_without_a_petitioner_keeps_the_typed_quick_create_open(cast, login):
    number = valid_id_number(birth="19800101")
    data = reg_data([], new_name="未点新建的人", new_id_number=number, new_phone="13812345678", new_address="东岗镇")
    response = login(cast.registrar).post("/cases/new/", data)
    assert response.status_code == 422
    body = html(response)
    assert '<details class="quick-create" open>' in body
    for typed in ("未点新建的人", number, "13812345678", "东岗镇"):
        assert typed in body
    assert "新建并选择" in body and "请先点击" in body
    assert not Petitioner.objects.exists()
