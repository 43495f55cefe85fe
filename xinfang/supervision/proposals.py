"""建议催办: where the system proposes an urging slip.

A case's stored deadline (``clock.Deadline``, open, not paused, one the agency
owes: not the petitioner's windows) falls due within the urging rule's
``days_before`` days (or has passed), and no open urging slip names it. The
rule is data with effective dates (``UrgingRule``; none in force: 3 days).
Only offered to who may urge the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from xinfang.cases.access import open_in_scope
from xinfang.cases.deadlines import open_deadlines
from xinfang.cases.models import Case
from xinfang.cases.permissions import acting_org_ids
from xinfang.cases.states import OPEN_STATES
from xinfang.clock.models import PETITIONER_WINDOWS, Clock, Deadline, DeadlineStatus
from xinfang.core import clock
from xinfang.orgs.models import Role
from xinfang.supervision import rules
from xinfang.supervision.models import OPEN, UrgingRule, UrgingSlip

DEFAULT_DAYS = 3
DEFAULT_REPLY_DAYS = 3


def rule_in_force(on: date | None = None) -> UrgingRule | None:
    on = on or clock.today()
    return (
        UrgingRule.objects.filter(is_active=True, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-pk")
        .first()
    )


RULE_SECONDS = 60


def _rule_values(on: date | None = None) -> tuple[int, int]:
    """(days_before, reply_days) in force on that day; kept a minute in the cache (the workbench asks often)."""
    from django.core.cache import cache

    on = on or clock.today()
    key = f"xinfang:urging-rule:{on.isoformat()}"
    values = cache.get(key)
    if values is None:
        rule = rule_in_force(on)
        values = (rule.days_before, rule.reply_days) if rule is not None else (DEFAULT_DAYS, DEFAULT_REPLY_DAYS)
        cache.set(key, values, RULE_SECONDS)
    return values


def days_before(on: date | None = None) -> int:
    return _rule_values(on)[0]


def reply_days(on: date | None = None) -> int:
    return _rule_values(on)[1]


@dataclass(frozen=True)
class Proposal:
    deadline: Deadline
    days_left: int

    @property
    def subject(self) -> str:
        label = self.deadline.get_clock_display()
        if self.days_left < 0:
            return f"{label}已于{self.deadline.due_date:%Y-%m-%d}届满，已超期{-self.days_left}日，请抓紧办理并说明情况"
        if self.days_left == 0:
            return f"{label}今日届满，请抓紧办理"
        return f"{label}将于{self.deadline.due_date:%Y-%m-%d}届满（还有{self.days_left}日），请抓紧办理"


# Not the agency's duty, so never urged: the petitioner's own windows to ask for review or
# re-examination, and the receiving unit's window to object to a misrouting (a right it may let lapse).
NOT_URGED = sorted({*PETITIONER_WINDOWS, Clock.MISROUTING_OBJECTION})


def _due_q(today: date) -> Q:
    slips = UrgingSlip.objects.filter(deadline=OuterRef("pk"), status=OPEN)
    due = Q(status=DeadlineStatus.OPEN, paused=False, due_date__lte=today + timedelta(days=days_before(today)))
    return due & ~Q(clock__in=NOT_URGED) & ~Q(Exists(slips))


def for_case(actor, case) -> list[Proposal]:
    """The proposals shown on the case page (only to who may urge the case)."""
    if rules.issue_urging(actor, case) is not None:
        return []
    today = clock.today()
    return [
        Proposal(d, (d.due_date - today).days) for d in open_deadlines(case).filter(_due_q(today)).order_by("due_date")
    ]


def todo(actor) -> Q | None:
    """The workbench's 建议催办: cases with a proposal, not held by the actor's own unit."""
    if actor.org_id is None or not actor.has_role(Role.PETITION_OFFICER, Role.SUPERVISOR):
        return None
    today = clock.today()
    deadlines = Deadline.objects.filter(_due_q(today), owner_type=ContentType.objects.get_for_model(Case))
    own = acting_org_ids(actor)
    held_here = Q(competent_org__in=own) | Q(competent_org__isnull=True, current_org__in=own)
    scope_open = open_in_scope(actor)
    if scope_open is None:
        return Q(pk__in=deadlines.values("owner_id"), status__in=sorted(OPEN_STATES)) & ~held_here
    # From the scope's open cases, each asked for a due deadline: the open deadlines due by the
    # horizon are the whole city's, and reading them all would grow with the city.
    due_here = Exists(deadlines.filter(owner_id=OuterRef("pk")))
    return scope_open & Q(due_here, status__in=sorted(OPEN_STATES)) & ~held_here
