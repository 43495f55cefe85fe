"""Who may read which petitioner, and the only way to see unmasked PII.

Every view, search, export and API endpoint gets petitioners from
``scoped_petitioners`` or ``access_petitioner``; nothing outside this module
and maintenance commands uses ``Petitioner.objects`` directly (a test greps
the views for it).

Base rule: a user sees the petitioners registered by an org inside their
data scope (``xinfang.orgs.access.org_scope``), or shared with such an org
(``PetitionerShare``: an org that registered the same ID number found the
record in its jurisdiction and uses it); a grant with the ASSIGNED scope
adds the petitioners the user registered personally.

Identity across a jurisdiction
------------------------------
``find_registered(user, id_hash)`` answers "is this ID number already
registered?" across the user's jurisdiction (``jurisdiction_root``), not
just their scope, so that a county bureau does not register again a person
a township under the same government registered. It matches by the keyed
hash only and returns the record without granting anything; the caller
decides to use it (``services.register_or_reuse``).

Widening the rule from other apps
---------------------------------
The cases app will let a handler see the petitioners of the cases their unit
handles, although another org registered them. It does so without this
module importing the cases app (which would invert the dependency)::

    # xinfang/cases/apps.py
    class CasesConfig(AppConfig):
        def ready(self):
            from xinfang.petitioners.access import EXTRA_SCOPE_BUILDERS
            from xinfang.cases.access import petitioners_of_visible_cases
            EXTRA_SCOPE_BUILDERS.append(petitioners_of_visible_cases)

Each builder is ``fn(user) -> Q`` over ``Petitioner`` and is OR-ed with the
base rule, so it can only widen what a user sees, never narrow it. Rules for
builders:

* Return ``Q(pk__in=[])`` for "nothing more". An empty ``Q()`` would mean
  "everything" and is refused with ``ValueError`` so that no builder widens
  the scope to the whole register by accident.
* Prefer ``Q(pk__in=<subquery of petitioner ids>)`` to a join across a
  to-many relation, which would duplicate rows (and break pagination counts).
* Builders are only called for authenticated, active users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from xinfang.core.masking import mask_name
from xinfang.orgs.access import org_scope
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction, Org, OrgKind, Role
from xinfang.petitioners.models import Petitioner, PetitionerShare

__all__ = [
    "EXTRA_SCOPE_BUILDERS",
    "all_usable",
    "usable_in_bulk",
    "REVEALABLE_FIELDS",
    "REGISTER_ROLES",
    "RegisteredMatch",
    "access_petitioner",
    "can_register_petitioners",
    "find_registered",
    "jurisdiction_root",
    "reveal",
    "scope_q",
    "scoped_petitioners",
]

EXTRA_SCOPE_BUILDERS: list[Callable[..., Q]] = []

# Roles that register petitioners: the staff who receive petitions (art 23:
# a competent org receiving a petition directly registers it itself).
REGISTER_ROLES = frozenset({Role.REGISTRAR, Role.PETITION_OFFICER})

# field name -> label written to the audit log and shown in the UI.
REVEALABLE_FIELDS = {"id_number": "身份证号码", "phones": "联系电话"}


def _is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff(who):
    """The staff account behind ``who`` (a user, or an Actor acting through one)."""
    from xinfang.orgs.actors import user_of

    return user_of(who)


def scope_q(user) -> Q | None:
    """The filter of petitioners ``user`` may read; None means every petitioner.

    Exposed so other apps can combine it (e.g. in an Exists() subquery);
    most code wants ``scoped_petitioners``.
    """
    user = _staff(user)
    if not _is_active_user(user):
        return Q(pk__in=[])
    scope = org_scope(user)
    if scope.everything:
        # Short-circuit: Q() | Q(x) is Q(x) in Django, so "everything" must
        # not be OR-ed with the extra builders below.
        return None
    q = scope.q("org", assigned=Q(created_by=user))
    shared = PetitionerShare.objects.filter(scope.q("org"))
    q |= Q(pk__in=shared.values("petitioner_id"))
    for builder in EXTRA_SCOPE_BUILDERS:
        extra = builder(user)
        if not extra:
            raise ValueError(f"{builder!r} returned an empty Q(), which would grant every petitioner")
        q |= extra
    return q


def scoped_petitioners(user) -> QuerySet[Petitioner]:
    """The petitioners ``user`` may read (default deny)."""
    q = scope_q(user)
    qs = Petitioner.objects.all()
    return qs if q is None else qs.filter(q)


def all_usable(user, petitioners) -> bool:
    """Whether ``user`` may read every one of ``petitioners`` (rows or ids), as ``scoped_petitioners`` says.

    Rows read from the database whose own org lies in the user's scope are decided from the
    rows (registration passes the rows it just read through ``scoped_petitioners``); anything
    else, a bare id, an unsaved object, a record shared with the user's org, is asked of the
    database in one count.
    """
    items = list(petitioners)
    ids = {getattr(p, "pk", p) for p in items}
    staff = _staff(user)
    if items and _is_active_user(staff):
        scope = org_scope(staff)
        if all(
            isinstance(p, Petitioner)
            and not p._state.adding
            and p._state.db is not None
            and (scope.everything or p.org_id in scope.org_ids)
            for p in items
        ):
            return True
    return scoped_petitioners(user).filter(pk__in=ids).count() == len(ids)


def usable_in_bulk(user, ids) -> dict[int, Petitioner]:
    """``scoped_petitioners(user).in_bulk(ids)``, without building the whole scope for the usual case.

    Registration names a few petitioners, nearly always records of the clerk's own org, and
    runs all day: those rows are read by id and kept when their org is one the user's scope
    names; only the others (shared records, petitioners of cases the user sees) are looked up
    through the full scope.
    """
    ids = list(dict.fromkeys(ids))
    staff = _staff(user)
    if not ids or not _is_active_user(staff):
        return {}
    scope = org_scope(staff)
    rows = Petitioner.objects.in_bulk(ids)
    if scope.everything:
        return rows
    found = {pk: p for pk, p in rows.items() if p.org_id in scope.org_ids}
    rest = [pk for pk in rows if pk not in found]
    if rest:
        found.update(scoped_petitioners(user).in_bulk(rest))
    return found


def access_petitioner(user, pk, *, for_write: bool = False) -> Petitioner:
    """One petitioner the user may read, or Http404 exactly as if it did not exist.

    ``for_write`` locks the row for the rest of the caller's transaction.
    """
    qs = scoped_petitioners(user).select_related("org", "created_by")
    if for_write:
        qs = qs.select_for_update(of=("self",))
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        # A malformed id is as missing as an unknown or out-of-scope one.
        raise Http404("没有找到该信访人") from None
    return get_object_or_404(qs, pk=pk)


def jurisdiction_root(org: Org | None) -> Org | None:
    """The government an org belongs to: itself when it is one, else its nearest government above.

    A petition bureau or a department belongs to the government above it, so
    the county bureau's jurisdiction is the county government's whole subtree
    (townships and villages included). An org with no government above is
    its own root.
    """
    if org is None:
        return None
    if org.kind == OrgKind.GOVERNMENT:
        return org
    above = org.ancestors().filter(kind=OrgKind.GOVERNMENT).last()
    return above or org


@dataclass(frozen=True)
class RegisteredMatch:
    """A petitioner already registered with an ID number, and whether the user may already see them."""

    petitioner: Petitioner
    visible: bool

    @property
    def org_name(self) -> str:
        return self.petitioner.org.name

    @property
    def masked_name(self) -> str:
        return mask_name(self.petitioner.name)

    @property
    def id_masked(self) -> str:
        return self.petitioner.id_masked

    @property
    def notice(self) -> str:
        """What the clerk is told when the record is used instead of a new one."""
        return f"该身份证号码已登记（{self.org_name}），将使用已有信访人记录"


def find_registered(user, id_hash: str) -> RegisteredMatch | None:
    """The petitioner already registered with this ID number hash in the user's jurisdiction, or None.

    One the user may see comes first (``visible=True``); otherwise the
    earliest registered anywhere under the user's government
    (``jurisdiction_root``), which the user may not see yet: show them no
    more of it than ``RegisteredMatch`` offers (the registering org, the
    masked name and ID number). Matching is by the keyed hash, never by
    decrypting; an empty hash matches nothing.
    """
    if not id_hash or not _is_active_user(user):
        return None
    from xinfang.petitioners import lookups

    # Whether a number is registered is itself a reveal-class answer: checked, audited, rate-limited.
    lookups.authorize(user, kind="id_number", digest=id_hash, purpose="登记信访人时核对是否已登记")
    visible = scoped_petitioners(user).filter(id_number_hash=id_hash).select_related("org").order_by("pk").first()
    if visible is not None:
        return RegisteredMatch(visible, True)
    root = jurisdiction_root(user.org)
    if root is None:
        return None
    found = (
        Petitioner.objects.filter(id_number_hash=id_hash, org__path__startswith=root.path)
        .select_related("org")
        .order_by("created_at", "pk")
        .first()
    )
    return RegisteredMatch(found, False) if found is not None else None


def can_register_petitioners(user) -> bool:
    """Whether ``user`` may register new petitioners (for their own org)."""
    if not _is_active_user(user) or user.org_id is None:
        return False
    return user.is_superuser or user.has_role(*REGISTER_ROLES)


def reveal(user, petitioner: Petitioner, field: str, *, reason: str, request=None) -> str | list[str]:
    """Return an unmasked value and log who saw what, and why.

    ``field`` is ``"id_number"`` (returns the 18-character number, "" when
    none is stored) or ``"phones"`` (returns the numbers in display order).
    Raises PermissionDenied unless the user holds a role that may reveal
    PII (``User.can_reveal_pii``), the petitioner is inside their scope, and
    a reason is given. The audit event is written before decrypting, so a
    value is never shown without its record.
    """
    if field not in REVEALABLE_FIELDS:
        raise ValueError(f"unknown revealable field {field!r}")
    if not _is_active_user(user) or not user.can_reveal_pii():
        raise PermissionDenied("您的角色无权查看完整个人信息")
    # Re-check scope on the database, not on the object we were handed: the
    # caller may have obtained it some other way.
    if not scoped_petitioners(user).filter(pk=petitioner.pk).exists():
        raise PermissionDenied("无权查看该信访人的信息")
    reason = (reason or "").strip()
    if not reason:
        raise PermissionDenied("查看完整个人信息须填写事由")
    record(
        AuditAction.REVEAL,
        actor=user,
        request=request,
        # The audit log is read by administrators, who need not see names.
        target=f"信访人#{petitioner.pk} {mask_name(petitioner.name)}",
        detail=f"字段：{REVEALABLE_FIELDS[field]}（{field}）",
        reason=reason,
    )
    if field == "id_number":
        return petitioner.decrypt_id_number()
    return [phone.decrypt_number() for phone in petitioner.phones.all()]
