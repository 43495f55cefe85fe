"""API tokens for staff integrations and scripts.

Only a SHA-256 hash of each token is stored; the token itself is shown once,
when it is created. The first characters (the prefix) are stored in clear so
an administrator can tell tokens apart in the admin and in logs.

A token may expire (``expires_at``), and may belong to another system (an
*integration* token, e.g. a 12345 hotline): requests with it act as
``Actor.integration(user, name)``, so the case history names that system.
Creating and revoking a token is in the security audit log, with whose token
it is and who did it. Token timestamps are security records: they keep real
time, not the clock seam.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction

TOKEN_PREFIX = "xf_"
PREFIX_LENGTH = 10  # "xf_" + 7 characters of the random part
LAST_USED_GRANULARITY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Not revoked, of an active account, not expired."""
        now = timezone.now()
        return self.filter(revoked=False, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class TokenState(models.TextChoices):
    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已吊销"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100, blank=True, help_text="例如：12345热线对接、统计脚本")
    is_integration = models.BooleanField(
        "外部系统令牌",
        default=False,
        help_text="其他系统（如12345热线）使用的令牌：用它办理的操作在办理记录中记为该系统（名称即“用途”）所为",
    )
    prefix = models.CharField("令牌前缀", max_length=PREFIX_LENGTH, editable=False, db_index=True)
    key_hash = models.CharField("令牌哈希（SHA-256）", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True, help_text="留空为长期有效")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True, editable=False)
    revoked = models.BooleanField("已吊销", default=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… {self.name}".strip()

    def clean(self):
        if self.is_integration and not self.name.strip():
            raise ValidationError({"name": "外部系统令牌须填写用途（该系统的名称，如“12345热线”）"})

    # --- state ------------------------------------------------------------------

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state(self) -> TokenState:
        if self.revoked:
            return TokenState.REVOKED
        return TokenState.EXPIRED if self.is_expired else TokenState.ACTIVE

    def describe(self) -> str:
        """For the audit log: which token, for what, until when."""
        parts = [f"令牌 {self.prefix}…"]
        if self.is_integration:
            parts.append(f"外部系统：{self.name}")
        elif self.name:
            parts.append(f"用途：{self.name}")
        if self.expires_at:
            parts.append(f"有效期至 {timezone.localtime(self.expires_at):%Y-%m-%d %H:%M}")
        return "，".join(parts)

    # --- issuing and revoking -------------------------------------------------------

    @classmethod
    def issue(
        cls,
        user,
        name: str = "",
        *,
        by=None,
        request=None,
        expires_at: datetime | None = None,
        integration: bool = False,
    ) -> tuple["ApiToken", str]:
        """Create a token for `user` (by `by`: None from the command line); returns (row, token).

        The token itself is not stored.
        """
        row = cls(user=user, name=name, expires_at=expires_at, is_integration=integration)
        row.clean()
        token = row.set_new_token()
        row.save()
        row.record_created(by=by, request=request)
        return row, token

    def set_new_token(self) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = token[:PREFIX_LENGTH]
        self.key_hash = hash_token(token)
        return token

    def record_created(self, *, by=None, request=None) -> None:
        where = "" if by is not None or request is not None else "（命令行）"
        record(
            AuditAction.API_TOKEN_CREATED,
            actor=by,
            request=request,
            target=self.user.get_username(),
            detail=f"为 {self.user.display_name}（{self.user.get_username()}）创建接口令牌{where}：{self.describe()}",
        )

    def revoke(self, *, by=None, request=None) -> bool:
        """Revoke this token (False if it already was) and audit it."""
        now = timezone.now()
        if not ApiToken.objects.filter(pk=self.pk, revoked=False).update(revoked=True, revoked_at=now):
            return False
        self.revoked, self.revoked_at = True, now
        record(
            AuditAction.API_TOKEN_REVOKED,
            actor=by,
            request=request,
            target=self.user.get_username(),
            detail=f"吊销 {self.user.display_name}（{self.user.get_username()}）的接口令牌：{self.describe()}",
        )
        return True

    # --- authenticating ---------------------------------------------------------------

    @classmethod
    def authenticate(cls, token: str) -> "ApiToken | None":
        """The token's row if it is not revoked and its account is active (check ``is_expired``), or None.

        Keeps ``last_used_at`` at most a few minutes behind, with one write per token every few
        minutes rather than one per request.
        """
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = (
            cls.objects.filter(revoked=False, user__is_active=True, key_hash=hash_token(token))
            .select_related("user", "user__org")
            .first()
        )
        if row is None or row.is_expired:
            return row
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
            cls.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        return row
