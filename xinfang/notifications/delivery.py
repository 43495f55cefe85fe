"""Sending deliveries: claim with a lease, send, mark sent; retry with backoff; fail for good at last.

At least once: a delivery is marked sent only after the gateway took it, in
a compare-and-set on the claim, so a worker killed between the two leaves
it claimed until its lease runs out; then another worker (or the same one,
restarted) sends it again with the same key. A gateway that honours the key
(``Idempotency-Key``; the e-mail's Message-ID) sees a repeat, never a second
message; nothing is left unsent.

Claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (several
workers share the queue) and a compare-and-set update on SQLite.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q

from xinfang.core import clock
from xinfang.notifications.gateways import GatewayError, SmsMessage, sms_gateway
from xinfang.notifications.models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    StaffContact,
)

log = logging.getLogger("xinfang.notifications")

MAX_BACKOFF = timedelta(hours=6)
_DIGITS = re.compile(r"\d{7,}")


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF)


def _scrub(text: str) -> str:
    """An error text fit for a log: any long run of digits (a phone number) masked."""
    return _DIGITS.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)[:500]


def _claimable(now):
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, available_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim(*, limit: int, worker: str = "") -> tuple[str, list[int]]:
    now = clock.now()
    token = f"{worker or 'worker'}:{secrets.token_hex(6)}"[:64]
    until = now + lease()
    with transaction.atomic():
        candidates = _claimable(now).order_by("available_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            ids = list(candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Delivery.objects.filter(pk__in=ids).update(claimed_by=token, lease_until=until)
            return token, ids
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        _claimable(now).filter(pk__in=ids).update(claimed_by=token, lease_until=until)
        return token, list(Delivery.objects.filter(pk__in=ids, claimed_by=token).values_list("pk", flat=True))


@dataclass
class Result:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: Result) -> Result:
        return Result(self.sent + other.sent, self.retried + other.retried, self.failed + other.failed)

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed

    def __str__(self) -> str:
        return f"sent={self.sent} retried={self.retried} failed={self.failed}"


class Sender:
    """The gateways of one batch (one SMS gateway, one open e-mail connection)."""

    def __init__(self):
        self._sms = None
        self._mail = None

    @property
    def sms(self):
        if self._sms is None:
            self._sms = sms_gateway()
        return self._sms

    def mail(self):
        if self._mail is None:
            self._mail = get_connection(fail_silently=False)
            self._mail.open()
        return self._mail

    def close(self):
        if self._mail is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self._mail.close()

    def gateway_name(self, delivery) -> str:
        if delivery.channel == Channel.SMS:
            return getattr(self.sms, "name", type(self.sms).__name__)[:40]
        return settings.EMAIL_BACKEND.rsplit(".", 2)[-2][:40] if "." in settings.EMAIL_BACKEND else "email"

    def send(self, delivery: Delivery) -> str:
        n = delivery.notification
        if delivery.channel == Channel.SMS:
            return self.sms.send(SmsMessage(to=_mobile(n), text=n.sms_text or n.title, key=delivery.key))
        if delivery.channel == Channel.EMAIL:
            address = getattr(n.user, "email", "") if n.user_id else ""
            if not address:
                raise GatewayError("接收人没有电子邮件地址", retryable=False)
            body = n.body or n.title
            if n.url and settings.SITE_URL:
                body += f"\n\n{settings.SITE_URL.rstrip('/')}{n.url}"
            message = EmailMessage(
                subject=n.title,
                body=body,
                to=[address],
                headers={"Message-ID": f"<{delivery.key}@xinfang>", "X-Xinfang-Dedupe-Key": delivery.key},
            )
            self.mail().send_messages([message])
            return ""
        raise GatewayError(f"未知的发送方式：{delivery.channel}", retryable=False)


def _mobile(notification) -> str:
    if notification.petitioner_id:
        for phone in notification.petitioner.phones.all():
            if phone.kind == "mobile":
                return phone.decrypt_number()
        raise GatewayError("信访人没有手机号码", retryable=False)
    mobile = StaffContact.objects.filter(user_id=notification.user_id).values_list("mobile", flat=True).first()
    if not mobile:
        raise GatewayError("接收人没有登记手机号码", retryable=False)
    return mobile


def deliver_batch(*, limit: int | None = None, worker: str = "") -> Result:
    """Claim up to ``limit`` due deliveries, send them, record each outcome; returns the counts."""
    token, ids = claim(limit=limit or settings.NOTIFY_BATCH, worker=worker)
    if not ids:
        return Result()
    rows = list(
        Delivery.objects.filter(pk__in=ids, claimed_by=token)
        .select_related("notification", "notification__user", "notification__petitioner")
        .prefetch_related("notification__petitioner__phones")
        .order_by("pk")
    )
    sender = Sender()
    outcomes: list[tuple[Delivery, GatewayError | None, str]] = []
    try:
        for delivery in rows:
            try:
                ref = sender.send(delivery)
                outcomes.append((delivery, None, ref))
            except GatewayError as err:
                outcomes.append((delivery, err, ""))
            except Exception as err:  # noqa: BLE001 — a broken message must not stop the batch
                outcomes.append((delivery, GatewayError(f"{type(err).__name__}: {err}", retryable=True), ""))
    finally:
        sender.close()
    return _record(outcomes, token, worker, sender)


def _record(outcomes, token: str, worker: str, sender: Sender) -> Result:
    now = clock.now()
    result = Result()
    log_rows = []
    sent_by_ref: dict[str, list[int]] = defaultdict(list)
    with transaction.atomic():
        for delivery, err, ref in outcomes:
            number = delivery.attempts + 1
            gateway = sender.gateway_name(delivery)
            if err is None:
                sent_by_ref[ref[:100]].append(delivery.pk)
                outcome, detail = AttemptOutcome.SENT, ref
            else:
                final = not err.retryable or number >= settings.NOTIFY_MAX_ATTEMPTS
                detail = _scrub(str(err))
                changed = Delivery.objects.filter(pk=delivery.pk, claimed_by=token).update(
                    attempts=number,
                    claimed_by="",
                    lease_until=None,
                    available_at=now + backoff(number),
                    status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
                    failed_at=now if final else None,
                    last_error=detail,
                )
                if not changed:
                    continue  # the lease ran out and another worker has it: its attempt counts
                outcome = AttemptOutcome.FAILED if final else AttemptOutcome.RETRY
                if final:
                    result.failed += 1
                    log.error("delivery %s (%s) failed for good: %s", delivery.pk, delivery.recipient, detail)
                else:
                    result.retried += 1
            log_rows.append(
                DeliveryAttempt(
                    delivery_id=delivery.pk,
                    at=now,
                    number=number,
                    outcome=outcome,
                    gateway=gateway,
                    recipient=delivery.recipient,
                    detail=detail[:500],
                    worker=worker[:64],
                )
            )
        for ref, pks in sent_by_ref.items():
            result.sent += Delivery.objects.filter(pk__in=pks, claimed_by=token, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_by="",
                lease_until=None,
                gateway_ref=ref,
                last_error="",
            )
        DeliveryAttempt.objects.bulk_create(log_rows)
    return result


def deliver_all(*, worker: str = "", budget: float | None = None, limit: int | None = None) -> Result:
    """Send batches until nothing is due now (or ``budget`` seconds have passed)."""
    started = time.monotonic()
    total = Result()
    while True:
        r = deliver_batch(limit=limit, worker=worker)
        total = total + r
        if r.total == 0:
            return total
        if budget is not None and time.monotonic() - started > budget:
            return total


def retry_failed(queryset) -> int:
    """Send failed deliveries again (the administrator's action): due now, attempts kept for the log."""
    return queryset.filter(status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, available_at=clock.now(), failed_at=None, claimed_by="", lease_until=None
    )
