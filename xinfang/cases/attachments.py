"""Case attachments: type sniffing, storage, and adding files to an existing case.

Registration and the later 补充附件 (on the case page and through the API)
share these checks: the type comes from the file's bytes, never its name or
the browser's claim; the size is capped by settings.ATTACHMENT_MAX_BYTES; the
file is stored under its sha256 (never the uploaded name) and is served only
through the access layer.
"""

import hashlib

from django.conf import settings
from django.db import transaction

from xinfang.cases.access import access_case
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import Attachment, CaseEvent
from xinfang.cases.permissions import can_attach
from xinfang.cases.states import Action
from xinfang.core import clock

ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# For the file picker only (a hint to the browser); the bytes decide.
ACCEPT = ",".join(sorted({f".{ext}" for ext in ALLOWED_ATTACHMENT_TYPES.values()} | {".jpeg", ".tif"}))


def max_mb() -> int:
    return settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)


def sniff_attachment(upload):
    """(content_type, error): the type from the file's bytes, never its name or the browser's claim."""
    import filetype

    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        return None, f"附件“{upload.name}”超过{max_mb()}MB的大小限制"
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        return None, f"附件“{upload.name}”的文件类型不允许（仅限 jpg/png/gif/webp/tiff/pdf/doc/docx）"
    return kind.mime, None


def sniff_all(files) -> tuple[list, list[str]]:
    """([(upload, content_type)], [error]) for a batch of uploads."""
    sniffed, errors = [], []
    for upload in files:
        mime, error = sniff_attachment(upload)
        if error:
            errors.append(error)
        else:
            sniffed.append((upload, mime))
    return sniffed, errors


def store_attachments(case, user, sniffed) -> list[Attachment]:
    """Save already-sniffed uploads under their sha256, outside the web root."""
    stored = []
    for upload, mime in sniffed:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            case=case,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        attachment.file.save(attachment.sha256, upload, save=True)
        stored.append(attachment)
    return stored


def add_attachments(case, *, actor, files) -> list[Attachment]:
    """Add files to an existing case and record it in the case's history.

    Not a workflow transition: the state stays, the version moves on (so an
    open action form notices), and a 补充附件 event lists the file names.
    Raises Http404 (out of scope), NotAllowed or Invalid; nothing is stored
    unless every file passes.
    """
    case_id = getattr(case, "pk", case)
    with transaction.atomic():
        case = access_case(actor, case_id, for_write=True)
        reason = can_attach(actor, case)
        if reason:
            raise NotAllowed(reason)
        files = [f for f in files if f]
        if not files:
            raise Invalid("请选择要上传的附件", field="files")
        sniffed, errors = sniff_all(files)
        if errors:
            raise Invalid("；".join(errors), field="files")
        stored = store_attachments(case, actor, sniffed)
        case.version += 1
        case.save(update_fields=["version", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            action=Action.ADD_ATTACHMENT,
            actor=actor,
            actor_org=actor.org,
            at=clock.now(),
            from_status=case.status,
            to_status=case.status,
            note="补充附件：" + "、".join(a.original_name for a in stored),
            data={"attachments": [a.pk for a in stored]},
        )
    return stored
