"""办事指南: the petitioner's rights and duties, the channels, the legal routes, the periods, reception days.

The texts are the bureau's (``GuideSection``, edited in the admin, in force by date);
the periods come from the clock's rule set in force, never from the text.
"""

from __future__ import annotations

from django.http import Http404

from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.portal import periods
from xinfang.portal.models import GuideSection, GuideTopic, Mailbox, ReceptionDay
from xinfang.portal.views import page, portal_view


@portal_view
def index(request):
    return page(request, "portal/guide_index.html", {"topics": GuideTopic.choices})


@portal_view
def topic(request, topic: str):
    if topic not in GuideTopic.values:
        raise Http404
    today = clock.today()
    context = {
        "topic": GuideTopic(topic).label,
        "sections": GuideSection.objects.in_force(today).filter(topic=topic),
        "periods": _periods(today) if topic == GuideTopic.PERIODS else [],
    }
    return page(request, "portal/guide_topic.html", context)


def _periods(today) -> list[str]:
    """The steps and their periods at the bureau letters are addressed to (the first open mailbox's)."""
    mailbox = Mailbox.objects.filter(is_active=True).select_related("org").first()
    if mailbox is None:
        return []
    steps = periods.next_steps(mailbox.org, today)
    reexam = periods.period(mailbox.org, Clock.REEXAM_WINDOW, today)
    if reexam is not None:
        steps.append(f"对复查意见不服的，可以在收到复查意见之日起{reexam}内请求复核。")
    return steps


@portal_view
def reception(request):
    days = ReceptionDay.objects.filter(on__gte=clock.today())
    return page(request, "portal/guide_reception.html", {"days": days})
