"""The access layer: the only way views, the API, exports and search decide
which objects a user may read.

Default deny. A user's reach is the union of the data scopes of their role
grants; an object outside it is reported as missing (404), never as
forbidden, so its existence is not leaked.
"""

from dataclasses import dataclass

from django.db.models import Q

from xinfang.orgs.models import DataScope


@dataclass(frozen=True)
class OrgScope:
    everything: bool = False
    org_ids: frozenset[int] = frozenset()
    paths: tuple[str, ...] = ()  # subtree roots (materialised paths)
    assigned: bool = False  # objects assigned to the user personally

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.org_ids or self.paths or self.assigned)

    def covers_org(self, org) -> bool:
        if org is None:
            return False
        if self.everything:
            return True
        return org.pk in self.org_ids or any(org.path.startswith(p) for p in self.paths)

    def q(self, org_field: str, assigned: Q | None = None) -> Q:
        """A filter on a queryset whose objects belong to an org through `org_field`.

        `assigned` is what "assigned to this user" means for that model; it
        only counts when the user holds a grant with the ASSIGNED scope.
        """
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.org_ids:
            q |= Q(**{f"{org_field}__in": sorted(self.org_ids)})
        for path in self.paths:
            q |= Q(**{f"{org_field}__path__startswith": path})
        if self.assigned and assigned is not None:
            q |= assigned
        return q


NO_SCOPE = OrgScope()


def subtree_root(org):
    """Where "this unit and below" starts: a petition bureau acts for its government (its parent),
    so a bureau's supervisor or statistician over the subtree oversees that whole government's area."""
    from xinfang.orgs.models import OrgKind

    if org.kind == OrgKind.PETITION_BUREAU and org.parent_id is not None:
        return org.parent
    return org


def org_scope(user) -> OrgScope:
    """What part of the org tree this user (or Actor's staff account) may read, from their role grants."""
    from xinfang.orgs.actors import user_of

    user = user_of(user)
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_org_scope", None)
    if cached is not None:
        return cached
    # The superuser flag administers the system; it does not widen what cases or petitioners a
    # person reads: that comes from their role grants alone, like everyone else's.
    everything = False
    org_ids: set[int] = set()
    paths: set[str] = set()
    assigned = False
    org = user.org
    for _role, data_scope in user.grants():
        if data_scope == DataScope.ALL:
            everything = True
        elif data_scope == DataScope.ASSIGNED:
            assigned = True
        elif org is None:
            continue
        elif data_scope == DataScope.OWN_ORG:
            org_ids.add(org.pk)
        elif data_scope == DataScope.SUBTREE:
            paths.add(subtree_root(org).path)
    scope = OrgScope(everything, frozenset(org_ids), tuple(sorted(paths)), assigned)
    user._org_scope = scope
    return scope


def visible_orgs(user):
    from xinfang.orgs.models import Org

    scope = org_scope(user)
    if scope.everything:
        return Org.objects.all()
    q = Q(pk__in=sorted(scope.org_ids))
    for path in scope.paths:
        q |= Q(path__startswith=path)
    if scope.is_empty:
        return Org.objects.none()
    return Org.objects.filter(q)
