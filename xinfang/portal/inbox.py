"""The petition bureau's side of the portal: the letters waiting to be registered, and their registration.

A letter is registered by the ordinary registration action (``do_register``)
as the clerk's own act, with the registration form filled from the letter;
the petitioner record is found or created by ``register_or_reuse`` (the same
person is matched by the keyed hash of the ID number). Only the clerks of
the bureau a mailbox names see its letters; another bureau's letter is a 404.
"""

from __future__ import annotations

from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404

from xinfang.cases.access import scoped_cases
from xinfang.cases.actions import Registration, Warning, do_register, intake_warnings
from xinfang.cases.attachments import store_attachments
from xinfang.cases.models import CasePetitioner
from xinfang.cases.states import OPEN_STATES
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import Role
from xinfang.petitioners.services import match_id_number, register_or_reuse
from xinfang.portal.models import Submission, SubmissionStatus

CLERK_ROLES = (Role.REGISTRAR, Role.PETITION_OFFICER)
ALREADY = "该网上信访已登记，不能重复登记"


def is_clerk(user) -> bool:
    return as_actor(user).has_role(*CLERK_ROLES) and user.org_id is not None


def inbox(user):
    """The letters to register at the user's bureau (none for anyone else)."""
    if not is_clerk(user):
        return Submission.objects.none()
    return Submission.objects.filter(mailbox__org_id=user.org_id, status=SubmissionStatus.PENDING)


def access_submission(user, pk, *, for_write: bool = False) -> Submission:
    """A letter of the user's bureau; Http404 for another bureau's, a registered one, or none."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("该网上信访不存在") from None
    qs = inbox(user).select_related("mailbox", "category", "category__parent")
    if for_write:
        qs = qs.select_for_update(of=("self",))
    submission = qs.filter(pk=pk).first()
    if submission is None:
        raise Http404("该网上信访不存在")
    return submission


def open_case_hashes(user, hashes) -> set[str]:
    """Which of these ID-number hashes have an open case the user may see (one query)."""
    hashes = [h for h in set(hashes) if h]
    if not hashes:
        return set()
    # The persons' links first (by their hashes), each case probed for the scope: "case among the
    # scope's cases" would have SQLite list every case of the scope (as it did in /supervision/).
    rows = CasePetitioner.objects.filter(
        Exists(scoped_cases(user).filter(pk=OuterRef("case_id"))),
        petitioner__id_number_hash__in=hashes,
        case__status__in=sorted(OPEN_STATES),
    ).values_list("petitioner__id_number_hash", flat=True)
    return set(rows)


def initial(submission: Submission) -> dict:
    """The registration form as the letter fills it."""
    return {
        "channel": submission.mailbox.channel,
        "received_at": clock.localtime(submission.submitted_at).replace(second=0, microsecond=0),
        "kind": submission.kind,
        "category": submission.category_id,
        "place_name": submission.place_name,
        "summary": submission.title,
        "content": submission.content,
        "accused_name": submission.accused_name,
        "person_count": 1,
    }


def warnings_for(user, submission: Submission, cleaned: dict | None = None) -> list:
    """The registration's warnings (the same person's open or ended matters, ...) for this letter."""
    try:
        # An audited, rate-limited look-up (petitioners.lookups), as on the registration screen.
        match = match_id_number(user, submission.decrypt_id_number())
    except DomainError:
        match = None
    ids = [match.petitioner.pk] if match is not None else []
    d = cleaned or {}
    warnings = intake_warnings(
        user,
        petitioner_ids=ids,
        category=d.get("category", submission.category),
        place_code=d.get("place_code", ""),
        kind=d.get("kind", submission.kind),
        accused_org=d.get("accused_org"),
    )
    if match is not None and _plain(match.petitioner.name) != _plain(submission.name):
        # Registration files the letter under the person the ID number belongs to: a different
        # signature (a typo, a relative writing, someone using another's number) must be checked
        # first. The registered name is not shown: the clerk may not be entitled to it.
        warnings.insert(
            0,
            Warning(
                "name_differs",
                f"来信署名（{submission.name}）与该身份证号码已登记信访人的姓名不一致；"
                "登记后将使用已登记的信访人记录，请先与来信人核实身份",
            ),
        )
    return warnings


def _plain(name: str) -> str:
    return "".join((name or "").split())


def _carry_files(submission, case, petitioner) -> None:
    """The letter's files become the case's attachments, uploaded by the petitioner (checked on submit)."""
    rows = list(submission.files.all())
    held = [File(row.file.open("rb"), name=row.original_name) for row in rows]
    try:
        store_attachments(
            case, None, [(f, row.content_type) for f, row in zip(held, rows, strict=True)], petitioner_id=petitioner.pk
        )
    finally:
        for f in held:
            f.close()


def register(user, pk, cleaned: dict, *, repeat_of=None):
    """Register the letter with what the clerk confirmed on the form, and link the case to it."""
    with transaction.atomic():
        submission = access_submission(user, pk, for_write=True)
        outcome = register_or_reuse(
            actor=user,
            kind="person",
            name=submission.name,
            id_number=submission.decrypt_id_number(),
            phones=[submission.decrypt_phone()],
            address=submission.address,
            division_code=submission.division_code,
        )
        petitioner = outcome.petitioner
        reg = Registration(
            channel=cleaned["channel"],
            received_at=cleaned["received_at"],
            kind=cleaned["kind"],
            summary=cleaned["summary"],
            content=cleaned["content"],
            petitioners=[(petitioner, True)],
            person_count=cleaned["person_count"],
            category=cleaned["category"],
            urgency=cleaned["urgency"],
            importance=cleaned["importance"],
            place_code=cleaned["place_code"],
            place_name=cleaned["place_name"],
            referring_org=cleaned["referring_org"],
            referring_ref=cleaned["referring_ref"],
            leader_instruction=cleaned["leader_instruction"],
            accused_name=cleaned["accused_name"],
            accused_org=cleaned["accused_org"],
            sms_consent=[petitioner.pk] if submission.sms_consent else [],
        )
        case = do_register(reg, actor=user, repeat_of=repeat_of)
        _carry_files(submission, case, petitioner)
        submission.case = case
        submission.status = SubmissionStatus.REGISTERED
        submission.registered_at = clock.now()
        submission.save(update_fields=["case", "status", "registered_at"])
    return case, outcome
