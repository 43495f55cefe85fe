"""Security headers the whole site needs, and the login requirement as htmx sees it."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

# Strict: nothing from other origins, no inline script or style. htmx's own
# indicator <style> is switched off with a meta tag in base.html.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API's interactive docs page needs its own bundled assets only.
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "CSP", CSP))
        return response


# --- a lapsed session on an htmx request ---------------------------------------

SESSION_EXPIRED = "登录已过期，请重新登录"
LOGIN_URL_HEADER = "X-Login-URL"
# htmx endpoints that are pages of their own when asked without htmx: an action
# form's URL shows that form as a whole page, so the person comes back to the form.
# Any other htmx request brings the person back to the page they were on.
OWN_PAGE_VIEWS = frozenset({"cases:act"})


def is_htmx_fragment_request(request) -> bool:
    """An htmx request for a piece of a page (not a boosted whole-page navigation)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def return_path(request) -> str:
    """Where an htmx request's person should land after logging in again: a path on this site."""
    match = request.resolver_match
    if match is not None and match.view_name in OWN_PAGE_VIEWS:
        return request.path
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a login, as in Django's; but an htmx request from a lapsed session
    gets a 401 with a Chinese message, not a redirect whose login page htmx would swap
    into the page. The X-Login-URL header names the login page, whose ?next= is the
    page (or the action form's own page) to come back to; app.js keeps the typed text."""

    def handle_no_permission(self, request, view_func):
        if is_htmx_fragment_request(request):
            parts = urlsplit(resolve_url(self.get_login_url(view_func)))
            query = QueryDict(parts.query, mutable=True)
            query[self.get_redirect_field_name(view_func)] = return_path(request)
            query["expired"] = "1"
            response = HttpResponse(SESSION_EXPIRED, status=401, content_type="text/plain; charset=utf-8")
            response[LOGIN_URL_HEADER] = urlunsplit(parts._replace(query=query.urlencode(safe="/")))
        else:
            response = super().handle_no_permission(request, view_func)
        patch_vary_headers(response, ["HX-Request"])
        return response
