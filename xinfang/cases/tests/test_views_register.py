"""Registration screen (/cases/new/): quick-create duplicates, which steps validate, nothing lost."""

from xinfang.cases.testing import make_petitioner, valid_id_number
from xinfang.cases.tests.test_views import html, reg_data
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
        assert f'name="add_petitioner" value="{existing.pk}"' in body  # offered to choose it
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
