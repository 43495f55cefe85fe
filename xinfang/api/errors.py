"""Every error the API answers is JSON: {"code", "message" (Chinese), "field"}.

Stable codes:
  401 unauthenticated     missing, unknown or revoked token, or inactive user
  403 not_allowed         the user's role or org may not do this
  404 not_found           missing, or outside the user's scope (same body)
  409 invalid_transition  the case's state does not allow the action
  409 conflict            `expected_version` is stale: someone else acted first
  422 invalid             the action refused a value (see "field")
  422 validation_error    the request body or query did not match the schema (also: text with
                          a NUL character, which PostgreSQL cannot store)
  400 bad_request         the body is not JSON, is too large, or has too many fields or files
  404 not_found           also: a path under /api/v1/ that names no operation, or an id in the
                          path that cannot name an object (not an integer, out of range)
  500 server_error        a bug; logged with its traceback, never shown to the caller
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from ninja import parser
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from xinfang.core.errors import DomainError
from xinfang.middleware import NUL, request_limit_message

log = logging.getLogger("xinfang.api")

NOT_FOUND_MESSAGE = "未找到该对象，或您无权查看"

# Pydantic error types -> Chinese, for the validation_error message.
_PYDANTIC_MESSAGES = {
    "missing": "为必填项",
    "string_type": "须为文本",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "bool_parsing": "须为是或否（true/false）",
    "bool_type": "须为是或否（true/false）",
    "datetime_parsing": "须为日期时间（如 2025-03-01T09:30:00+08:00）",
    "datetime_from_date_parsing": "须为日期时间（如 2025-03-01T09:30:00+08:00）",
    "datetime_type": "须为日期时间",
    "date_parsing": "须为日期（如 2025-03-01）",
    "date_from_datetime_parsing": "须为日期（如 2025-03-01）",
    "date_type": "须为日期",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "greater_than_equal": "过小",
    "greater_than": "过小",
    "less_than_equal": "过大",
    "less_than": "过大",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "list_type": "须为列表",
    "model_attributes_type": "须为对象",
    "dict_type": "须为对象",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不是可用的字段",
    "nul_character": "不能包含空字符（U+0000）",
}


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    body = {"code": code, "message": message, "field": field}
    body.update(extra)
    return body


def _field_of(loc) -> str | None:
    # loc looks like ("body", "body", "summary") or ("query", "limit"); keep what a client named.
    names = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(names) or None


# Range errors name their limit (pydantic puts it in ctx).
_LIMITED = {
    "greater_than_equal": ("ge", "不能小于{}"),
    "greater_than": ("gt", "须大于{}"),
    "less_than_equal": ("le", "不能大于{}"),
    "less_than": ("lt", "须小于{}"),
    "string_too_short": ("min_length", "不能少于{}个字符"),
    "string_too_long": ("max_length", "不能超过{}个字符"),
    "too_short": ("min_length", "不能少于{}项"),
    "too_long": ("max_length", "不能超过{}项"),
}


def _describe(err: dict) -> str:
    what = _PYDANTIC_MESSAGES.get(err.get("type", ""), "不符合要求")
    limited = _LIMITED.get(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if limited and limited[0] in ctx:
        what = limited[1].format(ctx[limited[0]])
    elif err.get("type") == "date_range":
        what = f"须在{ctx.get('min')}至{ctx.get('max')}之间"
    field = _field_of(err.get("loc", ()))
    return f"“{field}”{what}" if field else f"请求数据{what}"


# ---------------------------------------------------------------- NUL characters
#
# PostgreSQL cannot store U+0000 in text (SQLite can): a NUL anywhere in what the API
# reads is refused on both databases alike, naming the field, never stripped (a value
# silently changed is worse than one refused, and Django's forms refuse it too).


class NulInText(Exception):
    """A NUL character at ``loc`` in the request body (raised inside ninja's body parsing)."""

    def __init__(self, loc: tuple):
        super().__init__(loc)
        self.loc = loc


def _nul_at(value, loc: tuple = ()) -> tuple | None:
    if isinstance(value, str):
        return loc if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                return (*loc, key)
            found = _nul_at(item, (*loc, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, (*loc, index))
            if found is not None:
                return found
    return None


def _nul_error(loc: tuple) -> dict:
    return {"type": "nul_character", "loc": loc, "msg": "NUL character"}


class Parser(parser.Parser):
    """ninja's JSON and query-string parser, refusing text with a NUL character."""

    def parse_body(self, request):
        data = super().parse_body(request)
        found = _nul_at(data)
        if found is not None:
            # ninja turns any exception here into HttpError(400) "from" it; http_error answers 422.
            raise NulInText(("body", *found))
        return data

    def parse_querydict(self, data, list_fields, request):
        where = "query" if data is request.GET else "form"
        for key, values in data.lists():
            if any(isinstance(v, str) and NUL in v for v in values) or NUL in key:
                raise ValidationError([_nul_error((where, key))])
        return super().parse_querydict(data, list_fields, request)


def not_found_view(api):
    """Any path under /api/v1/ that no operation matches (``/cases/abc``): JSON, like every error."""

    @csrf_exempt
    def view(request, *args, **kwargs):
        return api.create_response(request, error_body("not_found", NOT_FOUND_MESSAGE), status=404)

    return view


def install(api):
    api.parser = Parser()

    def respond(request, status, body):
        return api.create_response(request, body, status=status)

    def invalid(request, raw_errors):
        if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in raw_errors):
            # An id in the path that cannot name anything (0, beyond 2^63-1) is a missing object.
            return respond(request, 404, error_body("not_found", NOT_FOUND_MESSAGE))
        errors = [
            {"field": _field_of(e.get("loc", ())), "message": _describe(e), "type": e.get("type", "")}
            for e in raw_errors
        ]
        first = errors[0] if errors else {"field": None, "message": "请求数据不符合要求"}
        message = "请求数据有误：" + "；".join(e["message"] for e in errors[:5])
        return respond(request, 422, error_body("validation_error", message, first["field"], errors=errors))

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        # Every refusal the domain explains (actions, ID/phone/USCC validation,
        # missing clock rules) is one type with its code, message and field.
        return respond(request, exc.status, error_body(exc.error_code, exc.message, exc.field))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        # Never echo the exception text: a missing case and one outside the
        # caller's scope must be indistinguishable.
        return respond(request, 404, error_body("not_found", NOT_FOUND_MESSAGE))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        message = str(exc) or "您无权进行此操作"
        return respond(request, 403, error_body("not_allowed", message))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(
            request, 401, error_body("unauthenticated", "未认证：请在 Authorization 头中提供有效的接口令牌（Bearer）")
        )
        response["WWW-Authenticate"] = 'Bearer realm="xinfang"'
        return response

    @api.exception_handler(AuthorizationError)
    def forbidden(request, exc):
        return respond(request, 403, error_body("not_allowed", "您无权进行此操作"))

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return invalid(request, exc.errors)

    def too_large(request, exc):
        # Normally answered by xinfang.middleware.RequestLimitsMiddleware before ninja reads the body.
        return respond(request, 400, error_body("bad_request", request_limit_message(exc)))

    for limit in (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        api.exception_handler(limit)(too_large)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        if settings.DEBUG:
            raise exc
        log.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, error_body("server_error", "服务器内部错误，已记录，请稍后重试或联系管理员"))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja's own HttpErrors carry English text (e.g. an unparsable body): answer in Chinese.
        if isinstance(exc.__cause__, NulInText):
            return invalid(request, [_nul_error(exc.__cause__.loc)])
        known = {
            400: ("bad_request", "请求格式有误：请求体须为有效的 JSON"),
            401: ("unauthenticated", "未认证"),
            403: ("not_allowed", "您无权进行此操作"),
            404: ("not_found", NOT_FOUND_MESSAGE),
            405: ("method_not_allowed", "不支持该请求方法"),
            409: ("conflict", "请求与当前状态冲突"),
            422: ("invalid", "请求数据不符合要求"),
        }
        code, message = known.get(exc.status_code, ("error", "请求有误"))
        return respond(request, exc.status_code, error_body(code, message))
