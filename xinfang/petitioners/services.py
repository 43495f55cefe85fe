"""Write actions on the petitioner register.

Views, the API and imports call these instead of saving models themselves,
so normalisation, encryption and the org/registrar bookkeeping happen in one
place (DESIGN §6 "writes are actions").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from xinfang.core.idnumbers import normalize_id_number
from xinfang.core.masking import mask_name, mask_phone
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.core.uscc import validate_uscc
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction
from xinfang.petitioners import crypto
from xinfang.petitioners.access import RegisteredMatch, access_petitioner, can_register_petitioners, find_registered
from xinfang.petitioners.models import Petitioner, PetitionerKind, PetitionerPhone, PetitionerShare

# The security audit action of a correction to a petitioner's contact data
# (named here too for the code that imports it from this module).
AUDIT_PETITIONER_CHANGE = AuditAction.PETITIONER_CHANGE


# A petitioner's repeated fields are bounded: a record is a person, not a directory.
MAX_PHONES = 5


def _check_phone_count(phones) -> None:
    if len(phones) > MAX_PHONES:
        raise PhoneError(f"联系电话最多登记{MAX_PHONES}个（现为{len(phones)}个）")


@transaction.atomic
def register_petitioner(
    *,
    actor,
    kind: str,
    name: str,
    id_number: str = "",
    phones: Sequence[str] = (),
    address: str = "",
    division_code: str = "",
    uscc: str = "",
    legal_representative: str = "",
) -> Petitioner:
    """Register a petitioner for the actor's org and return it.

    Values may be raw user input: they are normalised here again, so a
    caller that skipped the form cannot store an unnormalised number (which
    would hash differently and defeat lookup). Raises ``IdNumberError``,
    ``PhoneError`` or ``UsccError`` for invalid identifiers (a USCC checksum
    failure is not an error: it is stored with ``uscc_checksum_ok=False``).

    Fields of the other kind are ignored (``id_number`` for organisations;
    ``uscc`` and ``legal_representative`` for persons). The registration
    form refuses them at the field instead, so a registrar never loses
    input silently; API callers should validate likewise.
    """
    if kind not in PetitionerKind.values:
        raise ValueError(f"unknown petitioner kind {kind!r}")
    if not can_register_petitioners(actor):
        raise PermissionDenied("您无权登记信访人")
    _check_phone_count([p for p in phones if p and p.strip()])
    petitioner = Petitioner(
        kind=kind,
        name=name.strip(),
        address=address.strip(),
        division_code=division_code.strip(),
        legal_representative=legal_representative.strip() if kind == PetitionerKind.ORGANISATION else "",
        org_id=actor.org_id,
        created_by=actor,
    )
    if kind == PetitionerKind.PERSON:
        petitioner.set_id_number(id_number)
    elif uscc.strip():
        result = validate_uscc(uscc)
        petitioner.uscc = result.code
        petitioner.uscc_checksum_ok = result.checksum_ok
    petitioner.save()
    rows, seen = [], set()
    for position, raw in enumerate(p for p in phones if p and p.strip()):
        phone = PetitionerPhone(petitioner=petitioner, position=position)
        phone.set_number(raw)
        if phone.number_hash in seen:
            continue  # the same number typed twice is one number
        seen.add(phone.number_hash)
        rows.append(phone)
    PetitionerPhone.objects.bulk_create(rows)
    return petitioner


@dataclass(frozen=True)
class Registered:
    """What ``register_or_reuse`` did: a new record, or the one already registered (``match``)."""

    petitioner: Petitioner
    match: RegisteredMatch | None = None

    @property
    def created(self) -> bool:
        return self.match is None


def match_id_number(actor, id_number: str) -> RegisteredMatch | None:
    """The petitioner already registered with this ID number in the actor's jurisdiction, or None.

    ``id_number`` may be raw input (``IdNumberError`` when invalid); see
    ``access.find_registered`` for what a match may show the actor.
    """
    if not (id_number or "").strip():
        return None
    return find_registered(actor, crypto.hash_value(normalize_id_number(id_number)))


@transaction.atomic
def register_or_reuse(*, actor, kind: str, name: str, id_number: str = "", **fields) -> Registered:
    """Register a petitioner, unless this person is already registered in the actor's jurisdiction.

    A person whose ID number (matched by its keyed hash) is registered
    anywhere under the actor's government is not registered twice: the
    existing record is returned, and shared with the actor's org when the
    actor could not see it yet (``PetitionerShare``), so that the actor may
    use it for a case from now on. Nothing typed is written to the existing
    record: corrections go through ``update_contact``. Otherwise this is
    ``register_petitioner`` (same arguments, same errors).
    """
    if not can_register_petitioners(actor):
        raise PermissionDenied("您无权登记信访人")
    if kind == PetitionerKind.PERSON:
        match = match_id_number(actor, id_number)
        if match is not None:
            if not match.visible:
                PetitionerShare.objects.get_or_create(
                    petitioner=match.petitioner, org_id=actor.org_id, defaults={"created_by": actor}
                )
            return Registered(match.petitioner, match)
    return Registered(register_petitioner(actor=actor, kind=kind, name=name, id_number=id_number, **fields))


@transaction.atomic
def update_contact(
    *,
    actor,
    petitioner_id: int,
    address: str,
    division_code: str,
    replace: Mapping[int, str] = {},  # noqa: B006 (read only)
    remove: Collection[int] = (),
    add: Sequence[str] = (),
    reason: str = "",
    request=None,
) -> list[str]:
    """Correct a petitioner's address and phone numbers; return what changed (in Chinese).

    ``replace`` maps a stored phone's id to its new number, ``remove`` names
    stored phones to delete, ``add`` lists new numbers; numbers may be raw
    input (normalised here, ``PhoneError`` when invalid). Registrars and
    petition officers may correct any petitioner they can see (``Http404``
    otherwise). Every change is written to the security audit log in one
    event with the old and new values, phone numbers masked; nothing is
    saved or logged when nothing changed.
    """
    if not can_register_petitioners(actor):
        raise PermissionDenied("您无权更正信访人信息")
    petitioner = access_petitioner(actor, petitioner_id, for_write=True)
    changes: list[str] = []
    address, division_code = address.strip(), "".join(division_code.split())
    if address != petitioner.address:
        changes.append(f"住址：{petitioner.address or '（空）'} → {address or '（空）'}")
        petitioner.address = address
    if division_code != petitioner.division_code:
        changes.append(f"住址行政区划代码：{petitioner.division_code or '（空）'} → {division_code or '（空）'}")
        petitioner.division_code = division_code

    phones = list(petitioner.phones.all())  # in display order
    kept: list[PetitionerPhone | str] = []  # stored rows kept, or new numbers in their place
    for phone in phones:
        if phone.pk in remove:
            changes.append(f"联系电话：删除 {phone.masked}")
        elif phone.pk in replace:
            number = normalize_phone(replace[phone.pk]).number
            if crypto.hash_value(number) == phone.number_hash:
                kept.append(phone)
            else:
                changes.append(f"联系电话：{phone.masked} → {mask_phone(number)}")
                kept.append(number)
        else:
            kept.append(phone)
    for raw in add:
        number = normalize_phone(raw).number
        changes.append(f"联系电话：新增 {mask_phone(number)}")
        kept.append(number)
    _check_phone_count(kept)
    if not changes:
        return []

    # Rows replaced or deleted go first, so a number may move between rows
    # without tripping the one-number-once constraint on the way.
    PetitionerPhone.objects.filter(pk__in=[p.pk for p in phones if p not in kept]).delete()
    rows, seen = [], {item.number_hash for item in kept if isinstance(item, PetitionerPhone)}
    for position, item in enumerate(kept):
        if isinstance(item, PetitionerPhone):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
            continue
        phone = PetitionerPhone(petitioner=petitioner, position=position)
        phone.set_number(item)
        if phone.number_hash in seen:
            raise ValueError("the same phone number twice (the form refuses it at the field)")
        seen.add(phone.number_hash)
        rows.append(phone)
    PetitionerPhone.objects.bulk_create(rows)
    petitioner.save(update_fields=["address", "division_code", "updated_at"])
    record(
        AUDIT_PETITIONER_CHANGE,
        actor=actor,
        request=request,
        target=f"信访人#{petitioner.pk} {mask_name(petitioner.name)}",
        detail="\n".join(changes),
        reason=reason,
    )
    return changes
