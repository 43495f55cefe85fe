"""Looking a petitioner up by an exact ID or phone number is a reveal-class operation.

A masked number (``110105********002X``) and a search that confirms a guess
together reveal the number: a role that may not see personal data recovered
full ID numbers in a few dozen searches. So every exact look-up by number,
wherever it happens (the petitioner search, the registration picker, the
case look-up, the duplicate check when registering), goes through
``authorize``:

* only roles that may reveal personal data (``User.can_reveal_pii``);
* each look-up is written to the security audit log: who, which keyed hash
  (a prefix: enough to match two records of the same look-up, useless to
  recover the number), for what purpose;
* at most ``settings.NUMBER_LOOKUPS_PER_HOUR`` per user in any hour, counted
  from the audit log itself, so the limit holds across processes.

Numbers never travel in URLs: callers refuse number-shaped queries that came
in a query string (``NUMBER_IN_URL``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from xinfang.core.errors import DomainError
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, AuditEvent

TARGET = "按号码查找"
KIND_LABELS = {"id_number": "身份证号码", "phone": "电话号码"}
NOT_ALLOWED = "按身份证号码或电话号码查找仅限可查看个人信息的角色（登记员、受理交办员、承办人、负责人）"
NUMBER_IN_URL = "身份证号码、电话号码不能放在网址中，请在查找框中输入后提交（POST）"


class NumberInUrl(DomainError):
    error_code = "invalid"
    status = 422


class LookupNotAllowed(DomainError):
    error_code = "not_allowed"
    status = 403


class LookupTooFrequent(DomainError):
    error_code = "rate_limited"
    status = 429


def limit_per_hour() -> int:
    return settings.NUMBER_LOOKUPS_PER_HOUR


def authorize(user, *, kind: str, digest: str, purpose: str, request=None) -> None:
    """Allow and record one exact look-up by number, or raise with the reason in Chinese."""
    if user is None or not user.is_authenticated or not user.can_reveal_pii():
        raise LookupNotAllowed(NOT_ALLOWED)
    since = timezone.now() - timedelta(hours=1)  # real time: a security record
    recent = AuditEvent.objects.filter(
        actor=user, action=AuditAction.REVEAL, target__startswith=TARGET, at__gte=since
    ).count()
    if recent >= limit_per_hour():
        raise LookupTooFrequent(f"按号码查找过于频繁：每小时最多{limit_per_hour()}次，请稍后再试")
    record(
        AuditAction.REVEAL,
        actor=user,
        request=request,
        target=f"{TARGET}：{purpose}"[:200],
        detail=f"按{KIND_LABELS.get(kind, kind)}精确查找（号码摘要 {digest[:12]}）",
        reason=purpose[:200],
    )
