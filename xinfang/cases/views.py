"""Staff screens for cases: workbench, detail, print, attachments, action forms.

Views stay thin: they read through ``xinfang.cases.access`` (never the Case
manager), write through ``xinfang.cases.actions`` and render. An action's
``ActionError`` becomes a message at its field (or at the top of the form)
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
from xinfang.cases.attachments import ACCEPT, add_attachments, max_mb
from xinfang.cases.deadlines import case_deadlines
from xinfang.cases.errors import Conflict
from xinfang.cases.forms import ACTION_FORMS
from xinfang.cases.forms_workbench import WorkbenchFilterForm
from xinfang.cases.models import CaseEvent, CaseOrg, CasePetitioner
from xinfang.cases.permissions import available_actions, can_attach, check
from xinfang.cases.states import TRANSITIONS, Action, Notice
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, Role

PAGE_SIZE = 25

# Buttons on the case page, in the order a clerk expects them.
ACTION_ORDER = [
    Action.ASSIGN,
    Action.FORWARD,
    Action.SIGN_FOR,
    Action.RETURN,
    Action.ACCEPT,
    Action.DECLINE,
    Action.REDIRECT,
    Action.MERGE_AS_REPEAT,
    Action.ASSIGN_HANDLER,
    Action.RECORD_STEP,
    Action.CO_REPORT,
    Action.REQUEST_EXTENSION,
    Action.APPROVE_EXTENSION,
    Action.REJECT_EXTENSION,
    Action.START_HEARING,
    Action.END_HEARING,
    Action.DRAFT_REPLY,
    Action.REPLY,
    Action.RECORD_DELIVERY,
    Action.EVALUATE,
    Action.REPORT_BACK,
    Action.CONFIRM_CLOSURE,
    Action.SEND_BACK,
    Action.CLOSE,
    Action.REQUEST_REVIEW,
    Action.REVIEW,
    Action.REQUEST_REEXAM,
    Action.REEXAMINE,
    Action.FINALIZE,
]
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


def _is_partial(request) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


# ---------------------------------------------------------------- workbench


@never_cache
@require_GET
def workbench(request):
    user = request.user
    counts = wb.counts(user)
    request._cases_todo_count = counts["todo"]  # the nav badge reuses it
    tab = request.GET.get("tab") or wb.default_tab(user)
    if tab not in ("all", wb.SEARCH_TAB.key) and tab not in wb.TAB_KEYS:
        tab = "all"
    searching = tab == wb.SEARCH_TAB.key
    form = WorkbenchFilterForm(request.GET or None, user=user)
    qs = form.apply(wb.tab_queryset(user, tab), default_sort="received" if searching else "due")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [{"key": "all", "label": "全部待办", "count": counts["todo"], "help": "需要本人或本单位处理的信访件"}]
    tabs += [{"key": t.key, "label": t.label, "count": counts[t.key], "help": t.help} for t in wb.TABS]
    # Not counted in the tab bar (it would count every case in scope); the list says how many.
    tabs.append({"key": wb.SEARCH_TAB.key, "label": wb.SEARCH_TAB.label, "count": None, "help": wb.SEARCH_TAB.help})
    context = {
        "tabs": tabs,
        "tab": tab,
        "current_tab": next(t for t in tabs if t["key"] == tab),
        "form": form,
        "page": page,
        "today": clock.today(),
        "can_register": user.has_role(Role.REGISTRAR, Role.PETITION_OFFICER),
        "searching": searching,
        "filtered": any(v for k, v in request.GET.items() if k not in ("tab", "page", "sort")),
    }
    return render(request, "cases/workbench.html", context)


# ---------------------------------------------------------------- detail


def _load_case(user, pk):
    """The case with everything the detail page shows, in a fixed number of queries."""
    case = (
        scoped_cases(user)
        .select_related(*DETAIL_RELATED)
        .prefetch_related(
            Prefetch("case_petitioners", queryset=CasePetitioner.objects.select_related("petitioner")),
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
    case.prefetched_notice_events = [e for e in events if e.notice]
    deadlines = list(case_deadlines(case).select_related("org"))
    allowed = set(available_actions(user, case))
    buttons = [a for a in ACTION_ORDER if a in allowed]
    # Actions the state allows but this user's role or org does not: say why.
    refused = []
    for a in ACTION_ORDER:
        if a in allowed or case.status not in TRANSITIONS[a][0]:
            continue
        refused.append({"label": Action(a).label, "reason": check(user, a, case)})
    latest_reply = next((e for e in reversed(events) if e.notice == Notice.REPLY), None)
    return {
        "case": case,
        "petitioners": list(case.case_petitioners.all()),
        "participants": list(case.participants.all()),
        "events": events,
        "deadlines": deadlines,
        "deliveries": list(case.deliveries.select_related("recorded_by").all()),
        "attachments": list(case.attachments.all()),
        # Repeats merged into this case, so the original shows them too.
        "repeats": list(scoped_cases(user).filter(repeat_of=case).only("pk", "number").order_by("pk")),
        "can_attach": can_attach(user, case) is None,
        "attach_accept": ACCEPT,
        "max_mb": max_mb(),
        "buttons": [{"action": a, "label": Action(a).label, "primary": ACTION_FORMS[a].primary} for a in buttons],
        "refused": refused,
        "latest_reply": latest_reply,
        "today": clock.today(),
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
        stored = add_attachments(pk, actor=user, files=files)  # 404 through access_case when out of scope
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
    form_class = ACTION_FORMS.get(action)
    case = _load_case(user, pk)
    if form_class is None:
        raise Http404("没有该操作")
    if action == Action.RECORD_DELIVERY:
        case.prefetched_notice_events = list(
            CaseEvent.objects.filter(case=case).exclude(notice="").order_by("at", "pk").only("notice")
        )
    reason = check(user, action, case)
    status = 200
    top_error = None
    if request.method == "POST":
        form = form_class(request.POST, case=case, user=user)
        posted_version = request.POST.get("version", "")
        if posted_version.isdigit() and int(posted_version) != case.version:
            err = Conflict("该信访件已被他人更新，请刷新页面核对后重试（您填写的内容已保留）")
            top_error, status = err.message, 409
        elif reason:
            top_error, status = reason, 403
        elif form.is_valid():
            try:
                form.run()
            except DomainError as err:
                if err.field and err.field in form.fields and err.field != "version":
                    form.add_error(err.field, err.message)
                else:
                    top_error = err.message
                status = _error_status(err)
            else:
                messages.success(request, f"已{Action(action).label}")
                url = reverse("cases:detail", args=[case.pk])
                if _is_partial(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        else:
            status = 422
    else:
        form = form_class(case=case, user=user, initial={"version": case.version})
    context = {
        "case": case,
        "form": form,
        "action": action,
        "action_label": Action(action).label,
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
