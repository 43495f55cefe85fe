"""The tracked-item contract: what the escalation ladder (``xinfang.escalation``) reads of supervision.

``TRACKED`` maps a kind code to a ``TrackedKind``:

==================== ===================== ================== ==============================
code                 model                 date_field         open while
==================== ===================== ================== ==============================
"supervision"        SupervisionItem       due_on             status == "open"
"supervision_report" SupervisionItem       next_report_on     status == "open" and a cadence
"urging"             UrgingSlip            reply_by           status == "open"
"instruction"        Instruction           commit_by          status == "open"
==================== ===================== ================== ==============================

Every model is a ``TrackedItem`` (``models.py``) with these fields, whose
names are the contract:

* ``case`` (FK ``cases.Case``), ``status`` (the open value is ``"open"``);
* ``owed_by_org``: the unit that owes the next thing (the supervised, urged
  or instructed unit), the one a yellow card would be recorded against;
* ``issued_org`` / ``issued_by`` (nullable): the supervising or urging org
  and person, or the instructing leader, who are told when it lapses;
* ``version``: bumped whenever the tracked date changes (继续督办 with a new
  due date, a report that moves ``next_report_on``), so a reminder keyed on
  ``f"{code}:{pk}:v{version}:..."`` is sent once per date;
* ``opened_at``, ``closed_at`` (null while open).

``open_q`` is the filter of the rows still owed (the escalation sweep
combines it with a range on ``date_field``; each date field has a partial
index ``WHERE status = 'open'``). Reading the items goes through the models;
writing them only through ``xinfang.supervision.actions``. An accusation's
items never notify ``case.accused_org`` / ``case.accused_user`` (use
``xinfang.supervision.recipients.exclude_accused`` on any recipient list).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from xinfang.supervision.models import OPEN, Instruction, SupervisionItem, UrgingSlip


@dataclass(frozen=True)
class TrackedKind:
    code: str
    label: str  # Chinese, for messages and rule screens
    model: type[models.Model]
    date_field: str
    open_q: Q

    def open_items(self):
        """The rows still owed that have a date to track."""
        return self.model._default_manager.filter(self.open_q, **{f"{self.date_field}__isnull": False})


TRACKED: dict[str, TrackedKind] = {
    k.code: k
    for k in (
        TrackedKind("supervision", "督办事项", SupervisionItem, "due_on", Q(status=OPEN)),
        TrackedKind(
            "supervision_report",
            "督办进展反馈",
            SupervisionItem,
            "next_report_on",
            Q(status=OPEN, next_report_on__isnull=False),
        ),
        TrackedKind("urging", "催办单", UrgingSlip, "reply_by", Q(status=OPEN)),
        TrackedKind("instruction", "领导批示", Instruction, "commit_by", Q(status=OPEN)),
    )
}

__all__ = ["TRACKED", "TrackedKind"]
