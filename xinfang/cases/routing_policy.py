"""Where a case may go: the routing policy and the accused's reach.

交办 (assign) hands a case down to a unit that must report the result back,
so it stays inside the router's own government (its petition bureau routes
for that government). 转送 (forward) sends a case to the organ with
competence (条例 art 22), which may lie outside the router's area: another
county's department, a city bureau, the discipline commission. It is
allowed explicitly, with nothing reported back.

Neither may reach the accused (条例 art 30(3), 46(5)). The accused's reach is
the accused unit and the units under it, except the supervisory bodies that
sit under a government in the org tree but answer to no one in its chain of
command (discipline and supervision commissions, courts, procuratorates, the
people's congress and the CPPCC): an accusation against a county government
may still go to the county's discipline commission. An accused person's
reach is their own unit.

The actions call ``check_target``; the forms offer ``targets`` (what the
actions would accept, grouped), so the two surfaces agree by construction.
"""

from __future__ import annotations

from django.db.models import Q

from xinfang.cases.errors import Invalid
from xinfang.cases.states import Action, Kind
from xinfang.orgs.models import Org, OrgKind, OrgLevel

# Bodies that supervise the government rather than serve under it.
INDEPENDENT_KINDS = frozenset(
    {
        OrgKind.DISCIPLINE,
        OrgKind.COURT,
        OrgKind.PROCURATORATE,
        OrgKind.CONGRESS,
        OrgKind.CPPCC,
        OrgKind.PARTY_COMMITTEE,
    }
)


# --- the accused's reach --------------------------------------------------------------------------


def reach_prefixes(org) -> list[str]:
    """The paths of the units whose accusations ``org`` may not see or receive.

    ``org`` itself and its ancestors, up to (and including) the nearest
    independent supervisory body at or above it. Cached on the org instance.
    """
    cached = getattr(org, "_reach_prefixes", None)
    if cached is not None:
        return cached
    ancestors = list(org.ancestors(include_self=True).only("pk", "path", "kind"))
    cut = 0
    for index, ancestor in enumerate(ancestors):
        if ancestor.kind in INDEPENDENT_KINDS:
            cut = index
    org._reach_prefixes = [a.path for a in ancestors[cut:]]
    return org._reach_prefixes


def in_reach(case, org) -> bool:
    """True when sending this accusation to ``org`` (or showing it there) would reach the accused."""
    if case.kind != Kind.ACCUSATION or org is None:
        return False
    if case.accused_org_id and case.accused_org.path in reach_prefixes(org):
        return True
    return bool(case.accused_user_id and case.accused_user.org_id == org.pk)


def reach_exclusion(case) -> Q | None:
    """A filter of the orgs in the accused's reach (to exclude them from a list), or None."""
    if case.kind != Kind.ACCUSATION:
        return None
    q = Q(pk__in=[])
    if case.accused_org_id:
        accused = case.accused_org
        independent = Org.objects.filter(path__startswith=accused.path, kind__in=INDEPENDENT_KINDS).exclude(
            pk=accused.pk
        )
        inside = Q(path__startswith=accused.path)
        for path in independent.values_list("path", flat=True):
            inside &= ~Q(path__startswith=path)
        q |= inside
    if case.accused_user_id and case.accused_user.org_id:
        q |= Q(pk=case.accused_user.org_id)
    return q


def accused_note(case) -> str:
    """Why the accused unit is missing from a routing form's lists (empty when nothing is left out)."""
    if case.kind != Kind.ACCUSATION:
        return ""
    names = []
    if case.accused_org_id:
        names.append(f"被反映单位（{case.accused_org.name}）及其下级单位")
    if case.accused_user_id and case.accused_user.org_id:
        names.append(f"被反映人所在单位（{case.accused_user.org.name}）")
    if not names:
        return ""
    return f"{'、'.join(names)}不在可选范围内（检举控告件不得交转被反映单位）"


# --- routing targets -------------------------------------------------------------------------------


def home_government(org) -> Org | None:
    """The government a body belongs to: a petition bureau's or department's parent, a government itself."""
    if org is None:
        return None
    if org.kind == OrgKind.GOVERNMENT or org.parent_id is None:
        return org
    return org.parent


def _active(qs):
    return qs.filter(is_active=True)


def targets(case, actor, action) -> list[tuple[str | None, list[Org]]]:
    """The orgs the actor may route this case to, grouped for the form (what check_target accepts)."""
    root = home_government(actor.org)
    if root is None:
        return []
    own = _active(root.subtree()).exclude(pk=case.current_org_id)
    exclusion = reach_exclusion(case)
    if exclusion is not None:
        own = own.exclude(exclusion)
    own_list = list(own.order_by("path"))
    if action == Action.ASSIGN:
        return [(None, own_list)]
    # Forwarding elsewhere: bodies at county level and above outside the router's area
    # (a village committee or another county's township is reached through its own county).
    elsewhere = (
        _active(Org.objects.all())
        .exclude(path__startswith=root.path)
        .filter(level__in=[OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY])
        .exclude(kind=OrgKind.VILLAGE_COMMITTEE)
    )
    if exclusion is not None:
        elsewhere = elsewhere.exclude(exclusion)
    return [
        (f"{root.name}所属单位", own_list),
        ("其他地区或上级的有权处理机关（跨区域转送）", list(elsewhere.order_by("path")[:500])),
    ]


def check_target(case, actor, action, org, *, field: str, label: str) -> None:
    """Refuse a routing target the policy does not allow, saying why (at ``field``)."""
    if org is None:
        raise Invalid(f"请选择{label}", field=field)
    if org.pk == case.current_org_id:
        raise Invalid(f"{label}不能是本单位", field=field)
    if in_reach(case, org):
        raise Invalid(f"检举控告件不得交转给被反映人或被反映单位（{org.name}）", field=field)
    root = home_government(actor.org)
    if action == Action.ASSIGN and (root is None or not org.path.startswith(root.path)):
        raise Invalid(
            f"{org.name}不在{root.name if root else '本级'}范围内，不能交办；跨区域的有权处理机关请用“转送”",
            field=field,
        )
    # No home government (no org) counts as outside it, as for ASSIGN above.
    outside = root is None or not org.path.startswith(root.path)
    if action == Action.FORWARD and outside and org.kind == OrgKind.VILLAGE_COMMITTEE:
        raise Invalid(f"{org.name}是其他地区的基层组织，请转送其所在县（市、区）的有权处理机关", field=field)


# --- accusations the registering unit may not hold ---------------------------------------------


def lawful_recipient(case, org) -> Org | None:
    """Where an accusation goes when the registering ``org`` is itself within the accused's reach.

    The nearest petition bureau up the tree that is outside the reach (the
    next level up when the accused is the bureau or its government); failing
    that, a discipline commission outside it. None when ``org`` may hold it.
    """
    if not in_reach(case, org):
        return None
    for government in reversed(list(org.ancestors())):
        if government.kind != OrgKind.GOVERNMENT:
            continue
        for candidate in government.children.filter(kind=OrgKind.PETITION_BUREAU, is_active=True):
            if not in_reach(case, candidate):
                return candidate
    discipline = Org.objects.filter(kind=OrgKind.DISCIPLINE, is_active=True).order_by("-depth")
    return next((d for d in discipline if not in_reach(case, d)), None)
