"""Who is told about a tracked item, and who never is.

An accusation's supervision, urging and instructions never reach the accused
unit or person (条例 art 30(3), 46(5)): every recipient list goes through
``exclude_accused``, which drops the accused user, staff of any org in the
accused's reach (``cases.routing_policy.in_reach``), and anyone who may not
open the case at all (the access layer, which hides accusations from the
accused too).
"""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.cases.access import accused_may_not_receive, scoped_cases
from xinfang.orgs.models import Role, User


def unit_staff(org, *roles: str) -> list[int]:
    """Active staff of ``org`` holding one of ``roles``."""
    if org is None:
        return []
    return list(
        User.objects.filter(org=org, is_active=True, role_grants__role__in=roles)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def unit_recipients(case, org) -> list[int]:
    """The people of a unit who act on what it owes: petition officers, the unit head, and the case's handler there."""
    ids = unit_staff(org, Role.PETITION_OFFICER, Role.UNIT_HEAD)
    if case.handler_id and case.handler.org_id == getattr(org, "pk", None) and case.handler_id not in ids:
        ids.append(case.handler_id)
    return ids


def exclude_accused(case, user_ids: Iterable[int | None]) -> list[int]:
    """``user_ids`` without the accused and without anyone who may not open ``case``."""
    wanted = []
    for pk in user_ids:
        if pk is not None and pk not in wanted:
            wanted.append(pk)
    if not wanted:
        return []
    users = User.objects.filter(pk__in=wanted, is_active=True).select_related("org")
    out = []
    for user in users:
        if case.is_accusation and (user.pk == case.accused_user_id or accused_may_not_receive(case, user.org)):
            continue
        if not scoped_cases(user).filter(pk=case.pk).exists():
            continue
        out.append(user.pk)
    return sorted(out)
