"""The workbench tabs of supervision (registered with ``cases.workbench.register_tab``).

Each is "the cases where this actor has something of ours to do", as a
filter over cases (``pk IN (items ...)``, an uncorrelated subquery the
items' (org, status) indexes answer), always on top of the access layer.
As ``in_select`` (``cases.predicates.InSelect``): inside the to-do's OR,
PostgreSQL reads a plain IN as a filter over every case in scope.
A tab whose filter is None for a user (no such role) is not shown.
"""

from __future__ import annotations

from django.db.models import Q

from xinfang.cases.permissions import acting_org_ids
from xinfang.cases.workbench import Tab
from xinfang.supervision import proposals
from xinfang.supervision.models import OPEN, Instruction, SupervisionItem, UrgingSlip
from xinfang.supervision.rules import SUPERVISING_ROLES, UNIT_ROLES


def _orgs(actor) -> list[int]:
    return acting_org_ids(actor) if actor.org_id is not None else []


def supervision_todo(actor) -> Q | None:
    """督办: items my unit supervises, and items on cases my unit holds."""
    orgs = _orgs(actor)
    if not orgs:
        return None
    parts = []
    if actor.has_role(*SUPERVISING_ROLES):
        issued = SupervisionItem.objects.filter(status=OPEN, issued_org__in=orgs)
        parts.append(Q(pk__in_select=issued.values("case_id")))
    if actor.has_role(*UNIT_ROLES):
        owed = SupervisionItem.objects.filter(status=OPEN, owed_by_org__in=orgs)
        parts.append(Q(pk__in_select=owed.values("case_id")))
    if not parts:
        return None
    return parts[0] | parts[1] if len(parts) == 2 else parts[0]


def urging_todo(actor) -> Q | None:
    """待答复催办: open slips to my unit."""
    orgs = _orgs(actor)
    if not orgs or not actor.has_role(*UNIT_ROLES):
        return None
    return Q(pk__in_select=UrgingSlip.objects.filter(status=OPEN, owed_by_org__in=orgs).values("case_id"))


def instruction_todo(actor) -> Q | None:
    """待落实批示: open instructions to my unit or to me."""
    orgs = _orgs(actor)
    if not orgs:
        return None
    q = Q(pk__in_select=Instruction.objects.filter(status=OPEN, to_user=actor.pk).values("case_id"))
    if actor.has_role(*UNIT_ROLES):
        q |= Q(pk__in_select=Instruction.objects.filter(status=OPEN, owed_by_org__in=orgs).values("case_id"))
    return q


TABS = [
    Tab("supervision", "督办", "本单位督办的、或本单位办理的信访件上尚未办结的督办事项", todo=supervision_todo),
    Tab("urging", "待答复催办", "发给本单位、尚未答复的催办单", todo=urging_todo),
    Tab("instructions", "待落实批示", "交本单位（本人）落实、尚未报告落实情况的领导批示", todo=instruction_todo),
    Tab(
        "propose_urging",
        "建议催办",
        lambda: f"期限在{proposals.days_before()}日内届满或已超期、尚未催办的信访件",
        todo=proposals.todo,
        suggestion=True,
    ),
]


def register() -> None:
    from xinfang.cases.workbench import register_tab

    for tab in TABS:
        register_tab(tab)
