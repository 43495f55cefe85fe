"""Case visibility: the only way views, the API, exports and search read cases.

A user sees a case when an org taking part in it (registering, routing,
competent, lead, co-unit, reviewing, ...) lies within the data scope of one
of their role grants, or, with the "assigned" scope, when they are its
handler. Accusations are then removed for the accused unit (and everything
under it) and the accused person, whatever their scope. Anything outside
answers 404, the same as a missing case.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from xinfang.cases.models import Case, CaseOrg, CasePetitioner
from xinfang.cases.predicates import Probe
from xinfang.cases.routing_policy import INDEPENDENT_KINDS, in_reach
from xinfang.cases.states import OPEN_STATES, Kind, ParticipantRole
from xinfang.orgs.access import org_scope, subtree_root
from xinfang.orgs.actors import Actor, as_actor, user_of
from xinfang.orgs.models import PATH_STEP, Org, OrgKind, OrgLevel, Role


def _accused_exclusion(user, prefix: str = "") -> Q:
    """Accusations against the user, or against the user's unit or a unit above it.

    "Above" stops at an independent supervisory body: the staff of a county's
    discipline commission see an accusation against the county government
    (they are who handles it), though the commission sits under it in the tree.
    """
    q = Q(**{f"{prefix}kind": Kind.ACCUSATION, f"{prefix}accused_user": user.pk})
    org = user.org
    if org is not None:
        prefixes = [org.path[:i] for i in range(PATH_STEP, len(org.path) + 1, PATH_STEP)]
        # An independent body between the accused unit and the user's unit shields the user
        # (in SQL, so that it costs no query of its own; cases.routing_policy.reach_prefixes in Python).
        shield = (
            Org.objects.filter(path__in=prefixes, kind__in=INDEPENDENT_KINDS)
            .annotate(depth_chars=Length("path"))
            .filter(depth_chars__gt=Length(OuterRef(f"{prefix}accused_org__path")))
        )
        # Q & an expression is a Q at run time; django-stubs types Q's operators for Q operands only.
        q |= Q(**{f"{prefix}kind": Kind.ACCUSATION, f"{prefix}accused_org__path__in": prefixes}) & ~Exists(shield)  # type: ignore[assignment]
    return q


# Who may read accusation materials (检举控告): the roles that receive, route, handle, decide,
# oversee or supervise them. Not the system administrator (administration of the system is not
# reading petitions) and not the statistician (who counts them without opening them).
ACCUSATION_READERS = frozenset(
    {Role.REGISTRAR, Role.PETITION_OFFICER, Role.HANDLER, Role.UNIT_HEAD, Role.LEADER, Role.SUPERVISOR}
)


def visibility(user, *, prefix: str = "", outer_case: str = "pk") -> tuple[Q | None, Q] | None:
    """(include, exclude) filters for the cases this user may see, or None for none.

    `prefix` and `outer_case` let another model filter through its own case
    (e.g. CasePetitioner: prefix "case__", outer_case "case_id") with
    correlated EXISTS subqueries instead of an IN over the whole case table.
    include None means every case (before the exclusion).
    """
    scope = org_scope(user)
    if scope.is_empty:
        return None
    include = None
    if not scope.everything:
        include = Q(pk__in=[])
        if scope.org_ids or scope.paths:
            # Q | an expression is a Q at run time; django-stubs types Q's operators for Q operands only.
            include |= Probe(CaseOrg.objects.filter(scope.q("org"), case=OuterRef(outer_case)))  # type: ignore[assignment]
        if scope.assigned and not (scope.org_ids or scope.paths) and not prefix:
            # A handler and nothing more sees a few cases among millions. As IN over indexed
            # look-ups (their own cases; their unit's co-unit parts) the database starts from
            # those few; as a correlated EXISTS it walks the newest-first index of every case
            # looking for twenty of them (the whole table when the handler has none).
            include |= Q(handler=user.pk)
            if user.org_id is not None:
                # As ids, not a subquery: inside the OR, PostgreSQL cannot estimate a subquery and
                # walks the newest-first index (it took 143 rows for the 9 of a small unit).
                include |= Q(pk__in=_open_co_parts(user), status__in=sorted(OPEN_STATES))
        elif scope.assigned:
            include |= Q(**{f"{prefix}handler": user.pk})
            if user.org_id is not None:
                # A co-unit's part is unit work with no personal assignment: its handlers see
                # the case while it is open (to report, and to follow it after reporting), not
                # once it has ended (the unit's officer and head, with the unit's scope, still do).
                include |= Probe(
                    CaseOrg.objects.filter(case=OuterRef(outer_case), org=user.org_id, role=ParticipantRole.CO)
                ) & Q(**{f"{prefix}status__in": sorted(OPEN_STATES)})
    exclude = _accused_exclusion(user, prefix)
    if not user.has_role(*ACCUSATION_READERS):
        # Accusation materials are for the roles that handle them (the accuser is named there).
        exclude |= Q(**{f"{prefix}kind": Kind.ACCUSATION})
    return include, exclude


def _open_co_rows(user):
    """The user's unit's co-unit rows on open cases (caseorg_open_idx: bounded by the unit's open
    cases, not its co-unit history): what the "assigned" scope adds for a co-unit's handlers."""
    return CaseOrg.objects.filter(org=user.org_id, role=ParticipantRole.CO, case_open=True).values("case_id")


def _open_co_parts(user) -> list[int]:
    return [row["case_id"] for row in _open_co_rows(user)]


def scoped_cases(who):
    """The cases ``who`` (a staff user or an Actor) may see.

    The system's scheduled work sees every case; a petitioner (the portal)
    sees the cases they petitioned in; staff and integrations see what
    their account's roles and org allow.
    """
    actor = who if isinstance(who, Actor) else None
    if actor is not None and actor.is_system:
        return Case.objects.all()
    if actor is not None and actor.is_petitioner:
        return Case.objects.filter(
            Exists(CasePetitioner.objects.filter(case=OuterRef("pk"), petitioner_id=actor.petitioner_id))
        )
    user = user_of(who)
    if user is None:
        return Case.objects.none()
    rules = visibility(user)
    if rules is None:
        return Case.objects.none()
    include, exclude = rules
    qs = Case.objects.all() if include is None else Case.objects.filter(include)
    return qs.exclude(exclude)


# Participant rows a scope's orgs may hold for its count to start from them (count_up_to).
PARTICIPATION_BUDGET = 20_000


def count_up_to(qs, who, limit: int) -> int:
    """``qs[:limit].count()`` for ``qs`` within ``scoped_cases(who)``, by the shorter of two walks.

    The scope's correlated EXISTS makes the database walk cases (newest first, as the list is sorted)
    and probe each one's participants until ``limit`` match: ``limit`` divided by the scope's share
    of all cases, a share that falls as the city grows (清河县自然资源和规划局, 0.44% of 10^6 cases:
    233,000 probes for 1,021 rows, 308 ms). When the scope's orgs take part in fewer than
    PARTICIPATION_BUDGET cases, the count starts from those rows instead (``caseorg_org_case_idx``,
    a few milliseconds whatever the total). A scope with more (a county's leader, its bureau) has a
    share large enough for the walk to stop soon, and keeps it. Same result either way.
    """
    user = user_of(who)
    narrowing = _own_participations(user) if user is not None else None
    if narrowing is not None:
        qs = qs.filter(narrowing).order_by()
    else:
        qs = first_rows(qs, user, limit)
    return qs[:limit].count()


def first_rows(qs, who, end: int):
    """``qs`` (ordered, within ``scoped_cases(who)``) narrowed to a set of cases holding its first ``end``
    rows, for a scope of the user's own cases and their unit's open co-unit parts; else ``qs``.

    That scope is an OR of two index look-ups, which the database reads whole and sorts for a page:
    every case the handler ever handled (baisha_handler: 7,647 at 10^6 for 6 co-unit parts). In any
    order the first ``end`` rows are among the first ``end`` of the handler's own (read in that order
    from ``case_handler_received_idx`` and stopped there) and the few co-unit parts, so the page and
    its capped count read those. Without co-unit parts the scope is the handler's own cases alone,
    which the index already gives in order."""
    user = user_of(who)
    if user is None or user.org_id is None:
        return qs
    scope = org_scope(user)
    if scope.everything or not scope.assigned or scope.org_ids or scope.paths:
        return qs
    co = _open_co_parts(user)
    if not co:
        return qs
    # A subquery, not ids: the capped count asks for a thousand rows. ``in_select``: beside the OR,
    # PostgreSQL reads a plain IN as a filter over every case.
    own = qs.filter(handler=user.pk).values("pk")[:end]
    return qs.filter(Q(pk__in_select=own) | Q(pk__in=co))


def _scope_orgs_q(scope) -> Q:
    within = Q(pk__in=sorted(scope.org_ids))
    for path in scope.paths:
        within |= Q(path__startswith=path)
    return within


def _own_participations(user) -> Q | None:
    """The scope's include as ``pk IN`` the participant rows of its orgs (by org id, so that
    ``caseorg_org_case_idx`` leads) when there are few of them; else None.

    With the "assigned" scope too, the user's own cases are added; their unit's co-unit parts are
    among the rows when the unit is in scope, and added otherwise. Adding this to the scoped
    queryset changes no count: every case it lets through, the scope's include lets through."""
    scope = org_scope(user)
    if scope.everything or scope.is_empty or not (scope.org_ids or scope.paths):
        return None
    # The org ids themselves, not a path prefix inside the subquery: `path LIKE` leads no index on
    # the participant rows, and SQLite then reads all of them.
    org_ids = list(Org.objects.filter(_scope_orgs_q(scope)).values_list("pk", flat=True))
    rows = CaseOrg.objects.filter(org_id__in=org_ids)
    if rows[:PARTICIPATION_BUDGET].count() >= PARTICIPATION_BUDGET:
        return None
    # Sliced as the probe was, so that the statement itself shows its bound (the EXPLAIN guard
    # lets a read of an org's participant rows through only under this LIMIT).
    # ``in_select``: beside the "assigned" scope's own cases (an OR), PostgreSQL reads it as an array of
    # ids and an index scan of each branch; a plain IN there is a filter over every case.
    return _with_assigned(Q(pk__in_select=rows.values("case_id")[:PARTICIPATION_BUDGET]), user, scope)


def _with_assigned(narrowing: Q, user, scope) -> Q:
    """``narrowing`` and what the "assigned" scope adds beyond the scope's orgs' rows: the user's own
    cases, and their unit's open co-unit parts when the unit is not among those orgs."""
    if not scope.assigned:
        return narrowing
    q = narrowing | Q(handler=user.pk)
    org = user.org
    if org is not None and not (org.pk in scope.org_ids or any(org.path.startswith(p) for p in scope.paths)):
        q |= Q(pk__in_select=_open_co_rows(user))
    return q


WIDE_LEVELS = frozenset({OrgLevel.PROVINCE, OrgLevel.CITY})


def open_in_scope(who) -> Q | None:
    """A superset of the open cases in ``who``'s scope, read from their orgs' open participant rows
    (``caseorg_open_idx``: a county's few thousand open cases, not the city's history); None when
    the scope is every case (or none, or only the user's own), or spans counties, where narrowing
    does not pay.

    For the filters over open cases only (建议催办): ANDed with them, it changes no result, and the
    database starts from the scope's open cases instead of the city's due deadlines. Not bounded
    like _own_participations: the open cases are the to-do volume itself."""
    user = user_of(who)
    if user is None:
        return None
    scope = org_scope(user)
    if scope.everything or scope.is_empty or not (scope.org_ids or scope.paths):
        return None
    if scope.paths and user.org is not None and subtree_root(user.org).level in WIDE_LEVELS:
        # A city's (or province's) subtree: its open cases are most of the city's (55,840 at 10^6),
        # many more rows than the city's due cases and deadlines the filters would read otherwise.
        return None
    # The scope's orgs as a subquery (no query of its own): the database lists them first, then
    # reads each one's open rows from caseorg_open_idx.
    orgs = Org.objects.filter(_scope_orgs_q(scope)).values("pk")
    rows = CaseOrg.objects.filter(org_id__in=orgs, case_open=True).values("case_id")
    return _with_assigned(Q(pk__in=rows), user, scope)


def access_case(who, case_id, *, for_write: bool = False) -> Case:
    """The case if this user may see it; Http404 otherwise (also for a bad id).

    for_write locks the row (SELECT ... FOR UPDATE) and must be called inside
    a transaction; actions use it before checking a transition.
    """
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404("信访件不存在") from None
    qs = scoped_cases(who)
    if for_write:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(pk=pk).first()
    if case is None:
        raise Http404("信访件不存在")
    return case


def accused_may_not_receive(case: Case, org) -> bool:
    """True when sending this accusation to ``org`` would reach the accused (see cases.routing_policy)."""
    return in_reach(case, org)


# --- the same person's other matters (registration: repeats, art 19(3), art 36(3)) -------------


@dataclass(frozen=True)
class MatterHit:
    """Another case of the same person, as much as the clerk may know of it.

    The law needs the clerk to know that the same person has a matter at a
    named body, since when and in what state (条例 art 19(3), 36(3)); the
    case's number and link only when the clerk may open it.
    """

    status: str
    status_label: str
    holder: str  # the body holding it now (competent org, else current)
    received_on: date
    category_id: int | None
    category_parent_id: int | None
    below: bool  # held by a body inside the registering government's area other than the registering org
    ended_on: date | None  # closed or made final on
    window_until: date | None
    case_id: int | None = None  # only when the clerk may open the case
    number: str = ""

    @property
    def visible(self) -> bool:
        return self.case_id is not None

    def same_matter(self, category) -> bool:
        """Same category, or same first-level category (no category given: any)."""
        if category is None:
            return True
        pk = getattr(category, "pk", category)
        parent = getattr(category, "parent_id", None)
        return self.category_id == pk or (parent is not None and self.category_parent_id == parent)


_HIT_FIELDS = (
    "pk",
    "number",
    "kind",
    "status",
    "received_at",
    "category",
    "category__parent",
    "registered_org",
    "routing_org",
    "final_on",
    "closed_on",
    "window_until",
    "competent_org",
    "competent_org__name",
    "competent_org__path",
    "current_org",
    "current_org__name",
    "current_org__path",
)


def _home_government_key(org) -> tuple[int, str]:
    """(id, path) of ``routing_policy.home_government(org)``, from the org's own path (no query).

    An org's path is its parent's path and its own segment, so the parent's path is the org's
    without its last segment.
    """
    if org.kind == OrgKind.GOVERNMENT or org.parent_id is None:
        return org.pk, org.path
    return org.parent_id, org.path[:-PATH_STEP]


def same_person_matters(actor, petitioners, *, limit: int = 20) -> list[MatterHit]:
    """The other cases of these petitioners across the registering government's area.

    The same person is matched by the petitioner record and by the keyed
    hash of the ID number, so a record the township registered is found
    from the county. The area is the actor's government (a petition bureau's
    parent) and everything under it, and a matter reaching it from above.
    Accusations against the actor's own unit (or one above it) are never
    found. Identifiers come only with the cases the actor may open
    (scoped_cases); for the others, the body, the date and the state.
    """
    from xinfang.petitioners.models import Petitioner

    who = as_actor(actor)
    user = user_of(who)
    if user is None or user.org is None:
        return []
    petitioners = [p for p in petitioners if p]
    ids = [getattr(p, "pk", p) for p in petitioners]
    if not ids:
        return []
    loaded = [p for p in petitioners if isinstance(p, Petitioner) and "id_number_hash" in p.__dict__]
    if len(loaded) == len(petitioners):  # the caller's rows carry the hashes: no need to read them again
        hashes = [p.id_number_hash for p in loaded if p.id_number_hash]
    else:
        hashes = [h for h in Petitioner.objects.filter(pk__in=ids).values_list("id_number_hash", flat=True) if h]
    # The person's own links first (a few dozen rows by the petitioner and hash indexes): a UNION of
    # the links by record and by ID hash, each branch through its own index. As a join from the
    # cases SQLite walked every case newest-first looking for twenty of theirs (8.8 s a
    # registration at 10^6 cases); with the two as one OR in the subquery PostgreSQL did the same
    # (a semi-join probed from every case, 203 ms at 10^5), where the UNION takes 0.15 ms.
    links = CasePetitioner.objects.filter(petitioner_id__in=ids).values_list("case_id", flat=True)
    if hashes:
        links = links.union(
            CasePetitioner.objects.filter(petitioner__id_number_hash__in=hashes).values_list("case_id", flat=True)
        )
    person = Q(pk__in=links)
    root_id, root_path = _home_government_key(user.org)
    area = (
        Q(current_org__path__startswith=root_path)
        | Q(competent_org__path__startswith=root_path)
        | Q(registered_org__path__startswith=root_path)
    )
    # Only the columns a hit needs (a plain row per case, no model instances): this runs on
    # every registration, where building and reading the whole case rows cost more than the query.
    matters = Case.objects.filter(person).filter(area).order_by("-received_at")
    found = list(matters.values(*_HIT_FIELDS)[:limit])
    if any(c["kind"] == Kind.ACCUSATION for c in found):
        # The exclusion only ever removes accusations: without one among these, the same rows
        # come back with it, so its (costly to build) filter is applied only when one is there.
        found = list(matters.exclude(_accused_exclusion(user)).values(*_HIT_FIELDS)[:limit])
    # Only the cases found (none, for a person's first matter: then no access rules to build).
    visible = (
        set(scoped_cases(user).filter(pk__in=[c["pk"] for c in found]).values_list("pk", flat=True)) if found else set()
    )
    labels = dict(Case._meta.get_field("status").flatchoices)
    hits = []
    for case in found:
        held = "competent_org" if case["competent_org"] is not None else "current_org"
        holder_id, holder_path = case[held], case[f"{held}__path"]
        # Held by a lower body of the registering government, and not a case this org routed itself.
        ours = user.org_id in (case["registered_org"], case["routing_org"])
        inside = holder_path.startswith(root_path) and holder_id not in (user.org_id, root_id) and not ours
        shown = case["pk"] in visible
        hits.append(
            MatterHit(
                status=case["status"],
                status_label=str(labels.get(case["status"], case["status"])),
                holder=case[f"{held}__name"],
                received_on=timezone.localdate(case["received_at"]),
                category_id=case["category"],
                category_parent_id=case["category__parent"],
                below=inside,
                ended_on=case["final_on"] or case["closed_on"],
                window_until=case["window_until"],
                case_id=case["pk"] if shown else None,
                number=case["number"] if shown else "",
            )
        )
    return hits
