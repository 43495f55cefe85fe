"""One record per person in a jurisdiction: an ID number registered below is used, not registered again."""

import pytest

from xinfang.devdata.cast import make_user
from xinfang.orgs.models import Role
from xinfang.petitioners import crypto
from xinfang.petitioners.access import find_registered, scoped_petitioners
from xinfang.petitioners.models import Petitioner, PetitionerShare
from xinfang.petitioners.services import register_or_reuse
from xinfang.petitioners.tests.conftest import VECTOR_ID, VECTOR_ID_15
from xinfang.petitioners.tests.test_views import PERSON, html

pytestmark = pytest.mark.django_db

NOTICE = "该身份证号码已登记（清河县东岗镇人民政府），将使用已有信访人记录"


@pytest.fixture
def township_registrar(cast):
    return make_user("township_registrar", cast.township, Role.REGISTRAR)


@pytest.fixture
def townships(township_registrar, make_petitioner):
    """A person the township (under the county government) registered, with an ID number and a phone."""
    return make_petitioner(
        township_registrar, "李秀英", id_number=VECTOR_ID, phones=["138 1234 5678"], address="东岗镇前村8号"
    )


def test_the_county_bureau_cannot_see_the_townships_petitioner_until_it_registers_the_same_number(
    login, cast, townships
):
    client = login(cast.registrar)
    assert client.get(f"/petitioners/{townships.pk}/").status_code == 404
    response = client.post("/petitioners/new/", {**PERSON, "name": "李秀瑛", "id_number": VECTOR_ID_15}, follow=True)
    assert response.redirect_chain == [(f"/petitioners/{townships.pk}/", 302)]
    page = html(response)
    assert f"{NOTICE}，未重复登记" in page
    # The record is the township's, shown masked like any other.
    assert "李秀英" in page and "110105********002X" in page and "138****5678" in page
    assert VECTOR_ID not in page and "13812345678" not in page
    assert Petitioner.objects.count() == 1
    share = PetitionerShare.objects.get()
    assert (share.petitioner, share.org, share.created_by) == (townships, cast.bureau, cast.registrar)
    assert client.get(f"/petitioners/{townships.pk}/").status_code == 200


def test_it_says_which_typed_details_were_not_written_to_the_existing_record(login, cast, townships):
    data = {**PERSON, "phone_1": "13900001111", "phone_2": "13812345678", "address": "清河县城关镇"}
    page = html(login(cast.registrar).post("/petitioners/new/", data, follow=True))
    assert "您填写的联系电话 139****1111、住址未写入已有记录；如需更正，请点击“更正住址和电话”" in page
    assert list(townships.phones.values_list("masked", flat=True)) == ["138****5678"]
    assert Petitioner.objects.get().address == "东岗镇前村8号"


def test_a_department_of_the_county_uses_the_townships_record_too(cast, townships):
    outcome = register_or_reuse(actor=cast.dept_officer, kind="person", name="李秀英", id_number=VECTOR_ID)
    assert not outcome.created and outcome.petitioner == townships
    assert outcome.match.notice == NOTICE
    assert scoped_petitioners(cast.dept_officer).filter(pk=townships.pk).exists()
    assert Petitioner.objects.count() == 1


def test_the_other_county_registers_its_own_record_and_learns_nothing(login, cast, townships):
    page = html(login(cast.other_registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}))
    assert "已登记" not in page and "东岗镇" not in page
    response = login(cast.other_registrar).post("/petitioners/new/", PERSON, follow=True)
    assert "已登记信访人：李秀英" in html(response) and "东岗镇人民政府" not in html(response)
    assert Petitioner.objects.count() == 2
    assert not PetitionerShare.objects.exists()
    assert login(cast.other_registrar).get(f"/petitioners/{townships.pk}/").status_code == 404


def test_the_live_id_check_tells_the_bureau_before_it_submits_without_naming_the_person(login, cast, townships):
    page = html(login(cast.registrar).post("/petitioners/validate-id/", {"id_number": VECTOR_ID}))
    assert f"{NOTICE}（李**）" in page
    assert "李秀英" not in page and f"/petitioners/{townships.pk}/" not in page
    assert not PetitionerShare.objects.exists()  # checking shares nothing


def test_a_record_the_user_can_see_comes_first_and_is_not_shared(cast, township_registrar, make_petitioner):
    make_petitioner(township_registrar, "李一", id_number=VECTOR_ID)
    ours = make_petitioner(cast.registrar, "李二", id_number=VECTOR_ID)  # registered before this fix
    match = find_registered(cast.registrar, crypto.hash_value(VECTOR_ID))
    assert match.visible and match.petitioner == ours
    outcome = register_or_reuse(actor=cast.registrar, kind="person", name="李二", id_number=VECTOR_ID)
    assert outcome.petitioner == ours and not PetitionerShare.objects.exists()


def test_the_share_widens_the_bureaus_scope_only(cast, townships):
    register_or_reuse(actor=cast.registrar, kind="person", name="李秀英", id_number=VECTOR_ID)
    assert scoped_petitioners(cast.supervisor).filter(pk=townships.pk).exists()  # the bureau's subtree
    for user in (cast.other_registrar, cast.other_officer, cast.handler, cast.nobody):
        assert not scoped_petitioners(user).filter(pk=townships.pk).exists(), user


def test_the_admin_shows_which_orgs_use_the_record(login, cast, townships, django_user_model):
    register_or_reuse(actor=cast.registrar, kind="person", name="李秀英", id_number=VECTOR_ID)
    admin = django_user_model.objects.create_superuser("root", password="x", org=cast.county)
    from xinfang.orgs.models import RoleGrant

    RoleGrant.objects.create(user=admin, role="leader", scope="subtree")  # the admin lists what the grants allow
    page = html(login(admin).get(f"/admin/petitioners/petitioner/{townships.pk}/change/"))
    assert "共用单位" in page and "清河县信访局（registrar，" in page
