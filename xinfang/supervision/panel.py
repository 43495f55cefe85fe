"""The case page's 督办催办 section: the case's items with their state, and the forms this viewer may use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.supervision import forms, proposals, rules
from xinfang.supervision.models import Instruction, SupervisionItem, SupervisionReport, UrgingSlip


def _items(case):
    return list(
        SupervisionItem.objects.filter(case=case)
        .select_related("issued_org", "owed_by_org", "issued_by", "listing_rule")
        .prefetch_related(Prefetch("reports", queryset=SupervisionReport.objects.select_related("by", "org")))
        .order_by("-opened_at", "-pk")
    )


def context(actor, case) -> dict:
    who = as_actor(actor)
    today = clock.today()
    items: list[Any] = _items(case)
    for item in items:
        item.can_report = rules.report_supervision(who, item) is None
        item.can_supervise = rules.supervise(who, item) is None
        item.can_escalate = item.can_supervise and rules.higher_bureau(item.issued_org) is not None
        item.overdue = item.is_open and item.due_on < today
        item.report_overdue = item.is_open and item.next_report_on is not None and item.next_report_on < today
    slips: list[Any] = list(
        UrgingSlip.objects.filter(case=case).select_related("issued_org", "owed_by_org", "issued_by", "replied_by")
    )
    for slip in slips:
        slip.can_answer = rules.answer_urging(who, slip) is None
        slip.can_withdraw = rules.withdraw_urging(who, slip) is None
        slip.overdue = slip.is_open and slip.reply_by < today
    instructions: list[Any] = list(
        Instruction.objects.filter(case=case).select_related("issued_org", "owed_by_org", "issued_by", "to_user")
    )
    for ins in instructions:
        ins.can_report = rules.report_instruction(who, ins) is None
        ins.can_close = rules.close_instruction(who, ins) is None
        ins.overdue = ins.is_open and ins.commit_by < today
    can_open = rules.open_supervision(who, case) is None
    can_urge = rules.issue_urging(who, case) is None
    can_urge_co = rules.urge_co_unit(who, case) is None and case.participants.filter(role="co").exists()
    can_instruct = rules.record_instruction(who, case) is None
    reply_by = today + timedelta(days=proposals.reply_days(today))
    return {
        "case": case,
        "items": items,
        "slips": slips,
        "instructions": instructions,
        "can_open": can_open,
        "can_urge": can_urge,
        "can_urge_co": can_urge_co,
        "can_instruct": can_instruct,
        "open_form": forms.OpenForm(initial={"kind": "filed", "due_on": today + timedelta(days=15)})
        if can_open
        else None,
        "urge_form": forms.UrgeForm(initial={"reply_by": reply_by}) if can_urge else None,
        "urge_co_form": forms.UrgeCoForm(case=case, initial={"reply_by": reply_by}) if can_urge_co else None,
        "instruct_form": forms.InstructForm(case=case, actor=who, initial={"commit_by": today + timedelta(days=7)})
        if can_instruct
        else None,
        "proposals": proposals.for_case(who, case) if can_urge else [],
        "reply_by": reply_by,
        "report_form": forms.ReportForm(),
        "continue_form": forms.ContinueForm(),
        "today": today,
    }


def available(actor, case) -> list[str]:
    """What this actor may do about the case's supervision now (the workbench tabs list only such cases)."""
    ctx = context(actor, case)
    out = [name for name in ("can_open", "can_urge", "can_urge_co", "can_instruct") if ctx[name]]
    for item in ctx["items"]:
        out += [f"item:{item.pk}:report"] * item.can_report + [f"item:{item.pk}:supervise"] * item.can_supervise
    for slip in ctx["slips"]:
        out += [f"slip:{slip.pk}:answer"] * slip.can_answer
    for ins in ctx["instructions"]:
        out += [f"instruction:{ins.pk}:report"] * ins.can_report
    return out


def render(request, case) -> str:
    ctx = context(request.user, case)
    if not (
        ctx["items"] or ctx["slips"] or ctx["instructions"] or ctx["can_open"] or ctx["can_urge"] or ctx["can_instruct"]
    ):
        return ""
    # Without the request: the context processors (the navigation's counts) ran for the page already.
    ctx["csrf_token"] = get_token(request)
    return render_to_string("supervision/_panel.html", ctx)
