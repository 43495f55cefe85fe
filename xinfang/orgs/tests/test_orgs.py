import pytest

from xinfang.devdata.cast import PASSWORD
from xinfang.orgs.access import org_scope, visible_orgs
from xinfang.orgs.models import AuditAction, AuditEvent, Org, RoleGrant

pytestmark = pytest.mark.django_db


def test_subtree_is_the_org_and_everything_below_it(cast):
    names = set(cast.county.subtree().values_list("name", flat=True))
    assert cast.village.name in names and cast.bureau.name in names and cast.county.name in names
    assert cast.other_bureau.name not in names and cast.city.name not in names


def test_ancestors_come_root_first(cast):
    assert list(cast.village.ancestors()) == [cast.city, cast.county, cast.township]
    assert list(cast.village.ancestors(include_self=True))[-1] == cast.village


def test_moving_an_org_moves_its_descendants(cast):
    cast.township.parent = cast.other_county
    cast.township.save()
    village = Org.objects.get(pk=cast.village.pk)
    assert village.is_within(cast.other_county)
    assert village.depth == 3
    assert village in cast.other_county.subtree()


def test_it_refuses_to_move_an_org_under_its_own_descendant(cast):
    cast.county.parent = cast.village
    with pytest.raises(ValueError):
        cast.county.save()


def test_a_user_without_roles_sees_no_org(cast):
    assert org_scope(cast.nobody).is_empty
    assert not visible_orgs(cast.nobody).exists()


def test_own_org_scope_covers_only_the_own_org(cast):
    scope = org_scope(cast.registrar)
    assert scope.covers_org(cast.bureau)
    assert not scope.covers_org(cast.dept)
    assert not scope.covers_org(cast.other_bureau)


def test_subtree_scope_covers_descendants_only(cast):
    scope = org_scope(cast.leader)
    assert scope.covers_org(cast.village)
    assert not scope.covers_org(cast.city)
    assert not scope.covers_org(cast.other_dept)


def test_all_scope_covers_everything(cast):
    RoleGrant.objects.create(user=cast.nobody, role="statistician", scope="all")
    cast.nobody.refresh_from_db()
    assert org_scope(cast.nobody).covers_org(cast.other_dept)


def test_a_role_grant_gets_the_roles_default_scope(cast):
    assert cast.handler.role_grants.get().scope == "assigned"
    assert cast.registrar.role_grants.get().scope == "own_org"


def test_login_and_failed_login_are_audited(client, cast):
    client.post("/accounts/login/", {"username": "registrar", "password": "wrong"})
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="registrar").exists()
    response = client.post("/accounts/login/", {"username": "registrar", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=cast.registrar).exists()


def test_the_failed_login_page_explains_in_chinese(client, cast):
    response = client.post("/accounts/login/", {"username": "registrar", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_granting_and_revoking_a_role_is_audited(cast):
    grant = RoleGrant.objects.create(user=cast.nobody, role="registrar")
    grant.delete()
    details = list(AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE).values_list("detail", flat=True))
    assert any("授予角色 登记员" in d for d in details)
    assert any("撤销角色 登记员" in d for d in details)


def test_changing_a_users_org_is_audited(cast):
    cast.nobody.org = cast.dept
    cast.nobody.save()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE, target="nobody").exists()


def test_the_shell_shows_the_users_org_and_roles(login, cast):
    response = login(cast.registrar).get("/", follow=True)
    body = response.content.decode()
    assert "清河县信访局" in body
    assert "登记员" in body


def test_every_response_carries_a_strict_csp(client, db):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_admin_speaks_chinese(login, cast):
    cast.admin.is_staff = True
    cast.admin.is_superuser = True
    cast.admin.save()
    response = login(cast.admin).get("/admin/")
    assert "系统管理" in response.content.decode()
