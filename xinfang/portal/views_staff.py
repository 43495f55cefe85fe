"""The staff pages of the portal's letters: 网上信访待登记 and registering one (on the staff site)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xinfang.cases.access import scoped_cases
from xinfang.cases.errors import DomainError
from xinfang.cases.forms_register import RegistrationForm
from xinfang.portal import inbox as letters


def _require_clerk(user):
    if not letters.is_clerk(user):
        raise PermissionDenied("只有登记员或受理交办员可以登记网上信访")


@never_cache
def inbox(request):
    _require_clerk(request.user)
    rows = list(
        letters.inbox(request.user)
        .select_related("mailbox", "category", "category__parent")
        .order_by("submitted_at", "pk")
    )
    flagged = letters.open_case_hashes(request.user, [s.id_number_hash for s in rows])
    items = [{"s": s, "open_case": s.id_number_hash in flagged} for s in rows]
    return render(request, "portal/staff/inbox.html", {"items": items})


@never_cache
@require_http_methods(["GET", "POST"])
def register(request, pk):
    user = request.user
    _require_clerk(user)
    submission = letters.access_submission(user, pk)
    if request.method == "POST":
        form = RegistrationForm(request.POST, user=user)
        if form.is_valid():
            warnings = letters.warnings_for(user, submission, form.cleaned_data)
            repeat_id = request.POST.get("register_repeat", "")
            confirmed = request.POST.get("do") == "register_anyway" or repeat_id.isdigit()
            if warnings and not confirmed:
                return _page(request, submission, form, warnings, checked=True)
            original = scoped_cases(user).filter(pk=int(repeat_id)).first() if repeat_id.isdigit() else None
            try:
                case, outcome = letters.register(user, submission.pk, form.cleaned_data, repeat_of=original)
            except DomainError as err:
                if err.field and err.field in form.fields:
                    form.add_error(err.field, err.message)
                else:
                    form.add_error(None, err.message)
                return _page(request, submission, form, warnings, status=422)
            messages.success(request, f"已登记：{case.number}")
            if not outcome.created:
                messages.info(request, outcome.match.notice)
            if not scoped_cases(user).filter(pk=case.pk).exists():
                return redirect("portal_staff:inbox")  # an accusation against this unit went up (回避转送)
            return redirect("cases:detail", pk=case.pk)
        return _page(request, submission, form, letters.warnings_for(user, submission), status=422)
    form = RegistrationForm(initial=letters.initial(submission), user=user)
    return _page(request, submission, form, letters.warnings_for(user, submission))


def _page(request, submission, form, warnings, *, checked=False, status=200):
    context = {"submission": submission, "form": form, "warnings": warnings, "checked": checked}
    return render(request, "portal/staff/register.html", context, status=status)
