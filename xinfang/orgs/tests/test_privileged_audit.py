"""Every privileged change is in the security audit log, with who, the old value and the new."""

import pytest
from django.utils import timezone

from xinfang.devdata.cast import PASSWORD, make_user
from xinfang.orgs.models import AuditAction, AuditEvent, DataScope, RoleGrant

pytestmark = pytest.mark.django_db


def _superuser(user):
    # An update, not save(): the test's own set-up is not what it checks.
    type(user).objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def admin_client(cast, client):
    client.force_login(_superuser(cast.admin))
    return client


def _audit(action, after=0):
    return list(AuditEvent.objects.filter(action=action, pk__gt=after).order_by("pk"))


def _org_form(org, **changes):
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "level": org.level,
        "division_code": org.division_code,
        "parent": org.parent_id or "",
        "is_active": "on" if org.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _user_form(user, grants=(), extra_grants=(), **changes):
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "org": user.org_id or "",
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    rows = list(grants) + list(extra_grants)
    data.update(
        {
            "role_grants-TOTAL_FORMS": len(rows),
            "role_grants-INITIAL_FORMS": len(grants),
            "role_grants-MIN_NUM_FORMS": 0,
            "role_grants-MAX_NUM_FORMS": 1000,
        }
    )
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"role_grants-{i}-{key}"] = value
        data[f"role_grants-{i}-user"] = user.pk
    return {k: v for k, v in data.items() if v != ""}


# --- the org tree ---------------------------------------------------------------------------


def test_moving_an_org_in_the_admin_records_the_old_and_new_parent(cast, admin_client):
    make_user("village_clerk", cast.village, "registrar")
    make_user("township_head", cast.township, "leader")
    url = f"/admin/orgs/org/{cast.township.pk}/change/"
    response = admin_client.post(url, _org_form(cast.township, parent=cast.other_county.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.village.refresh_from_db()
    assert cast.village.path.startswith(cast.other_county.path)  # the subtree went along
    (moved,) = _audit(AuditAction.ORG_CHANGE)
    assert moved.actor == cast.admin and moved.target == "清河县东岗镇人民政府" and moved.ip == "127.0.0.1"
    assert moved.detail == (
        "上级机构：清河县人民政府 → 远山县人民政府（随之移动下级机构 1 个，本机构及下级工作人员 2 人）"
    )


def test_renaming_retyping_and_deactivating_an_org_are_recorded(cast, admin_client):
    url = f"/admin/orgs/org/{cast.dept2.pk}/change/"
    form = _org_form(cast.dept2, name="清河县住房和城乡建设局（撤并）", kind="government", is_active="")
    assert admin_client.post(url, form).status_code == 302
    (changed,) = _audit(AuditAction.ORG_CHANGE)
    assert (
        changed.detail
        == "类别：职能部门 → 人民政府；启用：是 → 否；名称：清河县住房和城乡建设局 → 清河县住房和城乡建设局（撤并）"
    )
    # Saving with nothing changed records nothing.
    cast.dept2.refresh_from_db()
    admin_client.post(url, _org_form(cast.dept2))
    assert len(_audit(AuditAction.ORG_CHANGE)) == 1


def test_an_org_created_in_the_admin_is_recorded_but_a_loader_is_not(cast, admin_client):
    form = {"name": "清河县东岗镇后村村民委员会", "kind": "village_committee", "level": "village"}
    form.update({"division_code": "330781101202", "parent": cast.township.pk, "is_active": "on"})
    assert admin_client.post("/admin/orgs/org/add/", form).status_code == 302
    (created,) = _audit(AuditAction.ORG_CHANGE)
    assert (
        created.target == "清河县东岗镇后村村民委员会" and created.detail == "新建机构，上级机构 清河县东岗镇人民政府"
    )
    assert created.actor == cast.admin


def test_a_move_outside_any_request_is_recorded_without_a_person(cast):
    cast.dept.parent = cast.other_county
    cast.dept.save()
    (moved,) = _audit(AuditAction.ORG_CHANGE)
    assert moved.actor is None and moved.ip is None
    assert moved.detail.startswith("上级机构：清河县人民政府 → 远山县人民政府（随之移动下级机构 0 个，")


# --- roles and data scopes --------------------------------------------------------------------


def test_role_grants_added_changed_and_revoked_in_the_admin_are_recorded(cast, admin_client):
    leader = cast.leader
    grant = RoleGrant.objects.get(user=leader)
    url = f"/admin/orgs/user/{leader.pk}/change/"
    existing = {"id": grant.pk, "role": grant.role, "scope": DataScope.ALL}
    added = {"role": "supervisor", "scope": ""}
    response = admin_client.post(url, _user_form(leader, grants=[existing], extra_grants=[added]))
    assert response.status_code == 302, response.content.decode()[:3000]
    details = [e.detail for e in _audit(AuditAction.PERMISSION_CHANGE)]
    assert sorted(details) == sorted(
        ["修改角色 领导：数据范围：本单位及下级 → 全部", "授予角色 督查员（数据范围 本单位及下级）"]
    )
    assert {e.actor for e in _audit(AuditAction.PERMISSION_CHANGE)} == {cast.admin}
    assert {e.target for e in _audit(AuditAction.PERMISSION_CHANGE)} == {"leader"}

    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    supervisor = RoleGrant.objects.get(user=leader, role="supervisor")
    grant.refresh_from_db()
    rows = [
        {"id": grant.pk, "role": grant.role, "scope": grant.scope},
        {"id": supervisor.pk, "role": "supervisor", "scope": supervisor.scope, "DELETE": "on"},
    ]
    assert admin_client.post(url, _user_form(leader, grants=rows)).status_code == 302
    (revoked,) = _audit(AuditAction.PERMISSION_CHANGE, after=mark)
    assert revoked.detail == "撤销角色 督查员（数据范围 本单位及下级）" and revoked.actor == cast.admin


def test_a_grant_saved_unchanged_records_nothing(cast):
    grant = RoleGrant.objects.get(user=cast.registrar)
    grant.save()
    assert _audit(AuditAction.PERMISSION_CHANGE) == []


def test_an_accounts_org_and_powers_changed_in_the_admin_are_recorded(cast, admin_client):
    user = cast.registrar
    grant = RoleGrant.objects.get(user=user)
    row = {"id": grant.pk, "role": grant.role, "scope": grant.scope}
    form = _user_form(user, grants=[row], org=cast.other_bureau.pk, is_staff="on")
    assert admin_client.post(f"/admin/orgs/user/{user.pk}/change/", form).status_code == 302
    (changed,) = _audit(AuditAction.PERMISSION_CHANGE)
    assert changed.target == "registrar" and changed.actor == cast.admin
    assert changed.detail == "所属机构：清河县信访局 → 远山县信访局；可进入系统管理：否 → 是"


# --- passwords ------------------------------------------------------------------------------------


def test_an_administrators_password_reset_is_recorded_without_the_password(cast, admin_client):
    url = f"/admin/orgs/user/{cast.handler.pk}/password/"
    response = admin_client.post(url, {"password1": "Ch4nged-pass-2026", "password2": "Ch4nged-pass-2026"})
    assert response.status_code == 302, response.content.decode()[:2000]
    (reset,) = _audit(AuditAction.PASSWORD_CHANGE)
    assert reset.actor == cast.admin and reset.target == "handler" and reset.detail == "admin 重置了密码"
    cast.handler.refresh_from_db()
    assert "Ch4nged" not in reset.detail and cast.handler.password not in reset.detail


def test_a_staff_member_changes_their_own_password(cast, client):
    client.force_login(cast.registrar)
    page = client.get("/accounts/security/").content.decode()
    assert 'href="/accounts/password/"' in page
    assert "修改密码" in client.get("/accounts/password/").content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "Qinghe-new-2026", "new_password2": "Qinghe-new-2026"},
    )
    assert response.status_code == 200 and "你的旧密码不正确。请重新输入。" in response.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Qinghe-new-2026", "new_password2": "Qinghe-new-2026"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/security/"
    assert "密码已修改。" in response.content.decode()
    (changed,) = _audit(AuditAction.PASSWORD_CHANGE)
    assert changed.actor == cast.registrar and changed.detail == "本人修改密码"
    assert client.get("/cases/").status_code == 200  # still logged in here


def test_a_password_set_from_the_command_line_is_recorded(cast):
    cast.officer.set_password("Another-pass-2026")
    cast.officer.save()
    (changed,) = _audit(AuditAction.PASSWORD_CHANGE)
    assert changed.actor is None and changed.target == "officer" and changed.detail == "修改密码（命令行或系统）"


def test_a_login_writes_no_permission_or_password_record(cast, client):
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})
    assert [e.action for e in AuditEvent.objects.all()] == [AuditAction.LOGIN]
