"""From a history event to a document's frozen fields.

The workflow's texts (``cases.documents``) are laid out as: the title, the
case number, a blank line, the addressee ending in "：", the paragraphs, a
blank line, the issuing body and the date. The title and the addressee go to
their own places on the page, the body keeps its paragraphs, and the date is
the day the event was written (local time), printed in Chinese numerals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from xinfang.cases.states import TrackedAction
from xinfang.core import clock
from xinfang.core.numerals import chinese_number
from xinfang.documents.models import COMPOSED_KINDS, KIND_BY_ACTION, KIND_BY_NOTICE, KIND_BY_TITLE, DocumentKind


@dataclass(frozen=True)
class Frozen:
    title: str
    addressee: str
    body: str
    signer: str
    dated: date
    cc: str = ""


# The events that open a supervision item, and the key of the item they opened in their data:
# 开展督办 (staff, or the system listing by rule) and 提级督办 (the new item of the bureau one level up;
# its data's "item" is the item handed up). Each gives that item's 督办函.
OPENED_ITEM = {TrackedAction.SUPERVISION_OPEN: "item", TrackedAction.SUPERVISION_ESCALATE: "new_item"}


def kind_of(event) -> str | None:
    """The document kind this event's text makes, or None when it made none."""
    if event.notice:
        return KIND_BY_NOTICE.get(event.notice)
    if event.action in KIND_BY_ACTION:
        return KIND_BY_ACTION[event.action]
    if event.action == TrackedAction.SUPERVISION_ESCALATE:
        return DocumentKind.SUPERVISION
    if event.document:
        return KIND_BY_TITLE.get(event.document_title)
    return None


def has_text(event, kind: str) -> bool:
    """Whether ``event`` gives a document of ``kind``: its own text, or one composed from its rows."""
    return kind in COMPOSED_KINDS or bool(event.document)


def issuing_org(event, case):
    """Who issued the text: the org that acted (a system step: the registering org).

    A supervision item the system listed by rule (挂牌督办) was opened in the
    listing bureau's name, which its row holds (the event has no acting org).
    An escalated item (提级督办) is the higher bureau's, whoever handed it up:
    its 督办函 goes out in that bureau's name, never the lower one's.
    """
    escalated = event.action == TrackedAction.SUPERVISION_ESCALATE
    if escalated or (event.actor_org_id is None and event.action == TrackedAction.SUPERVISION_OPEN):
        item = _supervision_item(event)
        if item is not None:
            return item.issued_org
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


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _supervision_item(event):
    """The item the event opened (see OPENED_ITEM), with the item it was escalated from, if any."""
    from xinfang.supervision.models import SupervisionItem

    pk = (event.data or {}).get(OPENED_ITEM.get(event.action, "item"))
    return (
        SupervisionItem.objects.select_related("issued_org", "owed_by_org", "escalated_from__issued_org")
        .filter(pk=pk)
        .first()
    )


def _sentences(text: str) -> str:
    """A multi-line text as sentences of one paragraph, without the closing 。 (the caller adds it)."""
    return "。".join(part.strip().rstrip("。") for part in text.splitlines() if part.strip())


def _urging_slip(event):
    from xinfang.supervision.models import UrgingSlip

    pk = (event.data or {}).get("slip")
    return UrgingSlip.objects.select_related("owed_by_org").filter(pk=pk).first()


def urging_slip(event, case) -> tuple[str, str, str]:
    """催办单: the slip's matter and the reply date of the event (a later change makes a new slip)."""
    slip = _urging_slip(event)
    if slip is None:
        raise ValueError(f"event {event.pk} names no urging slip")
    reply_by = date.fromisoformat(event.data.get("reply_by") or slip.reply_by.isoformat())
    subject = slip.subject.rstrip("。")
    body = "\n".join(
        [
            f"{_names(case)}反映的“{case.summary}”信访事项（{case.number}），{subject}。",
            f"请你单位抓紧办理，并于{_day(reply_by)}前将办理情况书面答复我单位。",
        ]
    )
    return "信访事项催办单", slip.owed_by_org.name, body


def _continued(event, item, way: str) -> str:
    """继续督办's sentences: when the item was opened, why, by when it was due, then the new decision.

    The previous due date and the opinion are in the event's data (an event written before they
    were recorded gives the rest alone).
    """
    data = event.data or {}
    before = f"我单位已于{_day(clock.local_date(item.opened_at))}对该事项{way}，督办事由：{_sentences(item.reason)}"
    if data.get("previous_due_on"):
        before += f"，要求于{_day(date.fromisoformat(data['previous_due_on']))}前办结"
    opinion = f"继续督办意见：{_sentences(data['note'])}。" if data.get("note") else ""
    return f"{before}。该事项至今未办结，经研究，决定继续督办。{opinion}"


def supervision_letter(event, case) -> tuple[str, str, str]:
    """督办函: the way, the reason, the due date and the report cadence of the item the event opened.

    继续督办 gives a letter of its own: the new due date, after when the item was opened and by
    when it was first due.
    """
    item = _supervision_item(event)
    if item is None:
        raise ValueError(f"event {event.pk} names no supervision item")
    # The due date as the event set it (a later 继续督办 is its own event); an older 提级督办 event
    # did not record it, and falls back to the item's.
    due_on = date.fromisoformat(event.data.get("due_on") or item.due_on.isoformat())
    way = item.get_kind_display()
    reason = f"督办事由：{_sentences(item.reason)}。"
    if event.action == TrackedAction.SUPERVISION_CONTINUE:
        decided = _continued(event, item, way)
    elif event.action == TrackedAction.SUPERVISION_ESCALATE and item.escalated_from is not None:
        lower = item.escalated_from
        decided = f"该事项原由{lower.issued_org.name}{lower.get_kind_display()}，现提级由我单位{way}。{reason}"
    else:
        decided = f"经研究，决定对该事项{way}。{reason}"
    lines = [
        f"{_names(case)}反映的“{case.summary}”信访事项（{case.number}），现由你单位办理。{decided}",
        f"请你单位于{_day(due_on)}前办结，并将办理结果书面报告我单位。",
    ]
    if item.report_every_days:
        lines.append(f"办理期间，请每{chinese_number(item.report_every_days)}日报告一次进展情况。")
    return "信访事项督办函", item.owed_by_org.name, "\n".join(lines)


COMPOSERS: dict[str, Callable[..., tuple[str, str, str]]] = {
    DocumentKind.RETURN: return_letter,
    DocumentKind.URGING: urging_slip,
    DocumentKind.SUPERVISION: supervision_letter,
}


def freeze(event, case, kind: str) -> Frozen:
    org = issuing_org(event, case)
    dated = clock.local_date(event.at)
    cc = ""
    if kind in COMPOSERS:
        title, addressee, body = COMPOSERS[kind](event, case)
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
