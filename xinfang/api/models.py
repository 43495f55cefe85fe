"""API tokens for staff integrations and scripts.

Only a SHA-256 hash of each token is stored; the token itself is shown once,
when it is created. The first characters (the prefix) are stored in clear so
an administrator can tell tokens apart in the admin and in logs.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "xf_"
PREFIX_LENGTH = 10  # "xf_" + 7 characters of the random part
LAST_USED_GRANULARITY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked=False, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100, blank=True, help_text="例如：12345热线对接、统计脚本")
    prefix = models.CharField("令牌前缀", max_length=PREFIX_LENGTH, editable=False, db_index=True)
    key_hash = models.CharField("令牌哈希（SHA-256）", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True, editable=False)
    revoked = models.BooleanField("已吊销", default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… {self.name}".strip()

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        """Create a token for `user`; returns (row, token). The token is not stored."""
        row = cls(user=user, name=name)
        token = row.set_new_token()
        row.save()
        return row, token

    def set_new_token(self) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = token[:PREFIX_LENGTH]
        self.key_hash = hash_token(token)
        return token

    @classmethod
    def authenticate(cls, token: str):
        """The active user owning this (unrevoked) token, or None."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = cls.objects.usable().select_related("user", "user__org").filter(key_hash=hash_token(token)).first()
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
            # At most one write per token every few minutes, not one per request.
            cls.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user
