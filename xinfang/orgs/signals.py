"""Audit hooks for logins and permission changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, RoleGrant, User


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


@receiver(post_save, sender=RoleGrant)
def _on_grant_saved(sender, instance, created, **kwargs):
    verb = "授予" if created else "修改"
    record(
        AuditAction.PERMISSION_CHANGE,
        actor=getattr(instance, "_actor", None),
        target=instance.user.get_username(),
        detail=f"{verb}角色 {instance.get_role_display()}，数据范围 {instance.get_scope_display()}",
    )


@receiver(post_delete, sender=RoleGrant)
def _on_grant_deleted(sender, instance, **kwargs):
    record(
        AuditAction.PERMISSION_CHANGE,
        actor=getattr(instance, "_actor", None),
        target=instance.user.get_username() if instance.user_id else "",
        detail=f"撤销角色 {instance.get_role_display()}",
    )


_WATCHED_USER_FIELDS = ("org_id", "is_superuser", "is_staff", "is_active")


@receiver(pre_save, sender=User)
def _remember_user_privileges(sender, instance, **kwargs):
    if instance.pk:
        instance._before = User.objects.filter(pk=instance.pk).values(*_WATCHED_USER_FIELDS).first() or {}


@receiver(post_save, sender=User)
def _on_user_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_before", None)
    if created or not before:
        return
    changes = [
        f"{field}: {before[field]} → {getattr(instance, field)}"
        for field in _WATCHED_USER_FIELDS
        if before.get(field) != getattr(instance, field)
    ]
    if changes:
        record(
            AuditAction.PERMISSION_CHANGE,
            actor=getattr(instance, "_actor", None),
            target=instance.get_username(),
            detail="；".join(changes),
        )
    instance._before = None
