"""Security headers the whole site needs, the login requirement as htmx sees it, and request limits."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
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


# --- request limits: a body too large, too many fields or files, a NUL character ----

NUL = "\x00"
NUL_IN_REQUEST = "请求中含有空字符（U+0000），无法处理：请检查所填写的内容"
API_PREFIX = "/api/"


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + " " + unit
    return f"{size} 字节"


def request_limit_message(exc: Exception) -> str:
    """What Django's request-size limits mean, in Chinese (settings.DATA_UPLOAD_*)."""
    if isinstance(exc, TooManyFilesSent):
        return f"一次上传的文件过多：每次最多{settings.DATA_UPLOAD_MAX_NUMBER_FILES}个"
    if isinstance(exc, TooManyFieldsSent):
        return f"请求包含的字段过多：最多{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}个"
    return f"请求内容过大：除上传的文件外不能超过{_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}"


def _has_nul(params: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in params.lists())


class RequestLimitsMiddleware:
    """Refuse, in Chinese, a request Django would refuse with an English 400 or the database with a 500.

    Django raises RequestDataTooBig, TooManyFieldsSent and TooManyFilesSent when a
    request's data is first read; read here first, the refusal is a Chinese page (JSON
    under /api/) with DEBUG on or off. Uploaded files are streamed to disk and do not
    count towards DATA_UPLOAD_MAX_MEMORY_SIZE; ATTACHMENT_MAX_BYTES limits each file.

    A NUL character in a page's parameters is refused too: PostgreSQL cannot store or
    compare it (SQLite can), and Django's forms refuse it, so every page refuses it on
    both databases. The API refuses it field by field (xinfang.api.errors.Parser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith(API_PREFIX)
        try:
            form = self._read(request)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
            request._mark_post_parse_error()  # as Django does: later reads see no data instead of raising again
            return self._refuse(request, api, request_limit_message(exc))
        if not api and (_has_nul(request.GET) or (form is not None and _has_nul(form))):
            return self._refuse(request, api, NUL_IN_REQUEST)
        return self.get_response(request)

    @staticmethod
    def _read(request) -> QueryDict | None:
        request.GET  # noqa: B018 - parses the query string: TooManyFieldsSent
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return request.POST  # parses the form and its files: all three limits
        request.body  # noqa: B018 - any other body (JSON) is read whole: RequestDataTooBig
        return None

    @staticmethod
    def _refuse(request, api: bool, message: str) -> HttpResponse:
        if api:
            body = {"code": "bad_request", "message": message, "field": None}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        from xinfang.portal.site import site_for, urlconf_for

        site = site_for(request)
        if site is not None:
            # The public portal's own page, with no link into the staff site; its links are
            # reversed in the portal's URLconf, which is not set yet this early.
            from django.urls import set_urlconf

            # Django takes a URLconf module object as well as its dotted name (as request.urlconf does).
            set_urlconf(urlconf_for(site.prefix))  # type: ignore[arg-type]
            try:
                html = render_to_string(
                    "portal/error.html",
                    {"portal_title": settings.PORTAL_TITLE, "title": "请求有误", "message": message},
                )
            finally:
                set_urlconf(None)
            return HttpResponse(html, status=400)
        # Without the request: this runs before the session and the user are loaded.
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
