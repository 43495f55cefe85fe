"""What a petitioner may see of their case: the public projection.

State in plain words, the unit handling it, the agency's open deadlines with
the days left, and every notice issued to them (full text, when it was made
and when it was delivered). Never: internal notes, staff names, co-units'
work, supervision, and for accusations nothing about the accused or the
investigation. Read through the access layer as the petitioner (an actor
that sees only the cases they petitioned in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinfang.cases.access import access_case
from xinfang.cases.deadlines import open_deadlines
from xinfang.cases.models import CaseEvent, CasePetitioner, Delivery
from xinfang.cases.states import Status
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.documents.actions import documents_for_petitioner
from xinfang.orgs.actors import Actor

S = Status

PLAIN = {
    S.REGISTERED: "已登记，正在转送或交办有权处理的机关",
    S.FORWARDED: "已转送有权处理的机关，等待对方签收",
    S.ASSIGNED: "已交办有权处理的机关，等待对方签收",
    S.TO_DECIDE: "有权处理的机关正在审查是否受理",
    S.HANDLING: "已受理，正在办理",
    S.REPLIED: "已作出处理意见",
    S.REPORTED: "已作出处理意见，正在审核办结",
    S.CLOSED: "已办结",
    S.DECLINED: "不予受理",
    S.REFUSED: "不再受理",
    S.REDIRECTED: "已告知通过法定途径解决",
    S.MERGED: "已与同一事项的信访件合并办理",
    S.REVIEW_REQUESTED: "正在复查",
    S.REVIEWED: "已作出复查意见",
    S.REEXAM_REQUESTED: "正在复核",
    S.FINAL: "已终结",
}

# What each of the agency's periods means to the petitioner.
OWED = {
    Clock.ROUTING: "转送、交办",
    Clock.ACCEPTANCE: "告知是否受理",
    Clock.MISROUTING_OBJECTION: "对转送提出异议",
    Clock.HANDLING: "办结并出具处理意见",
    Clock.REVIEW_DECISION: "作出复查意见",
    Clock.REEXAM_DECISION: "作出复核意见",
}
# The petitioner's own windows (shown apart: they are what the petitioner may do).
WINDOWS = {Clock.REVIEW_WINDOW: "请求复查", Clock.REEXAM_WINDOW: "请求复核"}


@dataclass(frozen=True)
class Period:
    what: str
    org: str
    due: date
    days_left: int

    @property
    def overdue_days(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class IssuedNotice:
    notice: str  # its code (cases.states.Notice), what confirming its receipt posts
    label: str
    issued_on: date
    text: str
    delivered_on: date | None
    delivery_method: str
    document_id: int | None  # its formal document (xinfang.documents), issued: a PDF to download
    # Not delivered and the latest of its kind: a delivery is recorded against the latest one.
    confirmable: bool


@dataclass(frozen=True)
class Projection:
    number: str
    received_on: date
    state: str
    handling_unit: str
    periods: list[Period]
    windows: list[Period]
    notices: list[IssuedNotice]


def petitioner_actor(submission) -> Actor | None:
    """The petitioner the letter's case was registered for (matched by the ID number's hash)."""
    link = (
        CasePetitioner.objects.filter(case_id=submission.case_id, petitioner__id_number_hash=submission.id_number_hash)
        .select_related("petitioner")
        .first()
    )
    return Actor.petitioner(link.petitioner) if link is not None else None


def read_case(submission):
    """(the petitioner actor, their case read through the access layer as them), or (None, None)."""
    actor = petitioner_actor(submission) if submission.case_id is not None else None
    if actor is None:
        return None, None
    return actor, access_case(actor, submission.case_id)


def project(case) -> Projection:
    today = clock.today()
    periods, windows = [], []
    for d in open_deadlines(case).select_related("org").order_by("due_date", "pk"):
        due = d.due_date
        row = Period(OWED.get(d.clock) or WINDOWS.get(d.clock, ""), d.org.name, due, (due - today).days)
        if d.clock in WINDOWS:
            windows.append(row)
        elif d.clock in OWED:
            periods.append(row)
    delivered = {
        x.event_id: x
        for x in Delivery.objects.filter(case=case).exclude(event=None).only("event_id", "delivered_at", "method")
    }
    events = list(
        CaseEvent.objects.filter(case=case)
        .exclude(notice="")
        .order_by("at", "seq")
        .only("pk", "notice", "at", "document")
    )
    documents = {d.source_event_id: d.pk for d in documents_for_petitioner(case)}
    latest = {e.notice: e.pk for e in sorted(events, key=lambda e: (e.at, e.pk))}
    notices = []
    for e in events:
        x = delivered.get(e.pk)
        notices.append(
            IssuedNotice(
                notice=e.notice,
                label=e.get_notice_display(),
                issued_on=clock.local_date(e.at),
                text=e.document,
                delivered_on=clock.local_date(x.delivered_at) if x else None,
                delivery_method=x.get_method_display() if x else "",
                document_id=documents.get(e.pk),
                confirmable=x is None and latest[e.notice] == e.pk,
            )
        )
    unit = case.competent_org or case.current_org
    return Projection(
        number=case.number,
        received_on=clock.local_date(case.received_at),
        state=PLAIN.get(case.status, case.get_status_display()),
        handling_unit=unit.name if unit else "",
        periods=periods,
        windows=windows,
        notices=notices,
    )
