"""The access layer: scope, 404 for the other org, logged reveal."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from xinfang.orgs.models import AuditAction, AuditEvent, RoleGrant
from xinfang.petitioners import access
from xinfang.petitioners.access import access_petitioner, reveal, scoped_petitioners
from xinfang.petitioners.tests.conftest import VECTOR_ID

pytestmark = pytest.mark.django_db


def test_a_registrar_sees_the_petitioners_of_their_own_org(cast, ours, theirs):
    assert list(scoped_petitioners(cast.registrar)) == [ours]
    assert list(scoped_petitioners(cast.other_registrar)) == [theirs]


def test_the_other_county_gets_404_exactly_like_a_missing_petitioner(cast, ours):
    with pytest.raises(Http404) as outside:
        access_petitioner(cast.other_registrar, ours.pk)
    with pytest.raises(Http404) as missing:
        access_petitioner(cast.other_registrar, ours.pk + 1000)
    assert str(outside.value) == str(missing.value)
    with pytest.raises(Http404):
        access_petitioner(cast.registrar, "not-a-number")


def test_a_subtree_scope_sees_petitioners_registered_below(cast, make_petitioner):
    township = make_petitioner(cast.officer, "赵四")
    township.org = cast.township
    township.save()
    assert township in scoped_petitioners(cast.leader)  # county leader, subtree
    assert township not in scoped_petitioners(cast.registrar)  # bureau, own org only
    assert not scoped_petitioners(cast.city_officer).exists()  # city bureau, own org only


def test_the_assigned_scope_sees_what_the_user_registered(cast, make_petitioner):
    RoleGrant.objects.create(user=cast.handler, role="registrar", scope="assigned")
    cast.handler.refresh_from_db()
    mine = make_petitioner(cast.handler, "钱五")
    colleague = make_petitioner(cast.dept_officer, "孙六")
    visible = set(scoped_petitioners(cast.handler))
    assert mine in visible and colleague not in visible


def test_users_without_roles_or_inactive_see_nothing(cast, ours):
    assert not scoped_petitioners(cast.nobody).exists()
    cast.registrar.is_active = False
    assert not scoped_petitioners(cast.registrar).exists()


def test_the_superuser_flag_does_not_widen_what_a_person_reads(cast, ours, theirs):
    """Administering the system is not reading petitions: the grants decide, for superusers too."""
    cast.admin.is_superuser = True
    cast.admin.save()
    admin = type(cast.admin).objects.get(pk=cast.admin.pk)
    assert set(scoped_petitioners(admin)) == set(scoped_petitioners(cast.registrar)) == {ours}


def test_a_grant_of_everything_sees_everything_even_with_extra_builders(cast, ours, theirs, monkeypatch):
    from xinfang.devdata.cast import make_user

    monkeypatch.setattr(access, "EXTRA_SCOPE_BUILDERS", [lambda user: Q(pk__in=[])])
    everyone = make_user("province_leader", cast.city, "leader", scope="all")
    assert set(scoped_petitioners(everyone)) == {ours, theirs}


def test_extra_scope_builders_widen_but_never_narrow(cast, ours, theirs, monkeypatch):
    monkeypatch.setattr(access, "EXTRA_SCOPE_BUILDERS", [lambda user: Q(pk=theirs.pk)])
    assert set(scoped_petitioners(cast.registrar)) == {ours, theirs}
    assert access_petitioner(cast.registrar, theirs.pk) == theirs


def test_an_extra_builder_returning_an_empty_q_is_refused(cast, monkeypatch):
    monkeypatch.setattr(access, "EXTRA_SCOPE_BUILDERS", [lambda user: Q()])
    with pytest.raises(ValueError):
        scoped_petitioners(cast.registrar)


def test_reveal_returns_the_number_and_logs_who_what_and_why(cast, ours, rf):
    request = rf.post("/", REMOTE_ADDR="10.0.0.8")
    assert reveal(cast.registrar, ours, "id_number", reason="电话回访", request=request) == VECTOR_ID
    assert reveal(cast.registrar, ours, "phones", reason="电话回访", request=request) == ["13812345678"]
    events = list(AuditEvent.objects.filter(action=AuditAction.REVEAL).order_by("pk"))
    assert len(events) == 2
    assert events[0].actor == cast.registrar and events[0].reason == "电话回访" and events[0].ip == "10.0.0.8"
    assert f"#{ours.pk}" in events[0].target and "id_number" in events[0].detail
    assert ours.name not in events[0].target  # the audit log shows a masked name
    assert "phones" in events[1].detail


@pytest.mark.parametrize("who", ["statistician", "supervisor", "leader", "admin", "nobody"])
def test_roles_without_reveal_right_are_refused_and_nothing_is_logged(cast, ours, who):
    with pytest.raises(PermissionDenied):
        reveal(getattr(cast, who), ours, "id_number", reason="想看看")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_outside_scope_or_without_reason_is_refused(cast, ours):
    with pytest.raises(PermissionDenied):
        reveal(cast.other_registrar, ours, "id_number", reason="核实")
    with pytest.raises(PermissionDenied):
        reveal(cast.registrar, ours, "id_number", reason="   ")
    with pytest.raises(ValueError):
        reveal(cast.registrar, ours, "address", reason="核实")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_only_registrars_and_officers_with_an_org_may_register(cast):
    assert access.can_register_petitioners(cast.registrar)
    assert access.can_register_petitioners(cast.dept_officer)
    assert not access.can_register_petitioners(cast.statistician)
    assert not access.can_register_petitioners(cast.handler)


def test_access_for_write_locks_the_row_inside_a_transaction(cast, ours):
    from django.db import transaction

    with transaction.atomic():
        assert access_petitioner(cast.registrar, ours.pk, for_write=True) == ours
