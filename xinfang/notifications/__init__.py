"""Notifications: the in-app inbox, e-mail and SMS, driven by case events and by the apps above.

The interface for other apps (supervision, the escalation ladder, the portal)::

    from xinfang.notifications import notify

    notify(kind, *, case=None, users=(), petitioners=(), context=None, dedupe, actor=None) -> int

* ``kind``: the code of a ``NotificationKind`` row (``UnknownKind`` if none).
  Kinds and their Chinese templates are data: seeded by a migration,
  edited in the admin (通知 → 通知类型与模板). Templates use Django template
  syntax over the caller's ``context`` plus ``case_number``,
  ``case_summary``, ``case_org``, ``received_date``, ``actor``, ``today``.
  An inactive kind writes nothing.
* ``users`` (staff, instances or ids) and ``petitioners``: the recipients.
* ``dedupe``: the idempotency key. One notification per (dedupe, recipient),
  ever: call again with the same key and nothing new is written (a sweep
  that runs every minute sends a reminder once). Put in it what makes the
  notice distinct, e.g. ``f"deadline:{d.pk}:v{d.version}:due_in_3"`` or
  ``f"supervision:{item.pk}:report:{n}"``.
* ``actor``: who caused it (shown in the inbox; an ``Actor``, a user or a name).
* Returns how many notifications were new.

It writes in the caller's transaction: the notification exists if and only
if the caller's change commits. A staff member's notification is in their
inbox (``/notifications/``, ``GET /api/v1/notifications``) and, by the
channels they chose for that kind (``/notifications/settings/``; no choice:
the kind's defaults), e-mailed and sent by SMS. A petitioner is sent an SMS
only when consent was recorded at registration for that case
(``SmsConsent``). Each e-mail or SMS is a ``Delivery`` row sent by the worker
after commit: at least once, with its key sent to the gateway, retried with
backoff, finally marked failed for the administrator (``delivery``).

The consumer of the case-event outbox (``consumer``) turns the statutory
notices and routing into notifications through the same function.
"""


def notify(kind, *, case=None, users=(), petitioners=(), context=None, dedupe, actor=None) -> int:
    from xinfang.notifications.services import notify as _notify

    return _notify(kind, case=case, users=users, petitioners=petitioners, context=context, dedupe=dedupe, actor=actor)


__all__ = ["notify"]
