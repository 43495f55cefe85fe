"""Registration (登记): one keyboard-fast form.

The whole form is posted back for every step (find a petitioner, add or
remove one, quick-create one, check, register), so nothing typed is ever
lost; htmx only makes the petitioner search live. Enter in a field submits
nothing (the form's first submit button is a disabled, hidden one), so it
cannot jump the page; each step puts the focus back where the clerk works
next (``context["focus"]``).

A quick-created petitioner is not saved until the case is: it is carried in
the form (``PendingPetitioner``) and created, or the record already
registered in the clerk's jurisdiction used, in the transaction that
registers the case.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import (
    Registration,
    do_decline,
    do_merge_as_repeat,
    do_refuse_final,
    do_register,
    intake_warnings,
)
from xinfang.cases.actions.handling import REFUSE_FINAL_REASON
from xinfang.cases.actions.intake import visible_to_registrar
from xinfang.cases.attachments import max_mb, store_attachments
from xinfang.cases.errors import ActionError
from xinfang.cases.forms_register import PendingPetitioner, QuickPetitionerForm, RegistrationForm
from xinfang.core.errors import DomainError
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.orgs.models import Role
from xinfang.petitioners.access import usable_in_bulk
from xinfang.petitioners.search import parse_query, search_petitioners
from xinfang.petitioners.services import match_id_number, register_or_reuse

LOOKUP_LIMIT = 10
ART_19_3_REASON = "不予受理（第十九条第三款）"


def _require_registrar(user):
    if not user.has_role(Role.REGISTRAR, Role.PETITION_OFFICER):
        raise PermissionDenied("只有登记员或受理交办员可以登记信访件")


def _int_list(values) -> list[int]:
    out = []
    for v in values:
        if str(v).isdigit() and int(v) not in out:
            out.append(int(v))
    return out


def _chosen(user, ids, rep_values, sms_values=frozenset()):
    """The chosen petitioners (in the order chosen) that this user may use."""
    found = usable_in_bulk(user, ids)
    return [{"p": found[i], "rep": str(i) in rep_values, "sms": str(i) in sms_values} for i in ids if i in found]


def _add_case_counts(user, petitioners) -> None:
    """Set ``earlier_cases`` on each: how many cases the user may see that name them (one query)."""
    if not petitioners:
        return
    rows = (
        scoped_cases(user)
        .filter(case_petitioners__petitioner__in=[p.pk for p in petitioners])
        .values_list("case_petitioners__petitioner")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    counts = dict(rows)
    for p in petitioners:
        p.earlier_cases = counts.get(p.pk, 0)


SUBMIT_STEPS = ("check", "register", "register_anyway")


def _step(post) -> str:
    """Which button sent the form."""
    if post is None:
        return ""
    if post.get("add_petitioner", "").isdigit() or post.get("choose_duplicate", "").isdigit():
        return "add"
    if post.get("remove_petitioner", "").isdigit():
        return "remove"
    if post.get("remove_new", "").isalnum():
        return "remove_new"
    if "create_petitioner" in post:
        return "create"
    if "clear_quick" in post:
        return "clear_quick"
    if post.get("do") == "lookup":
        return "lookup"
    if post.get("do") in SUBMIT_STEPS or any(
        post.get(k) for k in ("register_repeat", "register_merge", "register_then")
    ):
        return "submit"
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    _require_registrar(user)
    post = request.POST if request.method == "POST" else None
    step = _step(post)
    form = RegistrationForm(post, request.FILES or None, user=user)
    pending = PendingPetitioner.from_post(post, user) if post else []
    if step == "create":
        quick = QuickPetitionerForm(post, user=user, taken={p.id_hash for p in pending if p.id_number})
    elif post is not None and step not in ("clear_quick",) and "choose_duplicate" not in post:
        quick = QuickPetitionerForm.typed(post, user=user)  # nothing typed is lost
    else:
        quick = QuickPetitionerForm(user=user)
    ids = _int_list(post.getlist("petitioner")) if post else []
    rep_values = set(post.getlist("rep")) if post else set()
    # Petitioners who consent to be told the statutory notices by SMS (ids, or new-<key> for a quick-created one).
    sms_values = set(post.getlist("sms")) if post else set()
    lookup_q = post.get("q", "") if post else ""
    context = {
        "max_mb": max_mb(),
        "form": form,
        "quick": quick,
        "q": lookup_q,
        "results": None,
        "warnings": [],
        "top_error": "",
        "focus": "id_q",
    }

    if step == "add":
        pid = int(post.get("add_petitioner", "") or post["choose_duplicate"])
        if pid not in ids:
            ids.append(pid)
            if len(ids) == 1 and not pending:
                rep_values.add(str(pid))  # the first petitioner is a representative unless unticked
        context["focus"] = "id_channel"  # on to the case
    elif step == "remove":
        pid = int(post["remove_petitioner"])
        context["focus"] = _focus_after_removal(ids, pending, f"remove-{pid}")
        ids = [i for i in ids if i != pid]
    elif step == "remove_new":
        key = post["remove_new"]
        context["focus"] = _focus_after_removal(ids, pending, f"remove-new-{key}")
        pending = [p for p in pending if p.key != key]
    elif step == "create":
        if quick.is_valid():
            added = quick.pending(_next_key(pending))
            pending.append(added)
            if not ids and len(pending) == 1:
                rep_values.add(added.rep_value)
            if added.match is not None:
                messages.info(request, added.match.notice)
            quick = QuickPetitionerForm(user=user)
            context["quick"] = quick
            context["focus"] = "id_channel"
        else:
            context["focus"] = f"id_{next(iter(quick.errors))}" if quick.errors else "id_new_name"
    elif step == "clear_quick":
        context["focus"] = "id_new_name"
    elif step == "lookup":
        context["results"], context["id_match"], context["lookup_refused"] = _lookup(user, lookup_q, request)
        if context["results"] is None:
            context["results"] = []
    elif step == "submit":
        response = _check_or_register(request, form, context, ids, pending, rep_values, sms_values)
        if response is not None:
            return response
    if post is not None:
        context["files_lost"] = bool(request.FILES)
        if not context.get("submitted"):
            form.hide_errors()  # only 检查 and 登记 validate the case section

    context["chosen"] = _chosen(user, ids, rep_values, sms_values)
    context["sms_values"] = sms_values
    context["pending"] = [(p, p.rep_value in rep_values) for p in pending]
    _apply_focus(context, form, quick)
    failed = context.get("submitted") and (form.errors or context.get("petitioner_error"))
    status = 422 if failed else 200
    return render(request, "cases/register.html", context, status=status)


def _apply_focus(context, form, quick) -> None:
    """Mark the element named by ``context["focus"]`` with autofocus (one per page)."""
    focus = context["focus"]
    if focus.startswith("remove-new-"):
        context["focus_pending"] = focus.removeprefix("remove-new-")
    elif focus.startswith("remove-") and focus[7:].isdigit():
        context["focus_chosen"] = int(focus[7:])
    for f in (form, quick):
        for name, field in f.fields.items():
            if f[name].id_for_label == focus:
                field.widget.attrs["autofocus"] = True


def _next_key(pending) -> str:
    used = {p.key for p in pending}
    n = 1
    while f"n{n}" in used:
        n += 1
    return f"n{n}"


def _focus_after_removal(ids, pending, removed: str) -> str:
    """After 移除: the 移除 of the row taking its place (or the one before); the search box when none is left."""
    buttons = [f"remove-{i}" for i in ids] + [f"remove-new-{p.key}" for p in pending]
    if removed not in buttons or len(buttons) == 1:
        return "id_q"
    i = buttons.index(removed)
    rest = buttons[:i] + buttons[i + 1 :]
    return rest[min(i, len(rest) - 1)]


def _check_or_register(request, form, context, ids, pending, rep_values, sms_values=frozenset()):
    user = request.user
    do = request.POST.get("do", "")
    context["submitted"] = True
    chosen = _chosen(user, ids, rep_values, sms_values)
    quick = context["quick"]
    if quick.has_typed:
        # Typed below but never added: refuse rather than guess whether it is meant.
        context["petitioner_error"] = "下方“新建信访人”已填写但尚未加入：请点击“新建并选择”，或点击“清空”后再登记"
    elif not chosen and not pending:
        context["petitioner_error"] = "请至少选择或新建一名信访人"
    if not form.is_valid() or context.get("petitioner_error"):
        context["focus"] = _first_error_focus(form, context)
        if form.is_valid():
            context["top_error"] = context["petitioner_error"]
        return None
    d = form.cleaned_data
    reps = sum(1 for c in chosen if c["rep"]) + sum(1 for p in pending if p.rep_value in rep_values)
    # The rows, not their ids: the matters look-up takes the ID number hashes from them.
    known = [c["p"] for c in chosen] + [p.match.petitioner for p in pending if p.match is not None]
    warnings = intake_warnings(
        user,
        petitioner_ids=known,
        category=d["category"],
        place_code=d["place_code"],
        person_count=d["person_count"],
        representatives=reps,
        kind=d["kind"],
        accused_org=d["accused_org"],
    )
    context["warnings"] = warnings
    repeat_id = request.POST.get("register_repeat", "")
    merge_id = request.POST.get("register_merge", "")
    then = _then(request.POST.get("register_then", ""), warnings)
    confirmed = do == "register_anyway" or repeat_id or merge_id or then
    if do == "check" or (warnings and not confirmed):
        context["checked"] = True
        context["focus"] = "h-warn" if warnings else "do-check"
        if do != "check":
            context["top_error"] = "登记前请核对以下提示；确认无误后可“仍然登记”"
        return None
    original = None
    if repeat_id.isdigit() or merge_id.isdigit():
        original = scoped_cases(user).filter(pk=int(repeat_id or merge_id)).first()
    reused = []
    try:
        with transaction.atomic():
            # The quick-created people are saved here, with the case, or not at all.
            petitioners = [(c["p"], c["rep"]) for c in chosen]
            sms_consent = [c["p"].pk for c in chosen if c["sms"]]
            for p in pending:
                outcome = register_or_reuse(
                    actor=user,
                    kind="person",
                    name=p.name,
                    id_number=p.id_number,
                    phones=[p.phone] if p.phone else [],
                    address=p.address,
                )
                if not outcome.created:
                    reused.append(outcome.match.notice)
                if all(outcome.petitioner.pk != q.pk for q, _rep in petitioners):
                    petitioners.append((outcome.petitioner, p.rep_value in rep_values))
                if p.rep_value in sms_values:
                    sms_consent.append(outcome.petitioner.pk)
            reg = _registration(d, petitioners)
            reg.sms_consent = sms_consent
            case = do_register(reg, actor=user, repeat_of=original if repeat_id else None)
            store_attachments(case, user, getattr(form, "sniffed", []))
    except DomainError as err:
        if err.field == "petitioners":
            context["petitioner_error"] = err.message
        elif err.field and err.field in form.fields:
            form.add_error(err.field, err.message)
        else:
            context["top_error"] = err.message
        context["focus"] = _first_error_focus(form, context)
        return None
    except PermissionDenied as err:
        context["top_error"] = str(err) or "您无权登记信访人"
        return None
    messages.success(request, f"已登记：{case.number}")
    for notice in reused:
        messages.info(request, notice)
    if merge_id and original is not None:
        try:
            do_merge_as_repeat(case, actor=user, original=original, note=ART_19_3_REASON)
            messages.success(request, f"已按重复件并入{original.number}（{ART_19_3_REASON}）")
        except ActionError as err:
            messages.warning(request, f"登记成功，但未能合并：{err.message}")
    if then is not None:
        verb, warning = then
        try:
            if verb == "decline":
                do_decline(case, actor=user, reason=_decline_reason(warning))
                messages.success(request, "已不予受理（第十九条第三款），并出具不予受理告知书")
            else:
                do_refuse_final(case, actor=user, reason=REFUSE_FINAL_REASON)
                messages.success(request, "已不再受理（第三十六条第三款），并出具不再受理告知书")
        except ActionError as err:
            messages.warning(
                request, f"登记成功，但未能{'不予受理' if verb == 'decline' else '不再受理'}：{err.message}"
            )
    if not visible_to_registrar(user, case):
        # An accusation against this unit (or one above it) went up at registration (回避转送).
        messages.info(
            request,
            f"被反映的是本单位或其上级，{case.number}已按回避规定转送{case.current_org.name}，本单位不能查看该件",
        )
        return redirect("cases:workbench")
    return redirect("cases:detail", pk=case.pk)


def _then(value: str, warnings):
    """("decline" | "refuse_final", the warning) for a 登记并… button that the warnings offered, else None."""
    verb, _sep, index = value.partition(":")
    if not index.isdigit() or int(index) >= len(warnings):
        return None
    warning = warnings[int(index)]
    return (verb, warning) if verb in warning.offers and verb in ("decline", "refuse_final") else None


def _decline_reason(warning) -> str:
    return (
        warning.message.split("，依《信访工作条例》", 1)[0] + "，依据《信访工作条例》第十九条第三款，本机关不予受理。"
    )


def _first_error_focus(form, context) -> str:
    if context.get("petitioner_error"):
        return "id_new_name" if context["quick"].has_typed else "id_q"
    for name in form.fields:
        if name in form.errors:
            return form[name].id_for_label or "id_q"
    return "id_q"


def _registration(d, petitioners) -> Registration:
    return Registration(
        channel=d["channel"],
        received_at=d["received_at"],
        kind=d["kind"],
        summary=d["summary"],
        content=d["content"],
        petitioners=petitioners,
        person_count=d["person_count"],
        category=d["category"],
        urgency=d["urgency"],
        importance=d["importance"],
        place_code=d["place_code"],
        place_name=d["place_name"],
        referring_org=d["referring_org"],
        referring_ref=d["referring_ref"],
        leader_instruction=d["leader_instruction"],
        accused_name=d["accused_name"],
        accused_org=d["accused_org"],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_lookup(request):
    """Live search results for the registration form (htmx fragment with 选择 buttons)."""
    _require_registrar(request.user)
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "")
    results, id_match, refused = _lookup(request.user, q, request)
    context = {"q": q, "results": results, "id_match": id_match, "lookup_refused": refused}
    return render(request, "cases/_register_lookup.html", context)


def _lookup(user, q, request=None):
    """The matches the user may see (with their earlier cases), and, for a full ID number
    nobody in scope holds, the record already registered in the jurisdiction (masked)."""
    if not q.strip():
        return None, None, ""
    try:
        results = search_petitioners(
            user,
            q,
            LOOKUP_LIMIT,
            purpose="登记信访件时查找信访人",
            request=request,
            from_url=request is not None and request.method != "POST",
        )
    except DomainError as refused:
        return [], None, refused.message
    _add_case_counts(user, results)
    parsed = parse_query(q)
    id_match = None
    if not results and parsed.kind == "id_number":
        id_match = match_id_number(user, parsed.value)
    return results, id_match, ""


@never_cache
@require_POST
def check_id(request):
    """Live ID number validation under the quick-create field."""
    _require_registrar(request.user)
    raw = request.POST.get("new_id_number", "").strip()
    context = {"raw": raw}
    if raw:
        try:
            number = normalize_id_number(raw)
        except IdNumberError as err:
            context["error"] = str(err)
        else:
            context.update(
                ok=True,
                birth=f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                sex="男" if int(number[16]) % 2 else "女",
                match=match_id_number(request.user, number),
            )
    return render(request, "cases/_register_id_check.html", context)
