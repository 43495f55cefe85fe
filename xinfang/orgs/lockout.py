"""Login lockout: django-axes counts failed logins; this handler decides and audits.

An account is locked after ``LOGIN_FAILURE_LIMIT`` failed logins (from any
address) and an address after ``LOGIN_IP_FAILURE_LIMIT`` (for any account:
an office's clerks often share one address, so its limit is higher), each
for ``LOGIN_LOCKOUT_MINUTES`` after the last failure. While locked, django-axes
refuses the login before the password is checked, so the right password is
refused too. An administrator unlocks in the admin (``unlock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction

LOCKED_MESSAGE = "登录失败次数过多，已暂停登录{minutes}分钟。请稍后再试，或请系统管理员解除锁定。"


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the account limit (an address's own limit is applied in the handler)."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: how long a lock lasts after the last failure."""
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)


@dataclass(frozen=True)
class Failures:
    by_account: int
    by_address: int

    @property
    def account_locked(self) -> bool:
        return self.by_account >= settings.LOGIN_FAILURE_LIMIT

    @property
    def address_locked(self) -> bool:
        return self.by_address >= settings.LOGIN_IP_FAILURE_LIMIT

    @property
    def locked(self) -> bool:
        return self.account_locked or self.address_locked


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and another per address."""

    def failures(self, request, credentials=None) -> Failures:
        # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: one queryset each, within the cool-off.
        by_account, by_address = self.get_user_attempts(request, credentials)
        return Failures(_total(by_account), _total(by_address))

    def get_failures(self, request, credentials=None) -> int:
        # axes compares this one number with AXES_FAILURE_LIMIT (the account limit):
        # an address over its own limit counts as reaching it.
        found = self.failures(request, credentials)
        if found.address_locked:
            return max(found.by_account, settings.LOGIN_FAILURE_LIMIT)
        return found.by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful login clears the account's own failures only: clearing its address's
        # too would let anyone with one valid account reset the address limit at will.
        by_account, _by_address = self.filter_user_attempts(request, credentials)
        count, _ = by_account.delete()
        return count

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request=request, **kwargs)
        before = self.failures(request, credentials)
        # Read by the audit log's own login-failure record (xinfang.orgs.signals).
        request.xf_refused_while_locked = before.locked
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if before.locked or not getattr(request, "axes_locked_out", False):
            return
        after = self.failures(request, credentials)
        username = get_client_username(request, credentials) or ""
        reasons = []
        if after.account_locked:
            reasons.append(f"账户 {username} 连续登录失败 {after.by_account} 次")
        if after.address_locked:
            reasons.append(f"地址 {request.axes_ip_address} 登录失败 {after.by_address} 次")
        record(
            AuditAction.LOGIN_LOCKED,
            request=request,
            username=username[:150],
            target=username if after.account_locked else (request.axes_ip_address or ""),
            detail=f"{'；'.join(reasons)}，暂停登录{settings.LOGIN_LOCKOUT_MINUTES}分钟",
        )


def is_locked(username: str) -> bool:
    """Whether this account is locked now by its own failures (from any address)."""
    since = timezone.now() - cool_off()  # real time, like axes' own records
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return _total(attempts) >= settings.LOGIN_FAILURE_LIMIT


def unlock(*, username: str = "", ip_address: str = "", actor=None, request=None) -> int:
    """Clear the failed logins of an account (or of an address) and audit it; returns how many records went."""
    attempts = AccessAttempt.objects.all()
    if username:
        attempts = attempts.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    if not (username or ip_address):
        raise ValueError("unlock needs a username or an address")
    failures = _total(attempts)
    count, _ = attempts.delete()
    what = f"账户 {username} " if username else f"地址 {ip_address} "
    if username and ip_address:
        what = f"账户 {username}（地址 {ip_address}）"
    record(
        AuditAction.LOGIN_UNLOCKED,
        actor=actor,
        request=request,
        target=username or ip_address,
        detail=f"解除{what}的登录锁定，清除失败记录 {count} 条（共失败 {failures} 次）",
    )
    return count
