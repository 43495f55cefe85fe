"""The admin shows masked values only and cannot create or edit encrypted columns."""

import pytest

from xinfang.petitioners.tests.conftest import VECTOR_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(cast):
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    return cast.admin


def test_the_changelist_shows_masked_values(login, superuser, ours):
    page = login(superuser).get("/admin/petitioners/petitioner/").content.decode()
    assert "110105********002X" in page and "138****5678" in page
    assert VECTOR_ID not in page and "13812345678" not in page


def test_the_change_page_has_no_encrypted_or_hash_inputs(login, superuser, ours):
    response = login(superuser).get(f"/admin/petitioners/petitioner/{ours.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "id_number_enc" not in page and "id_number_hash" not in page and "number_enc" not in page
    assert VECTOR_ID not in page and ours.id_number_enc not in page


def test_petitioners_cannot_be_added_in_the_admin(login, superuser):
    assert login(superuser).get("/admin/petitioners/petitioner/add/").status_code == 403


def test_correcting_a_uscc_in_the_admin_updates_its_checksum_flag(login, superuser, make_petitioner, cast):
    org = make_petitioner(cast.registrar, "示例公司", kind="organisation", uscc="91350100M000100Y44")
    data = {
        "kind": "organisation",
        "name": "示例公司",
        "org": cast.bureau.pk,
        "uscc": "91350100m000100y43",
        "legal_representative": "",
        "address": "",
        "division_code": "",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "phones-MIN_NUM_FORMS": "0",
        "phones-MAX_NUM_FORMS": "1000",
    }
    response = login(superuser).post(f"/admin/petitioners/petitioner/{org.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.uscc == "91350100M000100Y43" and org.uscc_checksum_ok
