"""The supervision consumer of the case-event outbox (``cases.outbox``).

* **Registration** and **a leader's instruction**: the listing rules
  (``listing.apply_listing``) may require 挂牌督办.
* **The case moved to another unit** (交办、转送、签收、受理、退回...): open
  supervision items follow it, so ``owed_by_org`` is the unit holding the
  case, and the new unit is told (once per item and unit).

It runs in the outbox entry's transaction: what it writes commits with the
entry's "done" mark, and an entry delivered again finds the work done.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from xinfang.cases.states import Action, TrackedAction
from xinfang.core import clock
from xinfang.supervision import listing, notices, rules
from xinfang.supervision.models import SupervisionItem

NAME = "supervision"
DESCRIPTION = "督办：挂牌督办规则、督办事项随件转移"

LISTING_EVENTS = frozenset({Action.REGISTER, TrackedAction.INSTRUCTION_RECORD})


def on_case_event(event) -> None:
    if event.action in LISTING_EVENTS:
        if event.at >= clock.now() - timedelta(days=settings.NOTIFY_EVENT_MAX_AGE_DAYS):
            listing.apply_listing(event.case_id)
        return
    if event.action in TrackedAction.values:
        return
    follow_holder(event.case)


def follow_holder(case) -> int:
    """Open items owed by a unit that no longer holds the case move to the one that does.

    Whoever at the owing unit has not yet been told is told (a handler named
    later, too): the notification's key is per item and unit, so those told
    before are not told again.
    """
    unit = rules.holder(case)
    moved = 0
    with transaction.atomic():
        items = (
            SupervisionItem.objects.select_for_update(of=("self",))
            .filter(case=case, status="open")
            .select_related("issued_org", "owed_by_org", "case")
        )
        for item in items:
            if item.owed_by_org_id != unit.pk and item.issued_org_id != unit.pk:
                item.owed_by_org = unit
                item.save(update_fields=["owed_by_org"])
                moved += 1
            notices.supervision_opened(item, actor=listing.SYSTEM)
    return moved
