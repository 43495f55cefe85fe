"""补充附件: adding files to an existing case (not a transition: the state stays)."""

from django.db import transaction

from xinfang.cases import events
from xinfang.cases.access import access_case
from xinfang.cases.attachments import sniff_all, store_attachments
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import Attachment
from xinfang.cases.permissions import can_attach
from xinfang.cases.states import ENDED_STATES, Action
from xinfang.orgs.actors import as_actor


def do_add_attachments(case, *, actor, files, note="") -> list[Attachment]:
    """Add files to an existing case and record it in the case's history.

    Not a workflow transition: the state stays, the version moves on (so an
    open action form notices), and a 补充附件 event lists the file names.
    Raises Http404 (out of scope), NotAllowed or Invalid; nothing is stored
    unless every file passes. ``note`` is the petitioner's written 补充材料
    (the portal), which may come with files or without.
    """
    case_id = getattr(case, "pk", case)
    with transaction.atomic():
        case = access_case(actor, case_id, for_write=True)
        if as_actor(actor).is_petitioner:
            # The petitioner's own case (access_case scoped it to them) while it is open: 补充材料.
            reason = f"当前状态为“{case.get_status_display()}”，不能补充材料" if case.status in ENDED_STATES else None
        else:
            reason = can_attach(actor, case)
        if reason:
            raise NotAllowed(reason)
        files = [f for f in files if f]
        note = (note or "").strip()
        if not files and not note:
            raise Invalid("请选择要上传的附件", field="files")
        sniffed, errors = sniff_all(files)
        if errors:
            raise Invalid("；".join(errors), field="files")
        stored = store_attachments(case, as_actor(actor).user, sniffed, petitioner_id=as_actor(actor).petitioner_id)
        case.version += 1
        case.save(update_fields=["version", "updated_at"])
        events.record(
            case,
            Action.ADD_ATTACHMENT,
            actor=actor,
            from_status=case.status,
            note="；".join(
                ([f"补充材料：{note}"] if note else [])
                + (["补充附件：" + "、".join(a.original_name for a in stored)] if stored else [])
            ),
            data={"attachments": [a.pk for a in stored]},
        )
    return stored
