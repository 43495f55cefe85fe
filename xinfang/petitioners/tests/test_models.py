"""Storage of identifiers: normalised, encrypted, hashed, masked; never plain."""

import pytest
from django.db import connection

from xinfang.core.idnumbers import IdNumberError
from xinfang.core.phones import PhoneError
from xinfang.petitioners import crypto
from xinfang.petitioners.models import Petitioner, PetitionerPhone
from xinfang.petitioners.tests.conftest import VECTOR_ID, VECTOR_ID_15

pytestmark = pytest.mark.django_db


def test_it_stores_the_id_number_encrypted_hashed_and_masked(ours):
    assert ours.id_masked == "110105********002X"
    assert ours.id_number_hash == crypto.hash_value(VECTOR_ID)
    assert VECTOR_ID not in ours.id_number_enc
    assert ours.decrypt_id_number() == VECTOR_ID


def test_it_derives_sex_and_birth_year_from_the_id_number(ours):
    assert ours.sex == "F" and ours.get_sex_display() == "女"
    assert ours.birth_year == 1949


def test_it_converts_a_15_digit_number_before_hashing(cast, make_petitioner):
    p = make_petitioner(cast.registrar, id_number=VECTOR_ID_15)
    assert p.decrypt_id_number() == VECTOR_ID
    assert p.id_number_hash == crypto.hash_value(VECTOR_ID)


def test_every_spelling_of_a_number_hashes_alike(cast, make_petitioner):
    a = make_petitioner(cast.registrar, id_number=" １１０１０５１９４９１２３１００２ｘ ")
    assert a.id_number_hash == crypto.hash_value(VECTOR_ID)
    b = make_petitioner(cast.registrar, phones=["+86 138-1234-5678"])
    assert b.phones.get().number_hash == crypto.hash_value("13812345678")


def test_no_plain_number_reaches_the_database(ours):
    with connection.cursor() as cursor:
        for table in (Petitioner._meta.db_table, PetitionerPhone._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            dump = repr(cursor.fetchall())
            assert VECTOR_ID not in dump and "13812345678" not in dump


def test_phones_are_stored_with_kind_and_mask(cast, make_petitioner):
    p = make_petitioner(cast.registrar, phones=["13812345678", "0571 8765 4321", "13812345678"])
    phones = list(p.phones.all())
    assert [(ph.kind, ph.masked) for ph in phones] == [("mobile", "138****5678"), ("landline", "0571-****4321")]
    assert [ph.decrypt_number() for ph in phones] == ["13812345678", "0571-87654321"]


def test_invalid_identifiers_are_refused(cast, make_petitioner):
    with pytest.raises(IdNumberError):
        make_petitioner(cast.registrar, id_number="110105194912310021")
    with pytest.raises(PhoneError):
        make_petitioner(cast.registrar, phones=["12345"])
    assert not Petitioner.objects.exists()  # the action is atomic


def test_an_organisation_keeps_a_bad_uscc_with_a_flag(cast, make_petitioner):
    good = make_petitioner(cast.registrar, "示例公司", kind="organisation", uscc="91350100M000100Y43")
    bad = make_petitioner(cast.registrar, "另一公司", kind="organisation", uscc="91350100M000100Y44")
    assert good.uscc_checksum_ok and not bad.uscc_checksum_ok
    assert bad.uscc == "91350100M000100Y44"


def test_templates_cannot_decrypt(ours):
    from django.template import Context, Template

    rendered = Template("[{{ p.decrypt_id_number }}]").render(Context({"p": ours}))
    assert VECTOR_ID not in rendered
