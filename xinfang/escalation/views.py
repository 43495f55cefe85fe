"""The card register (问责登记簿): the cards of the units in the viewer's scope, per unit, with filters."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.access import scoped_cases
from xinfang.core.errors import DomainError
from xinfang.escalation.cards import revoke_card, scoped_cards
from xinfang.escalation.models import CardColor
from xinfang.orgs.access import org_scope
from xinfang.orgs.models import Org, Role

PAGE_SIZE = 50
STATUSES = {"standing": "有效", "revoked": "已撤销", "all": "全部"}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filtered(request, qs):
    """Apply the register's filters (color, status, period); returns (qs, the filter values)."""
    color = request.GET.get("color", "")
    status = request.GET.get("status", "standing")
    if status not in STATUSES:
        status = "standing"
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if color in CardColor.values:
        qs = qs.filter(color=color)
    if status == "standing":
        qs = qs.filter(revoked_at__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    if start:
        qs = qs.filter(issued_at__date__gte=start)
    if end:
        qs = qs.filter(issued_at__date__lte=end)
    return qs, {"color": color, "status": status, "from": start, "to": end}


def _render(request, qs, unit: Org | None):
    qs, values = filtered(request, qs.select_related("org", "case", "rule", "revoked_by"))
    page = Paginator(qs.order_by("-issued_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # A card's case is named only to those who may see the case: an accusation is not revealed
    # to the accused unit through its own register.
    visible = set(
        scoped_cases(request.user).filter(pk__in={c.case_id for c in page if c.case_id}).values_list("pk", flat=True)
    )
    units = Org.objects.filter(pk__in=scoped_cards(request.user).values("org")).order_by("path")
    return render(
        request,
        "escalation/register.html",
        {
            "page": page,
            "unit": unit,
            "units": units,
            "visible_cases": visible,
            "colors": CardColor.choices,
            "statuses": STATUSES,
            "f": values,
            "can_revoke": request.user.has_role(Role.SUPERVISOR),
        },
    )


@require_GET
def register(request):
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        return redirect("escalation:unit", org_id=int(unit))
    return _render(request, scoped_cards(request.user), None)


@require_GET
def unit_register(request, org_id: int):
    org = Org.objects.filter(pk=org_id).first()
    if org is None or not org_scope(request.user).covers_org(org):
        raise Http404("单位不存在")
    return _render(request, scoped_cards(request.user).filter(org=org), org)


@require_POST
def revoke(request, pk: int):
    try:
        card = revoke_card(pk, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or "escalation:register")
    messages.success(request, f"已撤销{card.org}的{card.get_color_display()}。")
    return redirect("escalation:unit", org_id=card.org_id)
