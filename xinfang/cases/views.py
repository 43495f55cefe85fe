"""Staff screens for cases: workbench, detail, print, attachments, action forms.

Views stay thin: they read through ``xinfang.cases.access`` (never the Case
manager), write through ``xinfang.cases.actions`` and render. An action's
``DomainError`` becomes a message at its field (or at the top of the form)
and the form is shown again with everything the user typed.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.cases import workbench as wb
from xinfang.cases.access import access_case, scoped_cases
from xinfang.cases.action_forms import action_form
from xinfang.cases.actions import do_add_attachments
from xinfang.cases.attachments import ACCEPT, max_mb
from xinfang.cases.deadlines import case_deadlines
from xinfang.cases.errors import Conflict
from xinfang.cases.events import chain_break
from xinfang.cases.forms_workbench import WorkbenchFilterForm
from xinfang.cases.models import CaseEvent, CaseOrg, CasePetitioner
from xinfang.cases.panels import render_panels
from xinfang.cases.permissions import can_attach
from xinfang.cases.spec import buttons, spec_for
from xinfang.cases.states import Notice
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, Role

PAGE_SIZE = 25
DECISION_NOTICES = (Notice.ACCEPTANCE, Notice.DECLINE, Notice.REDIRECT)

DETAIL_RELATED = (
    "category",
    "category__parent",
    "current_org",
    "competent_org",
    "routing_org",
    "registered_org",
    "registered_by",
    "handler",
    "review_org",
    "reexam_org",
    "referring_org",
    "accused_org",
    "repeat_of",
)

# The action says the case moved on (actions.base.STALE); the page re-renders the form with the typed text.
KEPT_ON_CONFLICT = "该信访件已被他人更新，请刷新页面核对后重试（您填写的内容已保留）"


def _is_partial(request) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


# ---------------------------------------------------------------- workbench


NUMBER_LOOKUP_LIMIT = 100


@never_cache
@require_http_methods(["GET", "POST"])
def workbench(request):
    """The tabs and the list. A POST is the look-up by a petitioner's ID or phone number,
    which never travels in a URL (the number is in the body, and the look-up is audited)."""
    user = request.user
    counts = wb.counts(user)
    request._cases_todo_count = counts["todo"]  # the nav badge reuses it
    wb.remember_todo_count(user, counts["todo"])
    tabs = wb.tabs_for(user, counts)
    keys = [t["key"] for t in tabs]
    looking_up = request.method == "POST"
    tab = wb.SEARCH_TAB.key if looking_up else (request.GET.get("tab") or wb.default_tab(user))
    if tab not in keys:
        tab = keys[0]
    searching = tab == wb.SEARCH_TAB.key
    form = WorkbenchFilterForm(
        None if looking_up else (request.GET or None), user=user, default_sort="-received" if searching else "due"
    )
    number = request.POST.get("person_number", "").strip() if looking_up else ""
    qs = form.apply(wb.tab_queryset(user, tab), request=request, person_number=number)
    if looking_up:
        page = Paginator(qs[:NUMBER_LOOKUP_LIMIT], NUMBER_LOOKUP_LIMIT).get_page(1)
    else:
        paginator = wb.CappedPaginator(qs, PAGE_SIZE, user) if searching else Paginator(qs, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    context = {
        "tabs": tabs,
        "tab": tab,
        "current_tab": next(t for t in tabs if t["key"] == tab),
        "form": form,
        "page": page,
        "today": clock.today(),
        "can_register": user.has_role(Role.REGISTRAR, Role.PETITION_OFFICER),
        "can_look_up_numbers": user.can_reveal_pii(),
        "looked_up": looking_up,
        "hint": form.applied.hint,
        "searching": searching,
        "filtered": looking_up or any(v for k, v in request.GET.items() if k not in ("tab", "page", "sort")),
    }
    return render(request, "cases/workbench.html", context)


# ---------------------------------------------------------------- detail


def _load_case(user, pk):
    """The case with everything the detail page shows, in a fixed number of queries."""
    case = (
        scoped_cases(user)
        .select_related(*DETAIL_RELATED)
        .prefetch_related(
            Prefetch("case_petitioners", queryset=CasePetitioner.objects.select_related("petitioner").order_by("pk")),
            Prefetch("participants", queryset=CaseOrg.objects.select_related("org").order_by("added_at", "pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("信访件不存在")
    return case


def _detail_context(request, case):
    user = request.user
    events = list(CaseEvent.objects.filter(case=case).select_related("actor", "actor_org").order_by("at", "pk"))
    deadlines = list(case_deadlines(case).select_related("org"))
    deliveries = list(case.deliveries.select_related("recorded_by").all())
    # The buttons, and the actions the state allows but this user's role or org does not, with why.
    offer = buttons(user, case)
    latest_reply = next((e for e in reversed(events) if e.notice == Notice.REPLY), None)
    case.page_events = events  # for the panels (cases.panels): the history is loaded once per page
    return {
        "case": case,
        "petitioners": list(case.case_petitioners.all()),
        "participants": list(case.participants.all()),
        "events": events,
        "deadlines": deadlines,
        "deliveries": deliveries,
        # The acceptance clock is met by the decision; the petitioner is told only when its notice is delivered.
        "decision_delivered": next(
            (clock.local_date(d.delivered_at) for d in deliveries if d.notice in DECISION_NOTICES), None
        ),
        "attachments": list(case.attachments.all()),
        # Repeats merged into this case, so the original shows them too.
        "repeats": list(scoped_cases(user).filter(repeat_of=case).only("pk", "number").order_by("pk")),
        "can_attach": can_attach(user, case) is None,
        "attach_accept": ACCEPT,
        "max_mb": max_mb(),
        "buttons": [{"action": s.action, "label": s.label, "primary": s.primary} for s in offer.available],
        "refused": [{"label": r.label, "reason": r.reason} for r in offer.refused],
        "latest_reply": latest_reply,
        "today": clock.today(),
        # The hash chain over the events just loaded (no query): a broken one is shown, not hidden.
        "history_break": chain_break(events, version=case.version),
        "panels": render_panels(request, case),  # sections of the apps above cases (cases.panels)
    }


@never_cache
@require_GET
def detail(request, pk):
    case = _load_case(request.user, pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


@never_cache
@require_GET
def print_view(request, pk):
    case = _load_case(request.user, pk)
    context = _detail_context(request, case)
    context["printed_at"] = clock.localtime()
    return render(request, "cases/print.html", context)


@never_cache
@require_GET
def attachment_download(request, pk, aid):
    case = access_case(request.user, pk)
    attachment = case.attachments.filter(pk=aid).first()
    if attachment is None:
        raise Http404("附件不存在")
    record(
        AuditAction.ATTACHMENT_DOWNLOAD,
        request=request,
        target=f"{case.number} 附件#{attachment.pk}",
        detail=attachment.original_name,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_POST
def attachment_upload(request, pk):
    """补充附件: the registration's checks, then back to the case page (or the page again with why not)."""
    user = request.user
    files = request.FILES.getlist("files")
    try:
        stored = do_add_attachments(pk, actor=user, files=files)  # 404 through access_case when out of scope
    except DomainError as err:
        context = _detail_context(request, _load_case(user, pk))
        context["attach_error"] = err.message
        return render(request, "cases/detail.html", context, status=_error_status(err))
    messages.success(request, f"已上传{len(stored)}个附件")
    return redirect("cases:detail", pk=pk)


# ---------------------------------------------------------------- actions


def _error_status(err: DomainError) -> int:
    return err.status


@never_cache
@require_http_methods(["GET", "POST"])
def act(request, pk, action):
    user = request.user
    try:
        spec = spec_for(action)
    except KeyError:
        raise Http404("没有该操作") from None
    case = _load_case(user, pk)
    reason = spec.check(user, case)
    status = 200
    top_error = None
    if request.method == "POST":
        form = action_form(spec, case, user, request.POST)
        posted_version = request.POST.get("version", "")
        if posted_version.isdigit() and int(posted_version) != case.version:
            top_error, status = KEPT_ON_CONFLICT, 409
        elif reason:
            top_error, status = reason, 403
        elif form.is_valid():
            try:
                form.run()
            except DomainError as err:
                top_error = KEPT_ON_CONFLICT if isinstance(err, Conflict) else form.show_error(err)
                status = _error_status(err)
            else:
                wb.forget_todo_count(user)
                messages.success(request, spec.done_message)
                url = reverse("cases:detail", args=[case.pk])
                if _is_partial(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        else:
            status = 422
    else:
        form = action_form(spec, case, user)
    context = {
        "case": case,
        "form": form,
        "action": spec.action,
        "action_label": spec.label,
        "reason": reason,
        "top_error": top_error,
        "conflict": status == 409,
    }
    if _is_partial(request):
        # htmx swaps only 2xx responses: the status stays in a header for scripts and tests.
        response = render(request, "cases/_action_form.html", context)
        response["X-Action-Status"] = str(status)
        return response
    return render(request, "cases/action.html", context, status=status)
