"""The petitioners' API (/api/portal/v1/ on the portal's host): the portal's operations as JSON.

For a future mobile app or a province's unified portal. A petitioner gets a
short-lived token for one letter from its query code and password (the same
check, limits, lockout and single refusal as the tracking page), then reads the
case's public projection and acts on it through the same actions as the pages.
The staff API's tokens mean nothing here: a token is a value signed with this
API's own salt, naming a letter, and nothing else is accepted.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.urls import URLPattern, URLResolver
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from xinfang.cases.states import Action
from xinfang.core import clock
from xinfang.portal import acting, projection
from xinfang.portal.models import Submission

SALT = "xinfang.portal.api.token"
REFUSED = "查询码或查询密码不正确，或尝试次数过多。请核对后再试，或稍后再试。"


def token_minutes() -> int:
    return getattr(settings, "PORTAL_API_TOKEN_MINUTES", 30)


class PetitionerAuth(HttpBearer):
    def authenticate(self, request, token):
        try:
            pk, until = signing.loads(token.strip(), salt=SALT)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        # The expiry is judged on the project's clock (xinfang.core.clock), as every other time.
        if clock.now().timestamp() > until:
            return None
        submission = Submission.objects.filter(pk=pk).select_related("mailbox").first()
        if submission is None or submission.is_locked:
            return None
        return submission


api = NinjaAPI(
    title="信访人查询接口",
    version="1",
    description="凭查询码和查询密码取得短期令牌（Bearer），查询本人来信的办理情况、确认收到告知书、评价、申请复查或复核。"
    "本接口不接受工作人员的接口令牌。",
    auth=PetitionerAuth(),
    urls_namespace="portal",
    docs_url=None,  # the staff API's Swagger page loads bundled assets the portal does not serve; the schema is enough
    openapi_url="/openapi.json",
)


class Credentials(Schema):
    query_code: str
    password: str


class Token(Schema):
    token: str
    expires_in: int  # seconds


class Period(Schema):
    what: str
    org: str
    due: date
    days_left: int


class NoticeOut(Schema):
    notice: str
    label: str
    issued_on: date
    text: str
    delivered_on: date | None
    delivery_method: str
    confirmable: bool


class RequestOut(Schema):
    action: str
    label: str
    body: str
    until: date
    days_left: int
    open: bool


class CaseOut(Schema):
    title: str
    mailbox: str
    submitted_at: str
    registered: bool
    number: str = ""
    state: str = ""
    handling_unit: str = ""
    periods: list[Period] = []
    windows: list[Period] = []
    notices: list[NoticeOut] = []
    can_evaluate: bool = False
    evaluation: str = ""
    requests: list[RequestOut] = []


class Message(Schema):
    message: str


class Confirm(Schema):
    notice: str


class Evaluate(Schema):
    evaluation: str
    comment: str = ""


class Ask(Schema):
    reasons: str


@api.post("/token", auth=None, response={200: Token, 401: Message}, summary="凭查询码和查询密码取得令牌")
def token(request, body: Credentials):
    from xinfang.portal.views_track import _authenticate

    submission = _authenticate(request, body.query_code, body.password)
    if submission is None:
        return Status(401, {"message": REFUSED})
    until = clock.now().timestamp() + token_minutes() * 60
    return Status(200, {"token": signing.dumps([submission.pk, until], salt=SALT), "expires_in": token_minutes() * 60})


@api.get("/case", response=CaseOut, summary="办理情况（公开部分）")
def case(request):
    submission = request.auth
    out = {
        "title": submission.title,
        "mailbox": submission.mailbox.name,
        "submitted_at": submission.submitted_at.isoformat(),
        "registered": False,
    }
    actor, case = projection.read_case(submission)
    if case is None:
        return out
    p = projection.project(case)
    options = acting.options(actor, case)
    out.update(
        registered=True,
        number=p.number,
        state=p.state,
        handling_unit=p.handling_unit,
        periods=[vars(x) for x in p.periods],
        windows=[vars(x) for x in p.windows],
        notices=[{**vars(n), "confirmable": n.confirmable and options.confirm_receipt} for n in p.notices],
        can_evaluate=options.evaluate,
        evaluation=options.evaluation,
        requests=[
            {
                "action": r.slug,
                "label": r.label,
                "body": r.body,
                "until": r.until,
                "days_left": r.days_left,
                "open": r.open,
            }
            for r in options.requests
        ],
    )
    return out


def _act(request, take, done: str):
    submission = request.auth
    actor = projection.petitioner_actor(submission) if submission.case_id else None
    if actor is None:
        raise HttpError(409, "来信尚未登记，暂不能办理")
    error = take(actor, submission.case_id)
    if error:
        return Status(422, {"message": error})
    return Status(200, {"message": done})


@api.post("/case/confirm", response={200: Message, 409: Message, 422: Message}, summary="确认收到告知书（电子送达）")
def confirm(request, body: Confirm):
    return _act(request, lambda actor, pk: acting.confirm_receipt(actor, pk, body.notice), "已确认收到，送达日期已记录")


@api.post("/case/evaluate", response={200: Message, 409: Message, 422: Message}, summary="评价处理意见")
def evaluate(request, body: Evaluate):
    return _act(
        request,
        lambda actor, pk: acting.evaluate(actor, pk, body.evaluation, body.comment[:500]),
        "已提交您的评价，谢谢",
    )


@api.post("/case/{what}", response={200: Message, 404: Message, 409: Message, 422: Message}, summary="申请复查或复核")
def ask(request, what: str, body: Ask):
    code = {"review": Action.REQUEST_REVIEW, "reexam": Action.REQUEST_REEXAM}.get(what)
    if code is None:
        return Status(404, {"message": "无效的申请"})
    label = "复查" if what == "review" else "复核"
    return _act(request, lambda actor, pk: acting.request(actor, pk, code, body.reasons[:5000]), f"已提交{label}申请")


def _public(view):
    """A portal view like the others: no staff login, never cached."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.__module__ = __name__
    return login_not_required(never_cache(wrapped))


def _exempt(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            _exempt(p.url_patterns)
        elif isinstance(p, URLPattern):
            p.callback = _public(p.callback)
    return patterns


# Included flat in the portal's URLconf (namespace "portal", which the API's reverse() uses).
urlpatterns = _exempt(api.urls[0])
