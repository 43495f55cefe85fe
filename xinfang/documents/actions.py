"""Issuing and correcting documents: actions in the house style (lock, check, change, record).

``do_issue_document`` turns a history event's text into a numbered document;
``do_supersede_document`` issues a corrected text under a new number and marks
the old one 已作废. Both run under the case's row lock (``access_case`` with
``for_write``), so a case never gets two documents for one event, and record
their history event through ``record_for_app`` in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from xinfang.cases.access import access_case
from xinfang.cases.actions.tracked import record_for_app
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.cases.permissions import acts_for
from xinfang.cases.states import TrackedAction
from xinfang.core import clock
from xinfang.documents import numbers, texts
from xinfang.documents.models import Document, DocumentKind, DocumentState
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import Role

ISSUING_ROLES = (Role.REGISTRAR, Role.PETITION_OFFICER, Role.HANDLER, Role.UNIT_HEAD, Role.LEADER)
# The supervision app's letters are issued by those who supervise and urge: a supervisor
# (督查员) opens supervision items and issues urging slips, but issues no notice to a petitioner.
SUPERVISION_ISSUING_ROLES = (Role.SUPERVISOR, Role.PETITION_OFFICER, Role.UNIT_HEAD, Role.LEADER)
SUPERVISION_KINDS = frozenset({DocumentKind.URGING, DocumentKind.SUPERVISION})

NO_ROLE = "只有登记员、受理交办员、承办人或负责人可以印发文书"
NO_SUPERVISION_ROLE = "只有督查员、受理交办员、负责人或领导可以印发催办单、督办函"
NOT_ISSUER = "本单位不是该文书的制发机关"
NO_TEXT = "该办理记录没有可印发的文书"
NOT_ISSUED = "该文书尚未印发"
ALREADY_SUPERSEDED = "该文书已被更正，请更正最新的文书"
EMPTY_BODY = "请填写更正后的正文"
NO_REASON = "请填写更正理由"


def already_issued(kind_label: str, number: str) -> str:
    return f"《{kind_label}》已印发，文号{number}；如需更正，请制作更正文书"


def may_issue(actor, org, kind: str | None = None) -> str | None:
    """None when ``actor`` may issue documents (of ``kind``) in ``org``'s name, else why not."""
    if kind in SUPERVISION_KINDS:
        if not (actor.is_active and actor.has_role(*SUPERVISION_ISSUING_ROLES)):
            return NO_SUPERVISION_ROLE
    elif not (actor.is_active and actor.has_role(*ISSUING_ROLES)):
        return NO_ROLE
    if not acts_for(actor, org):
        return NOT_ISSUER
    return None


def _event(case, event) -> CaseEvent:
    event_id = getattr(event, "pk", event)
    found = CaseEvent.objects.filter(pk=event_id, case_id=case.pk).first()
    if found is None:
        raise Invalid(NO_TEXT, field="event")
    return found


def _number(doc: Document) -> None:
    today = clock.today()
    doc.year = today.year
    doc.serial = numbers.allocate(doc.issuing_org, doc.kind, doc.year)
    doc.number = numbers.format_number(numbers.prefix_for(doc.issuing_org, doc.kind), doc.year, doc.serial)
    doc.issued_at = clock.now()
    doc.state = DocumentState.ISSUED


def _current(case, event_id, kind) -> Document | None:
    return (
        Document.objects.filter(case=case, source_event_id=event_id, kind=kind)
        .exclude(state=DocumentState.SUPERSEDED)
        .order_by("-pk")
        .first()
    )


def do_issue_document(case, *, actor, event, receipt: bool = False) -> Document:
    """Issue the document that ``event`` wrote (or, with ``receipt``, its 送达回证)."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, getattr(case, "pk", case), for_write=True)
        ev = _event(case, event)
        kind = texts.kind_of(ev)
        if kind is None or not texts.has_text(ev, kind):
            raise Invalid(NO_TEXT, field="event")
        org = texts.issuing_org(ev, case)
        main = _current(case, ev.pk, kind)
        if receipt:
            if main is None:
                raise Invalid(NOT_ISSUED, field="event")
            kind = DocumentKind.RECEIPT
        reason = may_issue(who, org, kind)
        if reason:
            raise NotAllowed(reason)
        existing = _current(case, ev.pk, kind)
        if existing is not None:
            raise Invalid(already_issued(DocumentKind(kind).label, existing.number), field="event")
        frozen = texts.receipt(main, case) if receipt else texts.freeze(ev, case, kind)
        doc = Document(
            case=case,
            kind=kind,
            issuing_org=org,
            source_event=ev,
            issued_by=who.user,
            title=frozen.title,
            addressee=frozen.addressee,
            body=frozen.body,
            signer=frozen.signer,
            dated=frozen.dated,
            cc=frozen.cc,
        )
        _number(doc)
        doc.save()
        record_for_app(
            case,
            TrackedAction.DOCUMENT_ISSUED,
            actor=who,
            note=f"印发《{doc.title}》，文号{doc.number}",
            data={"document": doc.pk, "number": doc.number, "kind": doc.kind, "event": ev.pk},
        )
    return doc


def do_supersede_document(document, *, actor, body: str, reason: str) -> Document:
    """Correct an issued document: a new number and text; the old one is kept, 已作废."""
    who = as_actor(actor)
    body = "\n".join(line.strip() for line in (body or "").replace("\r\n", "\n").split("\n") if line.strip())
    if not body:
        raise Invalid(EMPTY_BODY, field="body")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(NO_REASON, field="reason")
    with transaction.atomic():
        case = access_case(who, document.case_id, for_write=True)
        old = Document.objects.select_related("issuing_org").get(pk=document.pk)
        if old.state == DocumentState.DRAFT:
            raise Invalid(NOT_ISSUED)
        if old.state == DocumentState.SUPERSEDED:
            raise Invalid(ALREADY_SUPERSEDED)
        why_not = may_issue(who, old.issuing_org, old.kind)
        if why_not:
            raise NotAllowed(why_not)
        old.state = DocumentState.SUPERSEDED
        old.save(update_fields=["state"])
        new = Document(
            case=case,
            kind=old.kind,
            issuing_org=old.issuing_org,
            source_event_id=old.source_event_id,
            issued_by=who.user,
            title=old.title,
            addressee=old.addressee,
            body=body,
            signer=old.signer,
            dated=clock.today(),
            cc=old.cc,
            supersedes=old,
        )
        _number(new)
        new.save()
        record_for_app(
            case,
            TrackedAction.DOCUMENT_SUPERSEDED,
            actor=who,
            note=f"更正《{old.title}》{old.number}，更正后文号{new.number}。理由：{reason}",
            data={"document": new.pk, "number": new.number, "supersedes": old.pk, "old_number": old.number},
        )
    return new


def mark_delivered(delivery) -> int:
    """A recorded delivery of a notice makes its issued document 已送达 (same transaction as the delivery)."""
    count = 0
    for doc in Document.objects.filter(source_event_id=delivery.event_id, state=DocumentState.ISSUED).exclude(
        kind=DocumentKind.RECEIPT
    ):
        doc.state = DocumentState.DELIVERED
        doc.save(update_fields=["state"])
        count += 1
    return count


def documents_for_case(case) -> list[Document]:
    """The case's documents, issued and superseded (the caller has read the case through the access layer)."""
    return list(
        Document.objects.filter(case=case)
        .exclude(state=DocumentState.DRAFT)
        .select_related("issuing_org")
        .order_by("dated", "pk")
    )


# The documents addressed to the petitioner (the others go to units: 转送函, 交办函, 退回函).
PETITIONER_KINDS = frozenset(
    {
        DocumentKind.ACCEPTANCE,
        DocumentKind.DECLINE,
        DocumentKind.REFUSE_FINAL,
        DocumentKind.REDIRECT,
        DocumentKind.EXTENSION,
        DocumentKind.REPLY,
        DocumentKind.REVIEW,
        DocumentKind.REEXAM,
    }
)


def documents_for_petitioner(case) -> list[Document]:
    """What the portal may show the petitioner of a case already read as theirs: their notices, current versions."""
    return [d for d in documents_for_case(case) if d.kind in PETITIONER_KINDS and d.state != DocumentState.SUPERSEDED]
