"""督办催办 screens: the case page's forms post here; the list of items at /supervision/.

Thin: the case is read through the access layer (out of scope: 404), the
form parses, the action decides. A refusal shows the form again with what
was typed and the reason, with the action's status code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.cases import workbench as wb
from xinfang.cases.access import access_case, scoped_cases
from xinfang.clock.models import Deadline
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.supervision import actions, forms
from xinfang.supervision.models import OPEN, Instruction, SupervisionItem, UrgingSlip


@dataclass(frozen=True)
class Verb:
    label: str
    form: type
    run: Callable  # run(case, item_id, actor, data) -> object
    item: type | None = None  # the item model, for the verbs on one item


def _deadline(case, pk):
    if not pk:
        return None
    found = Deadline.objects.filter(pk=pk, owner_id=case.pk).first()
    if found is None:
        raise Http404("期限不存在")
    return found


VERBS: dict[str, Verb] = {
    "open": Verb(
        "开展督办",
        forms.OpenForm,
        lambda case, _i, who, d: actions.do_open_supervision(case, actor=who, **d),
    ),
    "report": Verb(
        "督办反馈",
        forms.ReportForm,
        lambda case, i, who, d: actions.do_report_supervision(case, i, actor=who, **d),
        SupervisionItem,
    ),
    "conclude": Verb(
        "督办办结",
        forms.ConcludeForm,
        lambda case, i, who, d: actions.do_conclude_supervision(case, i, actor=who, **d),
        SupervisionItem,
    ),
    "continue": Verb(
        "继续督办",
        forms.ContinueForm,
        lambda case, i, who, d: actions.do_continue_supervision(case, i, actor=who, **d),
        SupervisionItem,
    ),
    "escalate": Verb(
        "提级督办",
        forms.EscalateForm,
        lambda case, i, who, d: actions.do_escalate_supervision(case, i, actor=who, **d),
        SupervisionItem,
    ),
    "urge": Verb(
        "发出催办单",
        forms.UrgeForm,
        lambda case, _i, who, d: actions.do_issue_urging(
            case,
            actor=who,
            subject=d["subject"],
            reply_by=d["reply_by"],
            deadline=_deadline(case, d.get("deadline")),
        ),
    ),
    "urge_co": Verb(
        "催促协办反馈",
        forms.UrgeCoForm,
        lambda case, _i, who, d: actions.do_issue_urging(case, actor=who, target="co_feedback", **d),
    ),
    "answer": Verb(
        "答复催办",
        forms.AnswerForm,
        lambda case, i, who, d: actions.do_answer_urging(case, i, actor=who, **d),
        UrgingSlip,
    ),
    "withdraw": Verb(
        "撤回催办单",
        forms.WithdrawForm,
        lambda case, i, who, d: actions.do_withdraw_urging(case, i, actor=who, **d),
        UrgingSlip,
    ),
    "instruct": Verb(
        "领导批示",
        forms.InstructForm,
        lambda case, _i, who, d: actions.do_record_instruction(case, actor=who, **d),
    ),
    "instruction_report": Verb(
        "报告批示落实情况",
        forms.InstructionReportForm,
        lambda case, i, who, d: actions.do_report_instruction(case, i, actor=who, **d),
        Instruction,
    ),
    "instruction_close": Verb(
        "批示办结",
        forms.CloseForm,
        lambda case, i, who, d: actions.do_close_instruction(case, i, actor=who, **d),
        Instruction,
    ),
}


def _form(verb: Verb, case, user, data=None):
    if verb.form is forms.InstructForm:
        return verb.form(data, case=case, actor=user)
    if verb.form is forms.UrgeCoForm:
        return verb.form(data, case=case)
    return verb.form(data)


@never_cache
@require_http_methods(["GET", "POST"])
def act(request, pk, verb, item=None):
    spec = VERBS.get(verb)
    if spec is None or (spec.item is None) != (item is None):
        raise Http404("没有该操作")
    case = access_case(request.user, pk)  # out of scope: 404
    target = None
    if spec.item is not None:
        target = spec.item.objects.filter(case=case, pk=item).select_related("owed_by_org", "issued_org").first()
        if target is None:
            raise Http404("事项不存在")
    status, error = 200, None
    if request.method == "POST":
        form = _form(spec, case, request.user, request.POST)
        if form.is_valid():
            try:
                spec.run(case, item, request.user, form.cleaned_data)
            except DomainError as err:
                status, error = err.status, err.message
                if err.field and err.field in form.fields:
                    form.add_error(err.field, err.message)
                    error = None
            else:
                wb.forget_todo_count(request.user)
                messages.success(request, f"已{spec.label}")
                return redirect("cases:detail", pk=case.pk)
        else:
            status = 422
    else:
        form = _form(spec, case, request.user)
    context = {"case": case, "form": form, "label": spec.label, "target": target, "error": error}
    return render(request, "supervision/action.html", context, status=status)


# ---------------------------------------------------------------- the list of items


PAGE_SIZE = 50

LISTS = {
    "mine": "本单位督办的",
    "reports_due": "进展反馈到期",
    "overdue": "督办超期",
    "owed": "本单位被督办的",
}


def _item_list(user, which: str, today: date):
    from xinfang.cases.permissions import acting_org_ids

    orgs = acting_org_ids(user) if user.org_id else []
    # The org's open items by index ((issued_org | owed_by_org, status)), each probed for the scope: as
    # "case among the scope's cases", SQLite read every case of the scope (5 s at 10^6 for a county's).
    in_scope = Exists(scoped_cases(user).filter(pk=OuterRef("case_id")))
    qs = SupervisionItem.objects.filter(in_scope, status=OPEN)
    if which == "owed":
        qs = qs.filter(owed_by_org__in=orgs)
    else:
        qs = qs.filter(issued_org__in=orgs)
        if which == "reports_due":
            qs = qs.filter(next_report_on__lte=today)
        elif which == "overdue":
            qs = qs.filter(due_on__lt=today)
    return qs.select_related("case", "owed_by_org", "issued_org").order_by("due_on", "pk")


@never_cache
@require_GET
def items(request):
    which = request.GET.get("show") or "mine"
    if which not in LISTS:
        which = "mine"
    today = clock.today()
    # A county bureau supervises a few hundred open items at any time (the listing rules list about one
    # case in sixteen): in pages, counted (the open items of the user's orgs, an index range).
    page = Paginator(_item_list(request.user, which, today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/items.html",
        {"page": page, "rows": page.object_list, "lists": LISTS, "show": which, "title": LISTS[which], "today": today},
    )
