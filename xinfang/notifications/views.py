"""The in-app inbox: list with filters, mark read, the unread badge, channel settings; htmx refreshes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.notifications.models import (
    Audience,
    ChannelPreference,
    Notification,
    NotificationKind,
    StaffContact,
)
from xinfang.notifications.services import mark_read, unread_count

PAGE_SIZE = 30
SHOW = {"unread": "未读", "all": "全部"}


def mine(user):
    """The user's notifications: the inbox's only source (no one reads another's)."""
    return Notification.objects.filter(user=user)


def _own(user, pk) -> Notification:
    note = mine(user).filter(pk=pk).select_related("kind").first()
    if note is None:
        raise Http404("没有这条消息")
    return note


def _filters(request):
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    kind = request.GET.get("kind", "")
    return show, kind


@never_cache
@require_GET
def inbox(request):
    user = request.user
    show, kind = _filters(request)
    qs = mine(user).select_related("kind").order_by("-created_at", "-pk")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind__code=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "kind": kind,
        "shows": SHOW,
        "kinds": NotificationKind.objects.filter(audience=Audience.STAFF).order_by("label"),
        "unread": unread_count(user),
    }
    template = "notifications/_list.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, context)


@require_POST
def read(request, pk):
    note = _own(request.user, pk)
    mark_read(request.user, [note.pk])
    note.refresh_from_db()
    if request.htmx:
        return render(
            request, "notifications/_row.html", {"n": note, "unread": unread_count(request.user), "oob": True}
        )
    return redirect(_back(request))


@require_POST
def read_all(request):
    mark_read(request.user)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "notifications-changed"  # the list and the badge fetch themselves again
        return response
    return redirect(_back(request))


@require_GET
def open_link(request, pk):
    """Follow a notification's link (a path on this site), marking it read."""
    note = _own(request.user, pk)
    mark_read(request.user, [note.pk])
    target = note.url if note.url.startswith("/") and not note.url.startswith("//") else "/notifications/"
    return redirect(target)


@never_cache
@require_GET
def badge(request):
    return render(request, "notifications/_badge.html", {"unread": unread_count(request.user)})


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/notifications/"


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Channels per kind (in-app is always on) and the mobile number SMS goes to."""
    user = request.user
    kinds = list(NotificationKind.objects.filter(audience=Audience.STAFF, is_active=True).order_by("label"))
    prefs = {p.kind_id: p for p in ChannelPreference.objects.filter(user=user)}
    contact = StaffContact.objects.filter(user=user).first()
    error = ""
    mobile = contact.mobile if contact else ""
    if request.method == "POST":
        mobile = request.POST.get("mobile", "").strip()
        if mobile:
            try:
                phone = normalize_phone(mobile)
            except PhoneError as err:
                error = str(err)
            else:
                if phone.kind != "mobile":
                    error = "接收短信须填写手机号码"
                mobile = phone.number
        if not error:
            with transaction.atomic():
                StaffContact.objects.update_or_create(user=user, defaults={"mobile": mobile})
                for k in kinds:
                    ChannelPreference.objects.update_or_create(
                        user=user,
                        kind=k,
                        defaults={
                            "email": f"email-{k.pk}" in request.POST,
                            "sms": f"sms-{k.pk}" in request.POST,
                        },
                    )
            from django.contrib import messages

            messages.success(request, "通知方式已保存")
            return redirect("notifications:preferences")
    rows = []
    for k in kinds:
        p = prefs.get(k.pk)
        rows.append(
            {
                "kind": k,
                "email": p.email if p else k.email_default,
                "sms": p.sms if p else k.sms_default,
            }
        )
    context = {"rows": rows, "mobile": mobile, "error": error, "email": user.email}
    return render(request, "notifications/preferences.html", context, status=422 if error else 200)
