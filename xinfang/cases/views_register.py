"""Registration (登记): one keyboard-fast form.

The whole form is posted back for every step (find a petitioner, add or
remove one, quick-create one, check, register), so nothing typed is ever
lost; htmx only makes the petitioner search live. The first submit button in
the form is 查找, so Enter in any field searches instead of registering.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import Registration, do_merge_as_repeat, do_register, intake_warnings
from xinfang.cases.attachments import max_mb, store_attachments
from xinfang.cases.errors import ActionError
from xinfang.cases.forms_register import QuickPetitionerForm, RegistrationForm
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.phones import PhoneError
from xinfang.orgs.models import Role
from xinfang.petitioners import crypto
from xinfang.petitioners.access import scoped_petitioners
from xinfang.petitioners.search import search_petitioners
from xinfang.petitioners.services import register_petitioner

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


def _duplicate_finder(user):
    """The petitioner this user can see with an ID number hash (the /petitioners/new/ check)."""

    def find(id_hash: str):
        return scoped_petitioners(user).filter(id_number_hash=id_hash).only("pk", "name").first()

    return find


def _chosen(user, ids, rep_ids):
    """The chosen petitioners (in the order chosen) that this user may use."""
    found = {p.pk: p for p in scoped_petitioners(user).filter(pk__in=ids)}
    return [{"p": found[i], "rep": i in rep_ids} for i in ids if i in found]


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    _require_registrar(user)
    post = request.POST if request.method == "POST" else None
    form = RegistrationForm(post, request.FILES or None, user=user)
    finder = _duplicate_finder(user)
    if post is not None and "create_petitioner" in post:
        quick = QuickPetitionerForm(post, duplicate_finder=finder)
    elif post is not None and "choose_duplicate" not in post:
        quick = QuickPetitionerForm.typed(post, duplicate_finder=finder)  # nothing typed is lost
    else:
        quick = QuickPetitionerForm(duplicate_finder=finder)
    ids = _int_list(post.getlist("petitioner")) if post else []
    rep_ids = set(_int_list(post.getlist("rep"))) if post else set()
    lookup_q = post.get("q", "") if post else ""
    context = {
        "max_mb": max_mb(),
        "form": form,
        "quick": quick,
        "q": lookup_q,
        "results": None,
        "warnings": [],
        "top_error": "",
    }

    if post is not None:
        add = post.get("add_petitioner", "") or post.get("choose_duplicate", "")
        if add.isdigit():
            pid = int(add)
            if pid not in ids:
                ids.append(pid)
                if not ids[:-1]:
                    rep_ids.add(pid)  # the first petitioner is a representative unless unticked
        elif post.get("remove_petitioner", "").isdigit():
            pid = int(post["remove_petitioner"])
            ids = [i for i in ids if i != pid]
        elif "create_petitioner" in post:
            created = _quick_create(user, quick)
            if created is not None:
                ids.append(created.pk)
                if len(ids) == 1:
                    rep_ids.add(created.pk)
                messages.success(request, f"已登记信访人：{created.name}")
                quick = QuickPetitionerForm()
                context["quick"] = quick
        elif post.get("do") == "lookup":
            context["results"] = search_petitioners(user, lookup_q, LOOKUP_LIMIT) if lookup_q.strip() else []
        elif (
            post.get("do") in ("check", "register")
            or post.get("register_repeat")
            or post.get("register_merge")
            or post.get("do") == "register_anyway"
        ):
            response = _check_or_register(request, form, context, ids, rep_ids)
            if response is not None:
                return response
        context["files_lost"] = bool(request.FILES)
        if not context.get("submitted"):
            form.hide_errors()  # only 检查 and 登记 validate the case section

    context["chosen"] = _chosen(user, ids, rep_ids)
    failed = context.get("submitted") and (form.errors or context.get("petitioner_error"))
    status = 422 if failed else 200
    return render(request, "cases/register.html", context, status=status)


def _quick_create(user, quick):
    if not quick.is_valid():
        return None
    d = quick.cleaned_data
    try:
        return register_petitioner(
            actor=user,
            kind="person",
            name=d["new_name"],
            id_number=d["new_id_number"],
            phones=[d["new_phone"]] if d["new_phone"] else [],
            address=d["new_address"],
        )
    except IdNumberError as err:
        quick.add_error("new_id_number", str(err))
    except PhoneError as err:
        quick.add_error("new_phone", str(err))
    except PermissionDenied as err:
        quick.add_error(None, str(err) or "您无权登记信访人")
    return None


def _check_or_register(request, form, context, ids, rep_ids):
    user = request.user
    do = request.POST.get("do", "")
    context["submitted"] = True
    chosen = _chosen(user, ids, rep_ids)
    missing = "请至少选择或新建一名信访人"
    if context["quick"].open:
        missing = "请先点击“新建并选择”登记下方填写的信访人，或查找并选择已登记的信访人"
    if not form.is_valid():
        if not chosen:
            context["petitioner_error"] = missing
        return None
    if not chosen:
        context["petitioner_error"] = missing
        context["top_error"] = missing
        return None
    d = form.cleaned_data
    warnings = intake_warnings(
        user,
        petitioner_ids=[c["p"].pk for c in chosen],
        category=d["category"],
        place_code=d["place_code"],
        person_count=d["person_count"],
        representatives=sum(1 for c in chosen if c["rep"]),
    )
    context["warnings"] = warnings
    repeat_id = request.POST.get("register_repeat", "")
    merge_id = request.POST.get("register_merge", "")
    confirmed = do == "register_anyway" or repeat_id or merge_id
    if do == "check" or (warnings and not confirmed):
        context["checked"] = True
        if do != "check":
            context["top_error"] = "登记前请核对以下提示；确认无误后可“仍然登记”"
        return None
    original = None
    if repeat_id.isdigit() or merge_id.isdigit():
        original = scoped_cases(user).filter(pk=int(repeat_id or merge_id)).first()
    reg = Registration(
        channel=d["channel"],
        received_at=d["received_at"],
        kind=d["kind"],
        summary=d["summary"],
        content=d["content"],
        petitioners=[(c["p"], c["rep"]) for c in chosen],
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
    try:
        with transaction.atomic():
            case = do_register(reg, actor=user, repeat_of=original if repeat_id else None)
            store_attachments(case, user, getattr(form, "sniffed", []))
    except ActionError as err:
        if err.field == "petitioners":
            context["petitioner_error"] = err.message
        elif err.field and err.field in form.fields:
            form.add_error(err.field, err.message)
        else:
            context["top_error"] = err.message
        return None
    messages.success(request, f"已登记：{case.number}")
    if merge_id and original is not None:
        try:
            do_merge_as_repeat(case, actor=user, original=original, note=ART_19_3_REASON)
            messages.success(request, f"已按重复件并入{original.number}（{ART_19_3_REASON}）")
        except ActionError as err:
            messages.warning(request, f"登记成功，但未能合并：{err.message}")
    return redirect("cases:detail", pk=case.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_lookup(request):
    """Live search results for the registration form (htmx fragment with 选择 buttons)."""
    _require_registrar(request.user)
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "")
    results = search_petitioners(request.user, q, LOOKUP_LIMIT) if q.strip() else None
    return render(request, "cases/_register_lookup.html", {"q": q, "results": results})


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
                duplicate=_duplicate_finder(request.user)(crypto.hash_value(number)),
            )
    return render(request, "cases/_register_id_check.html", context)
