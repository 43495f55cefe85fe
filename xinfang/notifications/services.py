"""``notify``: the one way a notification is written (see the package docstring)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine

from xinfang.core import clock
from xinfang.core.masking import mask_phone
from xinfang.notifications.models import (
    Audience,
    Channel,
    ChannelPreference,
    Delivery,
    Notification,
    NotificationKind,
    SmsConsent,
    StaffContact,
)


class UnknownKind(ValueError):
    """``notify`` was given a kind code that has no row (a typo, or a kind not seeded)."""


_engine = Engine(autoescape=False)  # plain text: the pages escape what they show


@lru_cache(maxsize=512)
def _compiled(source: str):
    return _engine.from_string(source)


def render(source: str, context: Mapping[str, Any]) -> str:
    if not source:
        return ""
    return _compiled(source).render(Context(dict(context), autoescape=False)).strip()


def base_context(case=None, actor=None) -> dict[str, Any]:
    """The values every template may use besides the caller's ``context``."""
    ctx: dict[str, Any] = {"today": clock.today().isoformat()}
    if actor is not None:
        ctx["actor"] = getattr(actor, "name", None) or getattr(actor, "display_name", "") or str(actor)
    if case is not None:
        ctx.update(
            case_number=case.number,
            case_summary=case.summary[:60],
            case_org=getattr(case.current_org, "name", ""),
            received_date=clock.local_date(case.received_at).isoformat() if case.received_at else "",
        )
    return ctx


def delivery_key(dedupe: str, recipient: str, channel: str) -> str:
    """The key sent to the gateway: stable for (dedupe, recipient, channel), opaque (no case number, no phone)."""
    digest = hashlib.sha256(f"{dedupe}\x1f{recipient}\x1f{channel}".encode()).hexdigest()
    return f"xf-{digest[:40]}"


def _ids(items: Iterable) -> list[int]:
    out: list[int] = []
    for item in items:
        pk = item if isinstance(item, int) else item.pk
        if pk is not None and pk not in out:
            out.append(pk)
    return out


def kind_for(code: str) -> NotificationKind:
    try:
        return NotificationKind.objects.get(code=code)
    except NotificationKind.DoesNotExist:
        raise UnknownKind(f"没有代码为“{code}”的通知类型") from None


def notify(
    kind: str,
    *,
    case=None,
    users: Iterable = (),
    petitioners: Iterable = (),
    context: Mapping[str, Any] | None = None,
    dedupe: str,
    actor=None,
) -> int:
    """Write one notification of ``kind`` per recipient, in the caller's transaction; return how many were new.

    Idempotent on (``dedupe``, recipient): a recipient who already has a
    notification with this key gets nothing more (e.g. dedupe
    ``f"deadline:{deadline.pk}:v{version}:due_soon"`` sends a reminder once
    per deadline version). Each new notification is in the staff member's
    inbox and, by their channel choices, e-mailed and sent by SMS; a
    petitioner is sent an SMS only when consent was recorded for ``case``.
    Deliveries are rows written here too and sent by the worker after the
    transaction commits (at least once, retried; see ``delivery``).
    """
    if not dedupe or len(dedupe) > 200:
        raise ValueError("dedupe must be a key of 1 to 200 characters")
    spec = kind_for(kind)
    user_ids = _ids(users)
    petitioner_ids = _ids(petitioners)
    if not spec.is_active or not (user_ids or petitioner_ids):
        return 0
    ctx = base_context(case, actor) | dict(context or {})
    title = render(spec.title_template, ctx)[:300]
    body = render(spec.body_template, ctx)
    sms_text = render(spec.sms_template, ctx) if spec.sms_template else title
    url = str(ctx.get("url") or (f"/cases/{case.pk}/" if case is not None else ""))[:300]
    actor_name = str(ctx.get("actor", ""))[:100]

    with transaction.atomic():
        had_users = set(
            Notification.objects.filter(dedupe=dedupe, user_id__in=user_ids).values_list("user_id", flat=True)
        )
        had_petitioners = set(
            Notification.objects.filter(dedupe=dedupe, petitioner_id__in=petitioner_ids).values_list(
                "petitioner_id", flat=True
            )
        )
        new_users = [u for u in user_ids if u not in had_users]
        new_petitioners = [p for p in petitioner_ids if p not in had_petitioners]
        if not (new_users or new_petitioners):
            return 0
        common = dict(
            kind=spec,
            case=case,
            dedupe=dedupe,
            title=title,
            body=body,
            sms_text=sms_text,
            url=url,
            actor_name=actor_name,
        )
        Notification.objects.bulk_create(
            [Notification(user_id=u, **common) for u in new_users]
            + [Notification(petitioner_id=p, **common) for p in new_petitioners],
            ignore_conflicts=True,  # a concurrent notify with the same key: theirs stands
        )
        written = list(
            Notification.objects.filter(dedupe=dedupe)
            .filter(Q(user_id__in=new_users) | Q(petitioner_id__in=new_petitioners))
            .values_list("pk", "user_id", "petitioner_id")
        )
        deliveries = _plan(spec, case, written, dedupe)
        if deliveries:
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            from xinfang.background import kick
            from xinfang.notifications.tasks import deliver_notifications

            kick(deliver_notifications)
    return len(written)


def _plan(spec: NotificationKind, case, written, dedupe: str) -> list[Delivery]:
    """The e-mail and SMS deliveries the new notifications are owed."""
    now = clock.now()
    users = [u for _pk, u, _p in written if u is not None]
    petitioners = [p for _pk, _u, p in written if p is not None]
    out: list[Delivery] = []
    if users:
        prefs = {row.user_id: row for row in ChannelPreference.objects.filter(kind=spec, user_id__in=users)}
        from django.contrib.auth import get_user_model

        emails = dict(get_user_model().objects.filter(pk__in=users).values_list("pk", "email"))
        mobiles = dict(StaffContact.objects.filter(user_id__in=users).values_list("user_id", "mobile"))
        for pk, user_id, _p in written:
            if user_id is None:
                continue
            pref = prefs.get(user_id)
            wants_email = pref.email if pref else spec.email_default
            wants_sms = pref.sms if pref else spec.sms_default
            if wants_email and emails.get(user_id):
                out.append(_delivery(pk, Channel.EMAIL, dedupe, f"u{user_id}", _mask_email(emails[user_id]), now))
            if wants_sms and mobiles.get(user_id):
                out.append(_delivery(pk, Channel.SMS, dedupe, f"u{user_id}", mask_phone(mobiles[user_id]), now))
    if petitioners and case is not None and spec.audience == Audience.PETITIONER:
        consented = set(
            SmsConsent.objects.filter(case=case, petitioner_id__in=petitioners, consented=True).values_list(
                "petitioner_id", flat=True
            )
        )
        from xinfang.petitioners.models import PetitionerPhone

        masked = {}
        for petitioner_id, kind, number in PetitionerPhone.objects.filter(petitioner_id__in=consented).values_list(
            "petitioner_id", "kind", "masked"
        ):
            if kind == "mobile" and petitioner_id not in masked:
                masked[petitioner_id] = number
        for pk, _u, petitioner_id in written:
            if petitioner_id in masked:
                out.append(_delivery(pk, Channel.SMS, dedupe, f"p{petitioner_id}", masked[petitioner_id], now))
    return out


def _delivery(notification_id, channel, dedupe, recipient, masked, now) -> Delivery:
    return Delivery(
        notification_id=notification_id,
        channel=channel,
        key=delivery_key(dedupe, recipient, channel),
        available_at=now,
        recipient=masked[:200],
    )


def _mask_email(address: str) -> str:
    name, _at, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread when ``ids`` is None); returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())
