"""Bearer-token authentication for staff (`Authorization: Bearer xf_...`).

Tokens only: a browser session is not accepted, so the API needs no CSRF
exemption for cookie-authenticated writes.

``request.auth`` is who acts: the token's staff account, or for an
integration token ``Actor.integration(account, token.name)`` (the access
layer, the rules and the actions take either), so the case history records
that another system acted. ``request.user`` is always the account.
"""

from django.utils import timezone
from ninja.security import HttpBearer

from xinfang.api.models import ApiToken
from xinfang.core.errors import DomainError
from xinfang.orgs.actors import Actor


class TokenExpired(DomainError):
    """A 401 like any refused token, saying why (the handler of DomainError answers it)."""

    error_code = "unauthenticated"
    status = 401


def expired_message(row: ApiToken) -> str:
    assert row.expires_at is not None
    until = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")
    return f"接口令牌已过期（有效期至 {until}），请联系系统管理员重新创建"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.authenticate(token.strip())
        if row is None:
            return None
        if row.is_expired:
            raise TokenExpired(expired_message(row))
        # The access layer and the actions read the acting user (or system) from request.auth.
        request.user = row.user
        request.api_token = row
        if row.is_integration:
            return Actor.integration(row.user, row.name)
        return row.user
