"""Write actions on the petitioner register.

Views, the API and imports call these instead of saving models themselves,
so normalisation, encryption and the org/registrar bookkeeping happen in one
place (DESIGN §6 "writes are actions").
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from xinfang.core.uscc import validate_uscc
from xinfang.petitioners.access import can_register_petitioners
from xinfang.petitioners.models import Petitioner, PetitionerKind, PetitionerPhone


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
