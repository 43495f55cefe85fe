"""Writing the security audit log."""

from xinfang.orgs.models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: AuditAction,
    *,
    actor=None,
    request=None,
    target: str = "",
    detail: str = "",
    reason: str = "",
    username: str = "",
) -> AuditEvent:
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None else ""),
        target=target[:200],
        detail=detail,
        reason=reason[:200],
        ip=client_ip(request),
    )
