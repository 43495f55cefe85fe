"""The case page's 正式文书 section: the case's documents, and the 印发 button of each notice without one."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import ENDED_STATES
from xinfang.documents import archive, texts
from xinfang.documents.actions import documents_for_case, may_issue
from xinfang.documents.models import DocumentKind, DocumentState
from xinfang.orgs.actors import as_actor


def context(user, case) -> dict:
    who = as_actor(user)
    docs = documents_for_case(case)
    live = {(d.source_event_id, d.kind) for d in docs if d.state != DocumentState.SUPERSEDED}
    pending = []
    receipts = []
    # The case page has loaded the history already (cases.panels); elsewhere, read it.
    events = getattr(case, "page_events", None)
    if events is None:
        events = CaseEvent.objects.filter(case=case).select_related("actor_org").order_by("at", "pk")
    for ev in events:
        kind = texts.kind_of(ev)
        if kind is None or not texts.has_text(ev, kind):
            continue
        org = texts.issuing_org(ev, case)
        if may_issue(who, org, kind) is not None:
            continue
        if (ev.pk, kind) not in live:
            pending.append({"event": ev, "label": DocumentKind(kind).label, "org": org})
        elif ev.notice and (ev.pk, DocumentKind.RECEIPT) not in live:
            receipts.append({"event": ev, "label": DocumentKind(kind).label})
    ctx = {"case": case, "documents": docs, "pending": pending, "receipts": receipts, "archive": None}
    # Only an ended case has a volume: an open case's page costs no query for it.
    if case.status in ENDED_STATES:
        volume = archive.volume_for(case)
        ctx["archive"] = {
            "volume": volume,
            "may_request": archive.may_request(who) is None,
            "size": archive.size_text(volume.size) if volume is not None and volume.size else "",
        }
    return ctx


def render(request, case) -> str:
    ctx = context(request.user, case)
    if not (ctx["documents"] or ctx["pending"] or ctx["archive"]):
        return ""
    ctx["csrf_token"] = get_token(request)
    return render_to_string("documents/_panel.html", ctx)
