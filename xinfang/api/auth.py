"""Bearer-token authentication for staff (`Authorization: Bearer xf_...`).

Tokens only: a browser session is not accepted, so the API needs no CSRF
exemption for cookie-authenticated writes.

``request.auth`` is who acts: the token's staff account, or for an
integration token ``Actor.integration(account, token.name)`` (the access
layer, the rules and the actions take either), so the case history records
that another system acted. ``request.user`` is always the account.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
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


DOCS_LOGIN_MESSAGE = "接口文档须登录后查看：请先登录系统，或在 Authorization 头中提供有效的接口令牌（Bearer）"


def _has_token(request) -> bool:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer":
        return False
    row = ApiToken.authenticate(token.strip())
    return row is not None and not row.is_expired


def docs_access(view):
    """NinjaAPI's docs_decorator: the OpenAPI document and the docs page need a staff login or a token.

    Unless API_DOCS_PUBLIC is on. The page sends a browser to the login page; the document
    answers 401 JSON like the API.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.API_DOCS_PUBLIC or request.user.is_authenticated or _has_token(request):
            return view(request, *args, **kwargs)
        if getattr(view, "func", view).__name__ == "openapi_view":  # the HTML page
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        response = JsonResponse({"code": "unauthenticated", "message": DOCS_LOGIN_MESSAGE, "field": None}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="xinfang"'
        return response

    return wrapper
