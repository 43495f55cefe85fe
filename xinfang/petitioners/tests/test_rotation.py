"""rotate_field_keys: old key → new key list → rotate → readable with only the new key."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinfang.core.crypto import DecryptionError, FieldCipher, generate_key
from xinfang.petitioners import crypto
from xinfang.petitioners.models import Petitioner, PetitionerPhone
from xinfang.petitioners.tests.conftest import VECTOR_ID

pytestmark = pytest.mark.django_db


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


def tokens():
    return (
        list(Petitioner.objects.order_by("pk").values_list("id_number_enc", flat=True)),
        list(PetitionerPhone.objects.order_by("pk").values_list("number_enc", flat=True)),
    )


@pytest.fixture
def three(cast, make_petitioner):
    return [
        make_petitioner(cast.registrar, f"甲{i}", id_number=VECTOR_ID if i == 0 else "", phones=[f"1391234000{i}"])
        for i in range(3)
    ]


def test_rotation_moves_every_value_to_the_new_key(settings, three):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    hash_before = Petitioner.objects.get(name="甲0").id_number_hash
    new_key = generate_key()

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(DecryptionError):  # the data really is under the old key
        Petitioner.objects.get(name="甲0").decrypt_id_number()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    output = rotate(batch_size=2)  # smaller than the data: several batches
    assert "petitioners.Petitioner.id_number_enc: 已重新加密 1 行" in output
    assert "petitioners.PetitionerPhone.number_enc: 已重新加密 3 行" in output

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    p = Petitioner.objects.get(name="甲0")
    assert p.decrypt_id_number() == VECTOR_ID
    assert sorted(ph.decrypt_number() for ph in PetitionerPhone.objects.all()) == [
        "13912340000",
        "13912340001",
        "13912340002",
    ]
    # Lookup hashes do not depend on the encryption key.
    assert p.id_number_hash == hash_before == crypto.hash_value(VECTOR_ID)


def test_a_second_run_rewrites_nothing(settings, three):
    settings.FIELD_ENCRYPTION_KEYS = [generate_key(), *settings.FIELD_ENCRYPTION_KEYS]
    rotate()
    before = tokens()
    assert "已重新加密 0 行" in rotate()
    assert tokens() == before


def test_a_dry_run_counts_without_writing(settings, three):
    before = tokens()
    settings.FIELD_ENCRYPTION_KEYS = [generate_key(), *settings.FIELD_ENCRYPTION_KEYS]
    assert "需要重新加密 3 行" in rotate(dry_run=True)
    assert tokens() == before


def test_an_undecryptable_value_is_reported_and_the_rest_still_rotate(settings, three):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], generate_key()
    stray = PetitionerPhone.objects.order_by("pk").first()
    foreign = FieldCipher([generate_key()]).encrypt("13900000000")  # under a key nobody configured
    PetitionerPhone.objects.filter(pk=stray.pk).update(number_enc=foreign)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    with pytest.raises(CommandError) as error:
        rotate()
    assert f"petitioners.PetitionerPhone#{stray.pk}.number_enc" in str(error.value)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Petitioner.objects.get(name="甲0").decrypt_id_number() == VECTOR_ID
    assert PetitionerPhone.objects.exclude(pk=stray.pk).count() == 2
    for phone in PetitionerPhone.objects.exclude(pk=stray.pk):
        assert phone.decrypt_number().startswith("1391234000")
