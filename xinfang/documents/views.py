"""Issuing from the case page, and the downloads (through the access layer, logged in the audit log).

Thin: the case is read through ``access_case`` (another org's case, or an
accusation against the viewer, answers 404 like a missing one), the action
decides, and every download is one row in the security audit log.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.access import access_case
from xinfang.core.errors import DomainError
from xinfang.documents import actions, rendering
from xinfang.documents.models import Document
from xinfang.orgs.audit import record
from xinfang.orgs.models import AuditAction

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_POST
def issue(request, pk: int, event: int):
    case = access_case(request.user, pk)
    try:
        receipt = bool(request.POST.get("receipt"))
        doc = actions.do_issue_document(case, actor=request.user, event=event, receipt=receipt)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已印发《{doc.title}》，文号{doc.number}")
    return redirect(f"/cases/{case.pk}/#documents")


def _document(request, pk: int) -> Document:
    doc = Document.objects.select_related("case").filter(pk=pk).exclude(state="draft").first()
    if doc is None:
        raise Http404("文书不存在")
    doc.case = access_case(request.user, doc.case_id)  # 404 when the viewer may not see the case
    return doc


def _download(request, doc: Document, content: bytes, ext: str, content_type: str) -> HttpResponse:
    record(
        AuditAction.ATTACHMENT_DOWNLOAD,
        request=request,
        target=f"正式文书（{ext.upper()}）",
        detail=f"{doc.case.number}；《{doc.title}》{doc.number}",
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"{doc.file_stem}.{ext}"
    ascii_name = f"document-{doc.pk}.{ext}"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@never_cache
def docx(request, pk: int):
    doc = _document(request, pk)
    return _download(request, doc, rendering.docx_bytes(doc), "docx", DOCX)


@login_required
@require_GET
@never_cache
def pdf(request, pk: int):
    doc = _document(request, pk)
    return _download(request, doc, rendering.pdf_bytes(doc), "pdf", "application/pdf")


@login_required
@require_GET
@never_cache
def print_view(request, pk: int):
    doc = _document(request, pk)
    return HttpResponse(rendering.html(doc, for_print=True))
