"""The navigation offers each person the work their roles allow, and no more."""

import pytest

from xinfang.orgs.models import Role
from xinfang.shell.context_processors import nav_for

pytestmark = pytest.mark.django_db


def labels(user):
    return [item["label"] for item in nav_for(user)]


def test_a_superuser_administrator_is_offered_the_admin_not_registration(cast):
    from xinfang.devdata.cast import make_user

    admin = make_user("it_admin_nav", cast.bureau, Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert "系统管理" in labels(admin)
    assert "登记信访件" not in labels(admin) and "信访人" not in labels(admin)


def test_the_registrar_is_offered_registration(cast):
    assert "登记信访件" in labels(cast.registrar) and "系统管理" not in labels(cast.registrar)


def test_the_card_register_is_offered_to_those_who_supervise_or_answer_for_units(cast):
    for user in (cast.supervisor, cast.leader, cast.unit_head, cast.officer):
        assert "问责登记簿" in labels(user), user.username
    for user in (cast.registrar, cast.handler, cast.statistician):
        assert "问责登记簿" not in labels(user), user.username


def test_the_portals_letters_are_offered_to_the_bureaus_clerks(cast):
    assert "网上来信" in labels(cast.registrar) and "网上来信" in labels(cast.officer)
    assert "网上来信" not in labels(cast.handler) and "网上来信" not in labels(cast.leader)
