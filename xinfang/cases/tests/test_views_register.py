"""Registration screen (/cases/new/): quick-create duplicates, which steps validate, nothing lost."""

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases.access import scoped_cases
from xinfang.cases.categories import SEED
from xinfang.cases.models import Category
from xinfang.cases.tests.test_views import BAD_ID, html, reg_data, subcategory
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import make_petitioner, register, valid_id_number
from xinfang.orgs.models import Role
from xinfang.petitioners.models import Petitioner
from xinfang.petitioners.services import register_or_reuse


def with_pending(body, data):
    """The form data plus the quick-created petitioners the page carries (hidden new_petitioner inputs)."""
    carried = [unescape(v) for v in re.findall(r'name="new_petitioner" value="([^"]*)"', body)]
    reps = re.findall(r'name="rep" value="(new-[^"]*)" checked', body)
    return {**data, "new_petitioner": carried, "rep": list(data.get("rep", [])) + reps}


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


def test_quick_create_ignores_a_duplicate_outside_the_jurisdiction(cast, login):
    number = valid_id_number(birth="19800101")
    make_petitioner(cast.other_registrar, name="外县人", id_number=number)
    client = login(cast.registrar)
    data = reg_data([], do="", create_petitioner="1", new_name="本县人", new_id_number=number)
    body = html(client.post("/cases/new/", data))
    assert "外县人" not in body and "远山" not in body and "将使用已有信访人记录" not in body
    assert "本县人" in body and 'name="new_petitioner"' in body
    response = client.post("/cases/new/", with_pending(body, reg_data([])))
    assert response.status_code == 302
    assert Petitioner.objects.filter(name="本县人").count() == 1


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
        assert "请选择内容分类" in body and "请填写信访内容" in body and 'class="error"' in body


def test_registering_without_a_petitioner_keeps_the_typed_quick_create_open(cast, login):
    number = valid_id_number(birth="19800101")
    data = reg_data([], new_name="未点新建的人", new_id_number=number, new_phone="13812345678", new_address="东岗镇")
    response = login(cast.registrar).post("/cases/new/", data)
    assert response.status_code == 422
    body = html(response)
    assert '<details class="quick-create" open>' in body
    for typed in ("未点新建的人", number, "13812345678", "东岗镇"):
        assert typed in body
    assert "下方“新建信访人”已填写但尚未加入：请点击“新建并选择”，或点击“清空”后再登记" in body
    assert not Petitioner.objects.exists()


# ---------------------------------------------------------------- quick-create saved with the case


def test_it_saves_a_quick_created_petitioner_only_with_the_case(cast, login):
    number = valid_id_number(birth="19800101")
    client = login(cast.registrar)
    data = reg_data([], do="", create_petitioner="1", new_name="钱三", new_id_number=number, new_phone="13812340000")
    body = html(client.post("/cases/new/", data))
    assert not Petitioner.objects.exists()  # leaving the screen now leaves nothing behind
    chosen = body[body.index('class="compact chosen"') :]
    assert "钱三" in chosen and "新建" in chosen and "登记信访件时一并保存" in chosen
    assert number not in re.sub(r'value="[^"]*"', "", chosen[: chosen.index("</table>")])  # shown masked
    assert 'name="rep" value="new-n1" checked' in body  # the first petitioner represents
    response = client.post("/cases/new/", with_pending(body, reg_data([])))
    assert response.status_code == 302
    petitioner = Petitioner.objects.get()
    assert (petitioner.name, petitioner.decrypt_id_number(), petitioner.created_by) == ("钱三", number, cast.registrar)
    assert [p.decrypt_number() for p in petitioner.phones.all()] == ["13812340000"]
    link = petitioner.case_links.get()
    assert link.is_representative and link.case.registered_by == cast.registrar


def test_it_checks_every_quick_create_field_in_one_submit(cast, login):
    data = reg_data([], do="", create_petitioner="1", new_name=" ", new_id_number=BAD_ID, new_phone="12345")
    body = html(login(cast.registrar).post("/cases/new/", data))
    assert "请填写信访人姓名" in body
    assert "身份证号码校验位错误，请核对" in body
    assert "手机号码应为11位" in body
    assert BAD_ID in body and "12345" in body
    assert 'name="new_petitioner"' not in body and not Petitioner.objects.exists()


def test_the_quick_create_name_carries_the_required_mark(cast, login):
    body = html(login(cast.registrar).get("/cases/new/"))
    assert '<label for="id_new_name">姓名 <span class="req" aria-hidden="true">*</span></label>' in body
    assert '<input type="text" name="new_name" aria-label="姓名" required id="id_new_name">' in body  # no maxlength
    assert '<label for="id_new_phone">联系电话</label>' in body


def test_a_refused_registration_saves_no_quick_created_petitioner(cast, login, monkeypatch):
    from xinfang.cases import views_register
    from xinfang.cases.errors import Invalid

    client = login(cast.registrar)
    body = html(client.post("/cases/new/", reg_data([], do="", create_petitioner="1", new_name="孙四")))

    def refuse(reg, **kwargs):
        assert reg.petitioners[0][0].pk is not None  # created in the same transaction
        raise Invalid("收件时间不能晚于当前时间", field="received_at")

    monkeypatch.setattr(views_register, "do_register", refuse)
    response = client.post("/cases/new/", with_pending(body, reg_data([])))
    assert response.status_code == 422 and "收件时间不能晚于当前时间" in html(response)
    assert "孙四" in html(response) and 'name="new_petitioner"' in html(response)  # still carried
    assert not Petitioner.objects.exists()


def test_removing_a_quick_created_petitioner_drops_it(cast, login):
    client = login(cast.registrar)
    body = html(client.post("/cases/new/", reg_data([], do="", create_petitioner="1", new_name="周五")))
    body = html(client.post("/cases/new/", with_pending(body, reg_data([], do="", remove_new="n1"))))
    assert "周五" not in body and 'name="new_petitioner"' not in body


def test_an_edited_carried_petitioner_is_dropped_not_trusted(cast, login):
    client = login(cast.registrar)
    tampered = '{"key": "n1", "name": "吴六", "id": "' + BAD_ID + '", "phone": "", "address": ""}'
    response = client.post("/cases/new/", reg_data([], new_petitioner=[tampered, "not json"]))
    assert response.status_code == 422 and "请至少选择或新建一名信访人" in html(response)
    assert not Petitioner.objects.exists()


def test_the_same_id_number_cannot_be_added_twice(cast, login):
    number = valid_id_number(birth="19800101")
    client = login(cast.registrar)
    body = html(
        client.post("/cases/new/", reg_data([], do="", create_petitioner="1", new_name="郑七", new_id_number=number))
    )
    again = reg_data([], do="", create_petitioner="1", new_name="郑七七", new_id_number=number)
    body = html(client.post("/cases/new/", with_pending(body, again)))
    assert "已加入相同身份证号码的信访人，请勿重复加入" in body
    assert body.count('name="new_petitioner"') == 1


def test_clear_empties_the_quick_create_section(cast, login):
    data = reg_data([], do="", clear_quick="1", new_name="王八", new_phone="13800000000", summary="已填摘要")
    body = html(login(cast.registrar).post("/cases/new/", data))
    assert "王八" not in body and "13800000000" not in body and "已填摘要" in body


# ---------------------------------------------------------------- one record per person in the jurisdiction


def test_it_uses_the_townships_record_for_the_same_id_number_and_finds_its_open_case(cast, login):
    township_registrar = make_user("township_registrar", cast.township, Role.REGISTRAR)
    number = valid_id_number(birth="19800101")
    existing = make_petitioner(township_registrar, name="冯九", id_number=number, phones=["13812349999"])
    earlier = register(township_registrar, petitioners=[(existing, True)], category=subcategory())
    client = login(cast.registrar)
    assert client.get(f"/petitioners/{existing.pk}/").status_code == 404
    live = html(client.post("/cases/new/check-id/", {"new_id_number": number}))
    assert "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录（冯*）" in live

    data = reg_data([], do="", create_petitioner="1", new_name="冯久", new_id_number=number)
    body = html(client.post("/cases/new/", data))
    assert "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录" in body
    chosen = body[body.index('class="compact chosen"') : body.index("</table>", body.index('class="compact chosen"'))]
    assert "冯*" in chosen and "已有记录" in chosen and "冯九" not in chosen  # masked until it is used
    assert "13812349999" not in body and "138****9999" not in body

    checked = html(client.post("/cases/new/", with_pending(body, reg_data([], do="check"))))
    # The person's open case at the township is found; its number is not shown (the bureau cannot open it).
    assert "该信访人在清河县东岗镇人民政府" in checked and "第十九条第三款" in checked
    assert earlier.number not in checked
    response = client.post("/cases/new/", with_pending(body, reg_data([], do="register_anyway")))
    assert response.status_code == 302
    assert Petitioner.objects.count() == 1
    case = scoped_cases(cast.registrar).get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert list(case.case_petitioners.values_list("petitioner", flat=True)) == [existing.pk]
    page = html(client.get(response["Location"]))
    assert "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录" in page
    assert client.get(f"/petitioners/{existing.pk}/").status_code == 200  # the bureau may use it from now on


# ---------------------------------------------------------------- earlier cases in the look-up


def test_the_lookup_shows_each_matchs_earlier_cases_counted_within_the_users_scope(cast, login):
    township_registrar = make_user("township_registrar", cast.township, Role.REGISTRAR)
    number = valid_id_number(birth="19800101")
    shared = make_petitioner(township_registrar, name="陈一", id_number=number)
    register(township_registrar, petitioners=[(shared, True)])  # not the bureau's to see
    register_or_reuse(actor=cast.registrar, kind="person", name="陈一", id_number=number)
    register(cast.registrar, petitioners=[(shared, True)])
    busy = make_petitioner(cast.registrar, name="陈二")
    for _ in range(2):
        register(cast.registrar, petitioners=[(busy, True)])
    make_petitioner(cast.registrar, name="陈三")
    client = login(cast.registrar)
    fragment = html(client.post("/cases/new/lookup/", {"q": "陈"}))
    full = html(client.post("/cases/new/", reg_data([], do="lookup", q="陈")))
    for page in (fragment, full):
        rows = {name: page[page.index(f"<td>{name}</td>") :].split("</tr>")[0] for name in ("陈一", "陈二", "陈三")}
        link = '<a href="/cases/by-petitioner/{}/" target="_blank" rel="noopener">既往信访件 {} 件</a>'
        assert link.format(shared.pk, 1) in rows["陈一"]
        assert link.format(busy.pk, 2) in rows["陈二"]
        assert "无既往信访件" in rows["陈三"]


def test_the_lookup_counts_cases_in_one_query_whatever_the_number_of_matches(cast, login, django_assert_num_queries):
    client = login(cast.registrar)
    p = make_petitioner(cast.registrar, name="林一")
    register(cast.registrar, petitioners=[(p, True)])
    client.post("/cases/new/lookup/", {"q": "林"})
    with CaptureQueriesContext(connection) as one:
        client.post("/cases/new/lookup/", {"q": "林"})
    for i in range(5):
        register(cast.registrar, petitioners=[(make_petitioner(cast.registrar, name=f"林{i}号"), True)])
    with django_assert_num_queries(len(one.captured_queries)):
        page = html(client.post("/cases/new/lookup/", {"q": "林"}))
    assert page.count("既往信访件 1 件") == 6


# ---------------------------------------------------------------- categories


def category_select(body) -> str:
    start = body.index('<select name="category"')
    return body[start : body.index("</select>", start)]


def test_the_categories_are_grouped_by_their_first_level(cast, login):
    urban = Category.objects.get(code="02")
    Category.objects.create(code="0199", name="老旧小区改造", parent=urban, sort=9)  # a code outside "02.."
    Category.objects.create(code="14", name="疫情防控", sort=50)  # a first level with no children yet
    select = category_select(html(login(cast.registrar).get("/cases/new/")))
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == [name for _code, name, _children in SEED]
    options = {label: re.findall(r"<option [^>]*>([^<]+)</option>", body) for label, body in groups}
    assert options["征地拆迁"] == ["征收补偿", "安置房建设与分配", "违法用地", "宅基地纠纷"]
    assert options["城乡建设"][-1] == "老旧小区改造"
    assert sum(len(v) for v in options.values()) == 49  # the 48 seeded, and the one added
    assert '">疫情防控</option>' in select.split("</optgroup>")[-1]


# ---------------------------------------------------------------- 内容摘要 length


def test_an_over_long_summary_is_refused_at_the_field_and_kept_whole(cast, login):
    p = make_petitioner(cast.registrar, name="秦一")
    client = login(cast.registrar)
    form = html(client.get("/cases/new/"))
    summary_input = re.search(r'<input type="text" name="summary"[^>]*>', form).group(0)
    assert "maxlength" not in summary_input  # the browser would cut the text without a word
    assert 'data-char-limit="200"' in summary_input and 'aria-describedby="summary-count"' in summary_input
    assert 'id="summary-count"' in form
    typed = "征" * 150 + "地" * 51
    response = client.post("/cases/new/", reg_data([p], summary=typed))
    assert response.status_code == 422
    body = html(response)
    assert "内容摘要不能超过 200 字（现为 201 字），请精简" in body
    assert f'value="{typed}"' in body
    assert client.post("/cases/new/", reg_data([p], summary=typed[:200])).status_code == 302


def test_other_registration_fields_are_refused_too_rather_than_cut(cast, login):
    p = make_petitioner(cast.registrar, name="秦二")
    client = login(cast.registrar)
    assert 'maxlength="100"' not in html(client.get("/cases/new/"))
    body = html(client.post("/cases/new/", reg_data([p], place_name="村" * 101)))
    assert "不能超过 100 个字（现为 101 个），请精简" in body and "村" * 101 in body


def test_required_case_fields_are_explained_by_the_server_in_chinese(cast, login):
    p = make_petitioner(cast.registrar, name="秦三")
    data = reg_data([p], received_at="", person_count="0", summary="", content="")
    body = html(login(cast.registrar).post("/cases/new/", data))
    for message in ("请填写收件时间", "人数至少为 1", "请填写内容摘要", "请填写信访内容"):
        assert message in body
    assert '<form method="post" enctype="multipart/form-data" class="register-form" novalidate>' in body


def test_searching_an_id_number_registered_elsewhere_in_the_jurisdiction_says_so_masked(cast, login):
    township_registrar = make_user("township_registrar", cast.township, Role.REGISTRAR)
    number = valid_id_number(birth="19800101")
    make_petitioner(township_registrar, name="何一", id_number=number, phones=["13812348888"])
    notice = "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录（何*）"
    for body in (
        html(login(cast.registrar).post("/cases/new/lookup/", {"q": number})),
        html(login(cast.registrar).post("/cases/new/", reg_data([], do="lookup", q=number))),
    ):
        assert notice in body and "何一" not in body and "8888" not in body
        assert 'name="add_petitioner"' not in body
    other = html(login(cast.other_registrar).post("/cases/new/lookup/", {"q": number}))
    assert "没有找到" in other and "东岗镇" not in other


def test_content_over_the_api_limit_is_refused_on_the_screen_too(cast, login):
    p = make_petitioner(cast.registrar, name="秦二")
    client = login(cast.registrar)
    response = client.post("/cases/new/", reg_data([p], content="字" * 20001))
    assert response.status_code == 422
    assert "信访内容不能超过 20000 字（现为 20001 字），请精简" in html(response)
    assert client.post("/cases/new/", reg_data([p], content="字" * 20000)).status_code == 302
