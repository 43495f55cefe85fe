"""From a history event to a document's frozen fields.

The workflow's texts (``cases.documents``) are laid out as: the title, the
case number, a blank line, the addressee ending in "：", the paragraphs, a
blank line, the issuing body and the date. The title and the addressee go to
their own places on the page, the body keeps its paragraphs, and the date is
the day the event was written (local time), printed in Chinese numerals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinfang.core import clock
from xinfang.documents.models import KIND_BY_ACTION, KIND_BY_NOTICE, KIND_BY_TITLE, DocumentKind


@dataclass(frozen=True)
class Frozen:
    title: str
    addressee: str
    body: str
    signer: str
    dated: date
    cc: str = ""


def kind_of(event) -> str | None:
    """The document kind this event's text makes, or None when it made none."""
    if event.notice:
        return KIND_BY_NOTICE.get(event.notice)
    if event.action in KIND_BY_ACTION:
        return KIND_BY_ACTION[event.action]
    if event.document:
        return KIND_BY_TITLE.get(event.document_title)
    return None


def issuing_org(event, case):
    """Who issued the text: the org that acted (a system step: the registering org)."""
    return event.actor_org or case.registered_org


def _split(text: str):
    lines = text.replace("\r\n", "\n").split("\n")
    title = lines[0].strip()
    rest = lines[1:]
    # The case number line under the title is the case's, not the document's: 文号 replaces it.
    if rest and rest[0].strip() and not rest[0].rstrip().endswith("："):
        rest = rest[1:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    addressee = ""
    if rest and rest[0].rstrip().endswith("："):
        addressee = rest[0].strip().rstrip("：")
        rest = rest[1:]
    # Drop the signature (the last two non-empty lines: body name, date); the page prints its own.
    while rest and not rest[-1].strip():
        rest.pop()
    if len(rest) >= 2 and rest[-1].strip().endswith("日"):
        rest = rest[:-2]
    body = "\n".join(line.strip() for line in rest if line.strip())
    return title, addressee, body


def _names(case) -> str:
    names = [link.petitioner.name for link in case.case_petitioners.order_by("pk").select_related("petitioner")]
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "") if names else "信访人"


def return_letter(event, case) -> tuple[str, str, str]:
    """退回函: the return has no text in the history, only its reason."""
    to = case.current_org.name if case.current_org else ""
    body = f"你单位报来的{_names(case)}反映的“{case.summary}”信访事项（{case.number}），经审查，现予退回。{event.note}"
    return "信访事项退回函", to, body


def freeze(event, case, kind: str) -> Frozen:
    org = issuing_org(event, case)
    dated = clock.local_date(event.at)
    cc = ""
    if kind == DocumentKind.RETURN:
        title, addressee, body = return_letter(event, case)
    else:
        title, addressee, body = _split(event.document)
        if kind == DocumentKind.ASSIGN and event.data.get("co"):
            cc = "、".join(event.data["co"])
    return Frozen(title=title, addressee=addressee, body=body, signer=org.name, dated=dated, cc=cc)


def receipt(document, case) -> Frozen:
    """送达回证 for an issued document: the fields the server fills in by hand."""
    body = "\n".join(
        [
            f"送达文书：《{document.title}》（{document.number}）",
            f"受送达人：{document.addressee or _names(case)}",
            "送达地点：",
            "送达方式：",
            "受送达人签名或盖章：　　　　　　　　年　　月　　日",
            "送达人签名：　　　　　　　　年　　月　　日",
            "代收人及代收理由：",
            "备注：",
        ]
    )
    return Frozen(
        title="送达回证",
        addressee="",
        body=body,
        signer=document.signer,
        dated=clock.today(),
    )
