"""Staff pages for the petitioner register.

Views stay thin: parse input, go through the access layer, call an action,
render. They never touch ``Petitioner.objects`` (a test enforces it) and
never decrypt except through ``access.reveal``.

Search queries that are ID or phone numbers are sent by POST from the
search box (htmx) and never pushed into the URL, so full numbers stay out
of server access logs and browser history; GET ``?q=`` still works for
links and name searches.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from xinfang.core.errors import DomainError
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.masking import mask_phone
from xinfang.petitioners import crypto
from xinfang.petitioners.access import (
    access_petitioner,
    can_register_petitioners,
    find_registered,
    reveal,
    scoped_petitioners,
)
from xinfang.petitioners.forms import ContactForm, PetitionerForm, RevealForm
from xinfang.petitioners.search import ParsedQuery, parse_query, search_petitioners, search_queryset
from xinfang.petitioners.services import register_or_reuse, update_contact

PAGE_SIZE = 20
# Exact-number searches find a handful of rows; they are shown on one page so
# that no pager link has to carry the number in its URL.
SENSITIVE_PAGE_SIZE = 100
LOOKUP_LIMIT = 10


def _query(request) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return source.get("q", "")


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_list(request):
    q = _query(request)
    try:
        parsed, qs = search_queryset(
            request.user, q, purpose="信访人查询", request=request, from_url=request.method != "POST"
        )
    except DomainError as refused:
        # A number typed by someone who may not look numbers up, too often, or sent in a URL.
        parsed, qs = ParsedQuery("invalid", "", refused.message), scoped_petitioners(request.user).none()
    per_page = SENSITIVE_PAGE_SIZE if parsed.is_sensitive else PAGE_SIZE
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    context = {
        "q": q,
        "parsed": parsed,
        "page": page,
        # Pager links carry the query only when it is not a number (see module doc).
        "page_query": "" if parsed.is_sensitive else urlencode({"q": q}) if q else "",
        "can_register": can_register_petitioners(request.user),
    }
    if _is_partial(request):
        response = render(request, "petitioners/_results.html", context)
        if parsed.is_sensitive:
            push_url(response, False)
        else:
            url = reverse("petitioners:list")
            push_url(response, f"{url}?{urlencode({'q': q})}" if q.strip() else url)
    else:
        response = render(request, "petitioners/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _duplicate_finder(user):
    def find(id_hash: str):
        return scoped_petitioners(user).filter(id_number_hash=id_hash).only("pk", "name").first()

    return find


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_create(request):
    if not can_register_petitioners(request.user):
        raise PermissionDenied("您无权登记信访人")
    if request.method == "POST":
        form = PetitionerForm(request.POST, duplicate_finder=_duplicate_finder(request.user))
        if form.is_valid():
            data = form.cleaned_data
            outcome = register_or_reuse(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                id_number=data["id_number"],
                phones=form.phones(),
                address=data["address"],
                division_code=data["division_code"],
                uscc=data["uscc"],
                legal_representative=data["legal_representative"],
            )
            petitioner = outcome.petitioner
            if outcome.created:
                messages.success(request, f"已登记信访人：{petitioner.name}")
                for warning in form.warnings.get("uscc", []):
                    messages.warning(request, f"{warning}（已保存，可在核实后更正）")
            else:
                # Registered elsewhere in the jurisdiction: that record is used, none is added.
                messages.warning(request, f"{outcome.match.notice}，未重复登记")
                left = _typed_but_not_on_record(form, petitioner)
                if left:
                    messages.info(request, f"您填写的{'、'.join(left)}未写入已有记录；如需更正，请点击“更正住址和电话”")
            return redirect("petitioners:detail", pk=petitioner.pk)
    else:
        form = PetitionerForm(initial={"kind": request.GET.get("kind") or "person"})
    return render(request, "petitioners/form.html", {"form": form})


def _typed_but_not_on_record(form, petitioner) -> list[str]:
    """What the registrar typed that the existing record does not hold (masked), to say it was not saved."""
    on_record = {phone.number_hash for phone in petitioner.phones.all()}
    left = [f"联系电话 {mask_phone(number)}" for number in form.phones() if crypto.hash_value(number) not in on_record]
    address = form.cleaned_data["address"].strip()
    if address and address != petitioner.address:
        left.append("住址")
    return left


@never_cache
@require_POST
def validate_id(request):
    """The live ID check: a fragment for the htmx target under the ID field."""
    if not can_register_petitioners(request.user):
        raise PermissionDenied("您无权登记信访人")
    raw = request.POST.get("id_number", "")
    context = {"raw": raw.strip()}
    if raw.strip():
        try:
            number = normalize_id_number(raw)
        except IdNumberError as error:
            context["error"] = error.message
        else:
            context.update(
                number=number,
                converted=len("".join(raw.split())) == 15,
                birth=f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                sex="男" if int(number[16]) % 2 else "女",
                match=find_registered(request.user, crypto.hash_value(number)),
            )
    return render(request, "petitioners/_id_check.html", context)


@never_cache
@require_GET
def petitioner_detail(request, pk):
    petitioner = access_petitioner(request.user, pk)
    return render(request, "petitioners/detail.html", _detail_context(request, petitioner))


def _detail_context(request, petitioner, *, phones=None, reveal_form=None, revealed=None):
    phones = petitioner.phone_list() if phones is None else phones
    return {
        "petitioner": petitioner,
        "phones": phones,
        "has_secret": petitioner.has_id_number or bool(phones),
        "can_reveal": request.user.can_reveal_pii(),
        "can_correct": can_register_petitioners(request.user),
        "reveal_form": reveal_form or RevealForm(),
        "revealed": revealed,
    }


@never_cache
@require_POST
def petitioner_reveal(request, pk):
    petitioner = access_petitioner(request.user, pk)
    if not request.user.can_reveal_pii():
        raise PermissionDenied("您的角色无权查看完整个人信息")
    form = RevealForm(request.POST)
    # reveal() reads petitioner.phones.all(); prefetching makes it the very
    # rows listed here, so numbers and kinds pair up even under concurrent edits.
    prefetch_related_objects([petitioner], "phones")
    phones = petitioner.phone_list()
    revealed = None
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        # One audit event per field, each with the reason given.
        id_number = ""
        if petitioner.has_id_number:
            id_number = reveal(request.user, petitioner, "id_number", reason=reason, request=request)
        numbers = reveal(request.user, petitioner, "phones", reason=reason, request=request) if phones else []
        revealed = {"id_number": id_number, "phones": list(zip(phones, numbers, strict=True))}
    context = _detail_context(request, petitioner, phones=phones, reveal_form=form, revealed=revealed)
    template = "petitioners/_pii.html" if _is_partial(request) else "petitioners/detail.html"
    return render(request, template, context)


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_lookup(request):
    """Matches as an HTML fragment, for pickers such as case registration.

    Each row carries ``data-petitioner-id`` (and ``data-petitioner-label``)
    so the embedding page can act on a chosen row. POST is accepted so that
    pickers can keep ID and phone numbers out of URLs.
    """
    q = _query(request)
    parsed = parse_query(q)
    try:
        results = search_petitioners(
            request.user, q, LOOKUP_LIMIT, purpose="选择信访人", request=request, from_url=request.method != "POST"
        )
    except DomainError as refused:
        parsed, results = ParsedQuery("invalid", "", refused.message), []
    return render(
        request,
        "petitioners/_lookup.html",
        {"q": q, "parsed": parsed, "results": results, "limit": LOOKUP_LIMIT},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def petitioner_contact(request, pk):
    """Correct the address and phone numbers (更正住址和电话); every change is audited."""
    if not can_register_petitioners(request.user):
        raise PermissionDenied("您无权更正信访人信息")
    petitioner = access_petitioner(request.user, pk)
    phones = petitioner.phone_list()
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST, phones=phones)
        if form.is_valid():
            data = form.cleaned_data
            changes = update_contact(
                actor=request.user,
                petitioner_id=petitioner.pk,
                address=data["address"],
                division_code=data["division_code"],
                replace=form.replacements(),
                remove=form.removals(),
                add=form.added(),
                reason=data["reason"],
                request=request,
            )
            if changes:
                messages.success(request, f"已更正信访人信息：{'；'.join(changes)}（已记入安全审计日志）")
            else:
                messages.info(request, "没有需要保存的更改")
            return redirect("petitioners:detail", pk=petitioner.pk)
        status = 422
    else:
        form = ContactForm(
            initial={"address": petitioner.address, "division_code": petitioner.division_code}, phones=phones
        )
    return render(request, "petitioners/contact.html", {"petitioner": petitioner, "form": form}, status=status)
