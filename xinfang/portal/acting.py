"""What a petitioner may do on their case from the portal, through the same actions as the staff.

Evaluating a delivered reply, and asking for review (复查) or re-examination
(复核) within the window, are the actions declared ``petitioner=True``
(cases.spec); each is taken as ``Actor.petitioner(...)`` and checked by the
spec like any other, so the portal can only do what the rules allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from xinfang.cases.actions import (
    do_add_attachments,
    do_evaluate,
    do_record_delivery,
    do_request_reexam,
    do_request_review,
)
from xinfang.cases.errors import DomainError
from xinfang.cases.spec import check
from xinfang.cases.states import (
    ENDED_STATES,
    Action,
    DeliveryMethod,
    Evaluation,
    EvaluationSource,
    Kind,
    Notice,
    Status,
)
from xinfang.core import clock


@dataclass(frozen=True)
class Request:
    """复查 or 复核: open (with the days left and the body), or closed on a date."""

    action: str
    slug: str  # its portal path: review / reexam
    label: str  # 复查 / 复核
    article: str  # of the 信访工作条例 that grants it
    body: str  # the body that will review
    until: date
    days_left: int
    open: bool


@dataclass(frozen=True)
class Options:
    add_materials: bool  # the case is open: the petitioner may add materials (补充材料)
    confirm_receipt: bool  # a notice is waiting for the petitioner to confirm its receipt (电子送达)
    evaluate: bool
    evaluation: str  # the label of the evaluation already given, if any
    requests: list[Request]


def options(actor, case) -> Options:
    """What ``actor`` may do on ``case`` (read through the access layer as them) now."""
    today = clock.today()
    requests = []
    for code, slug, label, article, body in (
        (Action.REQUEST_REVIEW, "review", "复查", "第三十五条", case.review_org),
        (Action.REQUEST_REEXAM, "reexam", "复核", "第三十六条", case.reexam_org),
    ):
        if body is None:
            continue
        if check(actor, code, case) is None:
            days_left = (case.window_until - today).days
            requests.append(Request(code, slug, label, article, body.name, case.window_until, days_left, True))
        elif _closed(case, code, today):
            requests.append(Request(code, slug, label, article, body.name, case.window_until, 0, False))
    return Options(
        add_materials=case.status not in ENDED_STATES,
        confirm_receipt=check(actor, Action.RECORD_DELIVERY, case) is None,
        evaluate=check(actor, Action.EVALUATE, case) is None,
        evaluation=case.get_evaluation_display() if case.evaluation else "",
        requests=requests,
    )


def _closed(case, code, today) -> bool:
    """The window this request belongs to ran out (not merely: not open at this stage)."""
    if case.window_until is None or today <= case.window_until:
        return False
    if code == Action.REQUEST_REVIEW:
        return case.kind == Kind.CLAIM and case.review_delivered_on is None and case.reply_delivered_on is not None
    return case.review_delivered_on is not None and case.status in (Status.REVIEWED, Status.FINAL)


def confirm_receipt(actor, case_id, notice: str) -> str | None:
    """Record that the petitioner received ``notice`` now, as 电子送达; None, or why not in Chinese.

    The action fixes the method and the moment for a petitioner; a reply confirmed
    this way opens the evaluation and the review window like any delivery.
    """
    if notice not in Notice.values:
        return "请选择送达的文书"
    try:
        do_record_delivery(
            case_id, actor=actor, notice=notice, method=DeliveryMethod.ELECTRONIC, delivered_at=clock.now()
        )
    except DomainError as err:
        return err.message
    return None


def add_materials(actor, case_id, text: str, files) -> str | None:
    """补充材料: the petitioner's written materials and/or files, through the staff's 补充附件 action
    (same type sniffing and size limit), logged in the case's history; None, or why not."""
    if not text.strip() and not [f for f in files if f]:
        return "请填写补充的内容或选择要上传的文件"
    try:
        do_add_attachments(case_id, actor=actor, files=files, note=text)
    except DomainError as err:
        return err.message
    return None


def evaluate(actor, case_id, evaluation: str, comment: str) -> str | None:
    """Record the petitioner's evaluation; None, or why not in Chinese."""
    if evaluation not in Evaluation.values:
        return "请选择评价结果"
    try:
        do_evaluate(case_id, actor=actor, evaluation=evaluation, source=EvaluationSource.PETITIONER, note=comment)
    except DomainError as err:
        return err.message
    return None


def request(actor, case_id, code: str, reasons: str) -> str | None:
    """Ask for review or re-examination today with the petitioner's reasons; None, or why not."""
    if not reasons.strip():
        return "请写明申请的理由"
    requests: dict[str, Callable] = {Action.REQUEST_REVIEW: do_request_review, Action.REQUEST_REEXAM: do_request_reexam}
    do = requests.get(code)
    if do is None:
        return "无效的申请"
    try:
        do(case_id, actor=actor, received_on=clock.today(), note=f"信访人网上申请：{reasons.strip()}")
    except DomainError as err:
        return err.message
    return None
