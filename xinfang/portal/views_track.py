"""查询办理进度: sign in with the query code and password, then the case as the petitioner may see it.

A wrong code, a wrong password, a locked code and a rate-limited address get
the same answer, so trying codes tells nothing. ``PORTAL_TRACK_FAILURES``
wrong passwords in a row lock the code for ``PORTAL_TRACK_LOCK_MINUTES``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from xinfang.cases.states import Action
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.documents.actions import documents_for_petitioner
from xinfang.documents.rendering import pdf_bytes
from xinfang.portal import acting, captcha, credentials, limits, periods, projection
from xinfang.portal.forms import AskForm, CaseActionForm, EvaluateForm, MaterialsForm, TrackLoginForm
from xinfang.portal.models import Submission
from xinfang.portal.views import page, portal_view

SIGNED_IN = "portal_submission"
REFUSED = "查询码或查询密码不正确，或尝试次数过多。请核对后再试，或稍后再试。"


@cache
def _dummy_hash() -> str:
    return make_password("not-a-portal-password")


@portal_view
def sign_in(request):
    form = TrackLoginForm(request.POST or None)
    asked, captcha_error = captcha.needed(request), ""
    if request.method == "POST" and form.is_valid():
        if asked and not captcha.passed(request, request.POST.get("captcha", "")):
            captcha_error = captcha.WRONG
        else:
            submission = _authenticate(request, form.cleaned_data["query_code"], form.cleaned_data["password"])
            if submission is not None:
                request.session.cycle_key()
                request.session[SIGNED_IN] = submission.pk
                return redirect("portal:track_view")
            captcha.failed(request)
            form.add_error(None, REFUSED)
    context = {"form": form, "captcha": captcha.needed(request), "captcha_error": captcha_error}
    return page(request, "portal/track_login.html", context, status=200)


def _authenticate(request, code: str, password: str) -> Submission | None:
    digest = credentials.query_code_hash(code)
    allowed = limits.allow(
        limits.Limit("track-ip", limits.client_ip(request), settings.PORTAL_TRACK_PER_IP_HOUR, 3600),
        limits.Limit("track-code", digest, settings.PORTAL_TRACK_PER_IP_HOUR, 3600),
    )
    submission = Submission.objects.filter(query_code_hash=digest).first() if digest else None
    # The hasher runs whatever happens, so a missing code takes as long as a wrong password.
    ok = check_password(password, submission.password if submission else _dummy_hash())
    if not allowed or submission is None or submission.is_locked:
        return None
    if not ok:
        with transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(failed_logins=F("failed_logins") + 1)
            failures = Submission.objects.filter(pk=submission.pk).values_list("failed_logins", flat=True).get()
            if failures >= settings.PORTAL_TRACK_FAILURES:
                until = clock.now() + timedelta(minutes=settings.PORTAL_TRACK_LOCK_MINUTES)
                Submission.objects.filter(pk=submission.pk).update(failed_logins=0, locked_until=until)
        return None
    if submission.failed_logins or submission.locked_until:
        Submission.objects.filter(pk=submission.pk).update(failed_logins=0, locked_until=None)
    return submission


def _signed_in(request) -> Submission | None:
    pk = request.session.get(SIGNED_IN)
    if pk is None:
        return None
    return Submission.objects.filter(pk=pk).select_related("mailbox", "mailbox__org", "category").first()


FLASH = "portal_flash"


@portal_view
def view(request, *, error: str = "", status: int = 200, bound=None):
    """The case page; ``bound`` is the form just posted (refused), shown with its input and errors."""
    submission = _signed_in(request)
    if submission is None:
        return redirect("portal:track")
    context = {"submission": submission, "case": None, "error": error, "done": request.session.pop(FLASH, "")}
    actor, case = projection.read_case(submission)
    if case is not None:
        options = acting.options(actor, case)
        context["case"] = projection.project(case)
        context["options"] = options
        materials = bound if isinstance(bound, MaterialsForm) else MaterialsForm()
        evaluation = bound if isinstance(bound, EvaluateForm) else EvaluateForm()
        asks = {
            r.slug: bound if isinstance(bound, AskForm) and bound.slug == r.slug else _ask_form(r.slug)
            for r in options.requests
            if r.open
        }
        context.update(
            materials_form=materials,
            evaluate_form=evaluation,
            requests=[(r, asks.get(r.slug)) for r in options.requests],
        )
        # The top message links to the refused form's error summary, when that form is on the page.
        shown: list[CaseActionForm] = [
            f for f, on in ((materials, options.add_materials), (evaluation, options.evaluate)) if on
        ]
        shown += list(asks.values())
        if bound is not None and bound.errors and bound in shown:
            context["errors_anchor"] = bound.errors_id
    else:
        context["routing"] = periods.period(
            submission.mailbox.org, Clock.ROUTING, clock.local_date(submission.submitted_at)
        )
    return page(request, "portal/track.html", context, status=status)


ASKS = {"review": (Action.REQUEST_REVIEW, "复查"), "reexam": (Action.REQUEST_REEXAM, "复核")}


def _ask_form(slug: str, data=None) -> AskForm:
    return AskForm(data, slug=slug, label=ASKS.get(slug, ("", "复核"))[1])


def _act(request, take, done: str, form=None):
    """Take an action on the signed-in petitioner's case; back to the case page either way.

    With a form, its field errors come first (422, the page again with the input and each error
    at its field); then the action's own refusal (a rule: already evaluated, the window closed).
    """
    if request.method != "POST":
        return redirect("portal:track_view")
    submission = _signed_in(request)
    if submission is None or submission.case_id is None:
        return redirect("portal:track")
    actor = projection.petitioner_actor(submission)
    if actor is None:
        return redirect("portal:track")
    if form is not None and not form.is_valid():
        messages = [e for errors in form.errors.values() for e in errors]
        return view(request, error="；".join(messages), status=422, bound=form)
    error = take(actor, submission.case_id)
    if error:
        return view(request, error=error, status=422, bound=form)
    request.session[FLASH] = done
    return redirect("portal:track_view")


@portal_view
def confirm(request):
    notice = request.POST.get("notice", "")
    return _act(request, lambda actor, pk: acting.confirm_receipt(actor, pk, notice), "已确认收到，送达日期已记录")


@portal_view
def materials(request):
    form = MaterialsForm(request.POST, request.FILES)

    def take(actor, pk):
        return acting.add_materials(actor, pk, form.cleaned_data["text"], form.cleaned_data["files"])

    return _act(request, take, "已提交补充材料", form)


@portal_view
def evaluate(request):
    form = EvaluateForm(request.POST)

    def take(actor, pk):
        d = form.cleaned_data
        return acting.evaluate(actor, pk, d["evaluation"], d["comment"])

    return _act(request, take, "已提交您的评价，谢谢", form)


@portal_view
def ask(request, what: str):
    code, label = ASKS.get(what, ("", "复核"))
    form = _ask_form(what, request.POST)
    return _act(
        request,
        lambda actor, pk: acting.request(actor, pk, code, form.cleaned_data["reasons"]),
        f"已提交{label}申请",
        form,
    )


@portal_view
def notice_pdf(request, pk: int):
    """An issued notice of the signed-in petitioner's case as PDF (xinfang.documents); anything else is a 404."""
    submission = _signed_in(request)
    if submission is None:
        return redirect("portal:track")
    _actor, case = projection.read_case(submission)
    document = next((d for d in documents_for_petitioner(case) if d.pk == pk), None) if case is not None else None
    if document is None:
        raise Http404
    response = HttpResponse(pdf_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notice-{document.pk}.pdf"'
    return response


@portal_view
def sign_out(request):
    if request.method == "POST":
        request.session.flush()
    return redirect("portal:home")
