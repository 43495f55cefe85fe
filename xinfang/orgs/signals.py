"""Audit hooks: logins, and every privileged change (roles, accounts, passwords, the org tree)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from xinfang.orgs.acting import current_request
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, DataScope, Org, OrgKind, Role, RoleGrant, User


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    # Set by the two-factor step (xinfang.orgs.views.verify) when a code was given after the password.
    detail = "密码和两步验证码" if getattr(request, "xf_two_factor", False) else ""
    record(AuditAction.LOGIN, actor=user, request=request, target=user.get_username(), detail=detail)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, request=request, target=user.get_username())


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Never store the attempted password.
    username = str(credentials.get("username", ""))[:150]
    # Set by the lockout handler (xinfang.orgs.lockout), whose receiver runs first (axes is listed first).
    detail = "登录已暂停（锁定中），未核对密码" if getattr(request, "xf_refused_while_locked", False) else ""
    record(AuditAction.LOGIN_FAILED, request=request, username=username, target=username, detail=detail)


# --- privileged changes: who changed what, with the old and the new value -------------------
#
# The person and address come from the request under way (``xinfang.orgs.acting``: the admin
# and the account screens) or from ``instance._actor``; a change with neither (a management
# command, the demo loader) is recorded without a person.


def _who(instance):
    return getattr(instance, "_actor", None), current_request()


def _yes_no(value) -> str:
    return "是" if value else "否"


def _org_name(org_id) -> str:
    if not org_id:
        return "（无）"
    org = Org.objects.filter(pk=org_id).only("name").first()
    return org.name if org else f"（已删除的机构 {org_id}）"


def _grant_text(role, scope) -> str:
    return f"{Role(role).label}（数据范围 {DataScope(scope).label}）" if scope else Role(role).label


@receiver(pre_save, sender=RoleGrant)
def _remember_grant(sender, instance, **kwargs):
    instance._before = None
    if instance.pk:
        instance._before = RoleGrant.objects.filter(pk=instance.pk).values("role", "scope").first()


@receiver(post_save, sender=RoleGrant)
def _on_grant_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_before", None)
    if created or not before:
        detail = f"授予角色 {_grant_text(instance.role, instance.scope)}"
    else:
        changes = []
        if before["role"] != instance.role:
            changes.append(f"角色：{Role(before['role']).label} → {instance.get_role_display()}")
        if before["scope"] != instance.scope:
            changes.append(f"数据范围：{DataScope(before['scope']).label} → {instance.get_scope_display()}")
        if not changes:
            return
        detail = f"修改角色 {Role(before['role']).label}：{'；'.join(changes)}"
    actor, request = _who(instance)
    record(
        AuditAction.PERMISSION_CHANGE,
        actor=actor,
        request=request,
        target=instance.user.get_username(),
        detail=detail,
    )


@receiver(post_delete, sender=RoleGrant)
def _on_grant_deleted(sender, instance, **kwargs):
    actor, request = _who(instance)
    record(
        AuditAction.PERMISSION_CHANGE,
        actor=actor,
        request=request,
        target=instance.user.get_username() if instance.user_id else "",
        detail=f"撤销角色 {_grant_text(instance.role, instance.scope)}",
    )


# Account fields that change what a person may do or see, with their Chinese names.
_WATCHED_USER_FIELDS = {
    "org_id": "所属机构",
    "is_superuser": "超级用户",
    "is_staff": "可进入系统管理",
    "is_active": "启用",
}


_POWERS = ("is_superuser", "is_staff")


def _user_value(field, value) -> str:
    return _org_name(value) if field == "org_id" else _yes_no(value)


@receiver(pre_save, sender=User)
def _remember_user_privileges(sender, instance, update_fields=None, **kwargs):
    instance._before = None
    if not instance.pk:
        return
    if update_fields is not None and not set(update_fields) & {"org", "password", *_WATCHED_USER_FIELDS}:
        return  # e.g. last_login at each login: nothing watched can change
    instance._before = User.objects.filter(pk=instance.pk).values("password", *_WATCHED_USER_FIELDS).first()


@receiver(post_save, sender=User)
def _on_user_saved(sender, instance, created, **kwargs):
    actor, request = _who(instance)
    if created:
        if actor is not None or request is not None:  # the admin (the demo loader's accounts are not news)
            flags = [
                name for field, name in _WATCHED_USER_FIELDS.items() if field in _POWERS and getattr(instance, field)
            ]
            extra = f"；{'、'.join(flags)}" if flags else ""
            record(
                AuditAction.PERMISSION_CHANGE,
                actor=actor,
                request=request,
                target=instance.get_username(),
                detail=f"新建工作人员，所属机构 {_org_name(instance.org_id)}{extra}",
            )
        return
    before = getattr(instance, "_before", None)
    instance._before = None
    if not before:
        return
    changes = [
        f"{name}：{_user_value(field, before[field])} → {_user_value(field, getattr(instance, field))}"
        for field, name in _WATCHED_USER_FIELDS.items()
        if before[field] != getattr(instance, field)
    ]
    if changes:
        record(
            AuditAction.PERMISSION_CHANGE,
            actor=actor,
            request=request,
            target=instance.get_username(),
            detail="；".join(changes),
        )
    if before["password"] != instance.password:
        by = actor or (request.user if request is not None and request.user.is_authenticated else None)
        if by is None:
            detail = "修改密码（命令行或系统）"
        elif by.pk == instance.pk:
            detail = "本人修改密码"
        else:
            detail = f"{by.get_username()} 重置了密码"
        # Never the password or its hash.
        record(AuditAction.PASSWORD_CHANGE, actor=by, request=request, target=instance.get_username(), detail=detail)


_WATCHED_ORG_FIELDS = ("parent_id", "kind", "is_active", "name", "path")


@receiver(pre_save, sender=Org)
def _remember_org(sender, instance, **kwargs):
    instance._before = None
    if instance.pk:
        instance._before = Org.objects.filter(pk=instance.pk).values(*_WATCHED_ORG_FIELDS).first()


@receiver(post_save, sender=Org)
def _on_org_saved(sender, instance, created, **kwargs):
    # Org.save saves a new org twice (its path holds its own id): the first is the creation,
    # the second changes nothing watched. A move saves before the org's descendants get their
    # new paths (Org._move_descendants), so they are still found under the old path here.
    actor, request = _who(instance)
    before = getattr(instance, "_before", None)
    instance._before = None
    if created:
        if actor is not None or request is not None:  # the admin (not the demo loader's tree)
            record(
                AuditAction.ORG_CHANGE,
                actor=actor,
                request=request,
                target=instance.name,
                detail=f"新建机构，上级机构 {_org_name(instance.parent_id)}",
            )
        return
    if not before:
        return
    changes = []
    if before["parent_id"] != instance.parent_id:
        below = Org.objects.filter(path__startswith=before["path"]).exclude(pk=instance.pk)
        staff = User.objects.filter(Q(org=instance) | Q(org__in=below)).count()
        changes.append(
            f"上级机构：{_org_name(before['parent_id'])} → {_org_name(instance.parent_id)}"
            f"（随之移动下级机构 {below.count()} 个，本机构及下级工作人员 {staff} 人）"
        )
    if before["kind"] != instance.kind:
        changes.append(f"类别：{OrgKind(before['kind']).label} → {instance.get_kind_display()}")
    if before["is_active"] != instance.is_active:
        changes.append(f"启用：{_yes_no(before['is_active'])} → {_yes_no(instance.is_active)}")
    if before["name"] != instance.name:
        changes.append(f"名称：{before['name']} → {instance.name}")
    if changes:
        record(AuditAction.ORG_CHANGE, actor=actor, request=request, target=instance.name, detail="；".join(changes))
