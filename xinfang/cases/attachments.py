"""Case attachments: type sniffing, storage, and adding files to an existing case.

Registration and the later 补充附件 (on the case page and through the API)
share these checks: the type comes from the file's bytes, never its name or
the browser's claim; the size is capped by settings.ATTACHMENT_MAX_BYTES; the
file is stored under its sha256 (never the uploaded name) and is served only
through the access layer.
"""

import hashlib
import tempfile
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import transaction

from xinfang.cases.models import Attachment, attachment_path

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


# What an extension claims the file is, for the message when the bytes disagree.
_CLAIMED_TYPES = {
    "jpg": "JPEG 图片",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "gif": "GIF 图片",
    "webp": "WebP 图片",
    "tif": "TIFF 图片",
    "tiff": "TIFF 图片",
    "pdf": "PDF",
    "doc": "Word（.doc）",
    "docx": "Word（.docx）",
}


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
        claimed = _CLAIMED_TYPES.get(upload.name.rsplit(".", 1)[-1].lower()) if "." in upload.name else None
        if claimed:
            # The name says an allowed type but the bytes are not one: say so, not "type not allowed".
            return None, f"附件“{upload.name}”的内容不是有效的{claimed}文件（文件可能已损坏，或扩展名与内容不符）"
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


def store_attachments(case, user, sniffed, *, petitioner_id=None) -> list[Attachment]:
    """Record already-sniffed uploads; their bytes are written when the transaction commits.

    A registration or upload that rolls back must leave nothing on disk (a
    scan of an ID card with no row pointing at it), so the rows are made now
    and each file's bytes are held in an anonymous temporary file (memory up
    to 1 MB, then a file with no name on disk, gone when closed) until an
    on_commit callback stores them under their sha256, outside the web root.
    On a rollback the callback is dropped and the bytes with it.
    A petitioner's upload (补充材料 on the portal) passes ``user=None`` and their ``petitioner_id``.
    ``python manage.py attachments check`` reports any row whose file is
    missing and any stray file (and removes strays with --delete).
    """
    stored = []
    for upload, mime in sniffed:
        digest = hashlib.sha256()
        held = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 — closed by _write_file
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
            held.write(chunk)
        upload.seek(0)
        attachment = Attachment(
            case=case,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
            uploaded_by_petitioner_id=petitioner_id,
        )
        attachment.file.name = attachment_path(attachment, upload.name)
        attachment.save()
        stored.append(attachment)
        transaction.on_commit(partial(_write_file, attachment.pk, attachment.file.name, held))
    return stored


def _write_file(pk: int, name: str, held) -> None:
    try:
        storage = Attachment._meta.get_field("file").storage
        if storage.exists(name):
            return  # content-addressed: the same bytes are already there
        held.seek(0)
        saved = storage.save(name, File(held, name=name))
        if saved != name:  # a storage that renamed it (e.g. a race with an identical upload)
            Attachment.objects.filter(pk=pk).update(file=saved)
    finally:
        held.close()
