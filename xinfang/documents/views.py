"""Issuing from the case page, and the downloads (through the access layer, logged in the audit log).

Thin: the case is read through ``access_case`` (another org's case, or an
accusation against the viewer, answers 404 like a missing one), the action
decides, and every download is one row in the security audit log.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases.access import access_case
from xinfang.core.errors import DomainError
from xinfang.documents import actions, archive, rendering
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


@login_required
@require_POST
def archive_request(request, pk: int):
    case = access_case(request.user, pk)
    try:
        archive.do_request_archive(case, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已提交生成归档卷宗，稍后刷新本页即可下载")
    return redirect(f"/cases/{case.pk}/#archive")


@login_required
@require_GET
@never_cache
def archive_download(request, pk: int):
    """The case's last generated volume; the accused and other orgs get the 404 of ``access_case``."""
    case = access_case(request.user, pk)
    volume = archive.volume_for(case)
    if volume is None or not volume.has_file or not default_storage.exists(volume.file.name):
        raise Http404("归档卷宗尚未生成")
    record(
        AuditAction.ATTACHMENT_DOWNLOAD,
        request=request,
        target="归档卷宗（ZIP）",
        detail=f"{case.number}；SHA-256 {volume.sha256}",
    )
    response = FileResponse(
        default_storage.open(volume.file.name, "rb"), content_type="application/zip", as_attachment=False
    )
    name = f"{case.number}-归档卷宗.zip"
    response["Content-Disposition"] = f"attachment; filename=\"archive-{case.pk}.zip\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
