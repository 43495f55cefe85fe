"""Archive volumes (归档卷宗): a ZIP per ended case, built in the background, its SHA-256 kept.

When a case ends (``cases.states.ENDED_STATES``), and again whenever its
history grows after that (a document issued late, a delivery recorded), the
outbox consumer here asks for a volume: it bumps ``ArchiveVolume.wanted`` in
the outbox entry's transaction and kicks ``tasks.build_archive``. A staff
member may ask again from the case page (``do_request_archive``, recorded as
``TrackedAction.ARCHIVED``). The periodic ``archive_sweep`` builds whatever a
lost kick or a killed worker left owed.

A build (``build_volume``) is idempotent and safe to kill: it writes the ZIP
to a temporary file beside its final place, computes the SHA-256 of the
bytes written, renames it (atomic on one file system) to a name carrying the
hash, and only then, under the case's row lock, stores the name, hash, size
and index on the row with a compare-and-set on ``built``. Killed before the commit, the row still names the previous
volume (or none) and a later build cleans up the orphan file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from xinfang.background import kick
from xinfang.cases.access import access_case
from xinfang.cases.actions.tracked import record_for_app
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.events import chain_break
from xinfang.cases.models import CaseEvent
from xinfang.cases.states import ENDED_STATES, TrackedAction
from xinfang.core import clock
from xinfang.documents import rendering
from xinfang.documents.actions import ISSUING_ROLES, documents_for_case
from xinfang.documents.archive_render import Entry, history_pdf, index_csv, index_docx, index_pdf
from xinfang.documents.models import ArchiveVolume, DocumentState
from xinfang.orgs.actors import Actor, as_actor

log = logging.getLogger("xinfang.documents")

SYSTEM = Actor.system("生成归档卷宗")
CONSUMER = "archive"
CONSUMER_DESCRIPTION = "归档：信访件结束后（及其后每有新记录）生成归档卷宗"
# Events older than this (a historical ledger import, a restored backup) ask for no volume by
# themselves: a bureau that wants those archived asks on the case page or with the command.
EVENT_MAX_AGE = timedelta(days=7)
# A temporary file older than this is a killed build's leftover (a live build takes seconds).
STALE_TEMP = timedelta(hours=1)
TEMP_PREFIX = ".tmp-"

NO_ROLE = "只有登记员、受理交办员、承办人或负责人可以生成归档卷宗"


def not_ended(case) -> str:
    return f"当前状态为“{case.get_status_display()}”，信访件结束后方可归档"


def _directory(case_id: int) -> str:
    return f"archives/{case_id}"


# --- asking for a volume ----------------------------------------------------------------------


def request_volume(case, *, kick_build: bool = True) -> ArchiveVolume:
    """Ask for a (new) volume of ``case``, in the caller's transaction; the build is kicked on commit."""
    now = clock.now()
    volume, created = ArchiveVolume.objects.get_or_create(case_id=case.pk, defaults={"requested_at": now})
    if not created:
        ArchiveVolume.objects.filter(pk=volume.pk).update(wanted=F("wanted") + 1, requested_at=now)
        volume.refresh_from_db()
    if kick_build:
        from xinfang.documents.tasks import build_archive

        kick(build_archive, case.pk)
    return volume


def on_case_event(event) -> None:
    """The outbox consumer: an ended case whose history grew needs its volume (re)built."""
    if event.action == TrackedAction.ARCHIVED:
        return  # the volume's own record (and a staff request, which asked already)
    if event.at < clock.now() - EVENT_MAX_AGE:
        return
    if event.case.status not in ENDED_STATES:
        return
    request_volume(event.case)


def may_request(actor) -> str | None:
    who = as_actor(actor)
    if not (who.is_active and who.has_role(*ISSUING_ROLES)):
        return NO_ROLE
    return None


def do_request_archive(case, *, actor) -> ArchiveVolume:
    """生成（重新生成）归档卷宗 from the case page: an ended case the actor may read."""
    who = as_actor(actor)
    with transaction.atomic():
        case = access_case(who, getattr(case, "pk", case), for_write=True)
        reason = may_request(who)
        if reason:
            raise NotAllowed(reason)
        if case.status not in ENDED_STATES:
            raise Invalid(not_ended(case))
        again = ArchiveVolume.objects.filter(case=case).exists()
        volume = request_volume(case)
        record_for_app(
            case,
            TrackedAction.ARCHIVED,
            actor=who,
            note="要求重新生成归档卷宗" if again else "要求生成归档卷宗",
            data={"volume": volume.pk, "request": volume.wanted},
        )
    return volume


# --- building ---------------------------------------------------------------------------------


def _safe(name: str) -> str:
    """A file name inside the ZIP: no directories, no leading dots (an uploaded name is untrusted)."""
    for bad in ("/", "\\", "\x00", ":"):
        name = name.replace(bad, "_")
    return name.lstrip(". ") or "file"


def _pages(content: bytes) -> int | None:
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(content)).pages)
    except Exception:  # noqa: BLE001 — a damaged PDF attachment still goes in, its count unknown
        return None


def _zip_time(at: datetime) -> tuple[int, int, int, int, int, int]:
    local = clock.localtime(at)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def write_volume(case, fh, generated_at: datetime) -> list[Entry]:
    """Write the ZIP of ``case`` to ``fh``; returns the 卷内目录 (its rows)."""
    stamp = _zip_time(generated_at)
    entries: list[Entry] = []

    def add(zf, path: str, content: bytes) -> None:
        info = zipfile.ZipInfo(path, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, content)

    with zipfile.ZipFile(fh, "w") as zf:
        seq = 0
        for doc in documents_for_case(case):
            seq += 1
            content = rendering.pdf_bytes(doc)
            path = f"文书/{seq:02d}-{_safe(doc.file_stem)}.pdf"
            add(zf, path, content)
            note = "已作废" if doc.state == DocumentState.SUPERSEDED else ""
            entries.append(Entry(seq, doc.title, doc.number, doc.dated, _pages(content), path, note))
        for attachment in case.attachments.order_by("uploaded_at", "pk"):
            seq += 1
            path = f"附件/{seq:02d}-{_safe(attachment.original_name)}"
            dated = clock.local_date(attachment.uploaded_at)
            try:
                with attachment.file.open("rb") as src:
                    content = src.read()
            except OSError:
                # The row's file is gone (``manage.py attachments check`` lists it): say so, never hide it.
                entries.append(Entry(seq, attachment.original_name, "", dated, None, "", "文件缺失"))
                continue
            add(zf, path, content)
            if attachment.content_type == "application/pdf":
                pages = _pages(content)
            elif attachment.content_type.startswith("image/"):
                pages = 1
            else:
                pages = None  # a Word file has no page count until it is laid out
            entries.append(Entry(seq, attachment.original_name, "", dated, pages, path))
        events = list(CaseEvent.objects.filter(case=case).select_related("actor", "actor_org").order_by("seq", "pk"))
        petitioners = [
            link.petitioner.name for link in case.case_petitioners.select_related("petitioner").order_by("pk")
        ]
        seq += 1
        history = history_pdf(
            case, events, petitioners, generated_at, chain_break(events, version=case.version) is None
        )
        path = f"{seq:02d}-信访事项办理记录.pdf"
        add(zf, path, history)
        last = clock.local_date(events[-1].at) if events else None
        entries.append(Entry(seq, "信访事项办理记录", "", last, _pages(history), path))
        add(zf, "00-卷内目录.csv", index_csv(entries))
        add(zf, "00-卷内目录.docx", index_docx(case, entries, generated_at))
        add(zf, "00-卷内目录.pdf", index_pdf(case, entries, generated_at))
    return entries


def _digest(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(partial(fh.read, 1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _cleanup(case_id: int, keep: str) -> None:
    """Remove earlier volumes and killed builds' leftovers of one case (never a live build's temp file)."""
    directory = default_storage.path(_directory(case_id))
    keep_base = os.path.basename(keep)
    cutoff = time.time() - STALE_TEMP.total_seconds()
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    for name in names:
        full = os.path.join(directory, name)
        if name == keep_base:
            continue
        try:
            if name.startswith(TEMP_PREFIX) and os.path.getmtime(full) > cutoff:
                continue
            os.remove(full)
        except FileNotFoundError:
            pass


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def build_volume(case_id: int) -> str:
    """Build the volume owed for ``case_id`` (if any); returns what it did."""
    volume = ArchiveVolume.objects.filter(case_id=case_id).first()
    if volume is None:
        return "no volume asked for"
    snapshot = volume.wanted
    if volume.built >= snapshot:
        if volume.has_file and default_storage.exists(volume.file.name):
            return "up to date"
        # Built once, but the file is gone from disk: ask again, so the compare-and-set below can store it.
        ArchiveVolume.objects.filter(pk=volume.pk).update(wanted=F("wanted") + 1)
        snapshot = ArchiveVolume.objects.filter(pk=volume.pk).values_list("wanted", flat=True).get()
    case = access_case(SYSTEM, case_id)
    generated_at = clock.now()
    directory = default_storage.path(_directory(case_id))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".zip", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            entries = write_volume(case, fh, generated_at)
            fh.flush()
            os.fsync(fh.fileno())
        sha256, size = _digest(temp)
        name = f"{_directory(case_id)}/volume-{sha256[:32]}.zip"
        os.replace(temp, default_storage.path(name))
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    # Under the case's row lock, like every write about a case. No history event: the case's
    # version (and every open form on it) stays as it was; the hash is on the volume's row.
    with transaction.atomic():
        access_case(SYSTEM, case_id, for_write=True)
        stored = ArchiveVolume.objects.filter(pk=volume.pk, built__lt=snapshot).update(
            file=name,
            sha256=sha256,
            size=size,
            built=snapshot,
            generated_at=generated_at,
            entries=[e.as_json() for e in entries],
            error="",
        )
        if stored:
            transaction.on_commit(partial(_cleanup, case_id, name))
    if not stored:
        # A later build stored its volume first; ours is not the one the row names.
        current = ArchiveVolume.objects.filter(pk=volume.pk).values_list("file", flat=True).first()
        if current != name and os.path.exists(default_storage.path(name)):
            os.remove(default_storage.path(name))
        return "a later build was stored first"
    return f"built {sha256[:12]} ({size} bytes, {len(entries)} files)"


def build_or_record_error(case_id: int) -> str:
    try:
        return build_volume(case_id)
    except Exception as exc:
        ArchiveVolume.objects.filter(case_id=case_id).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def owed(limit: int = 20) -> list[int]:
    """The cases whose volume is owed, the longest waiting first."""
    return list(
        ArchiveVolume.objects.filter(built__lt=F("wanted"))
        .order_by("requested_at")
        .values_list("case_id", flat=True)[:limit]
    )


def sweep(limit: int = 20) -> str:
    """Build up to ``limit`` owed volumes (the periodic job); one failure does not stop the rest."""
    built = failed = 0
    for case_id in owed(limit):
        try:
            build_or_record_error(case_id)
            built += 1
        except Exception:  # noqa: BLE001 — recorded on the row; the next sweep tries again
            log.exception("archive volume of case %s failed", case_id)
            failed += 1
    return f"built={built} failed={failed}"


def volume_for(case) -> ArchiveVolume | None:
    """The case's volume row (the caller has read the case through the access layer)."""
    return ArchiveVolume.objects.filter(case=case).first()
