"""Named sub-states of a case, in one place.

Within a state a case can be waiting for different things: an extension to
approve, a draft reply to sign, a delivery, an evaluation, a co-unit's
report. These are flag columns on the case; the rules (``permissions``), the
workbench tabs and the case page all ask these predicates rather than the
columns, each in the form it needs: ``test(case)`` for one case in Python,
``q()`` for a queryset. A test checks the two forms agree on every case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BigAutoField, Exists, Lookup, OuterRef, Q


@BigAutoField.register_lookup
class InSelect(Lookup):
    """``pk__in_select=<values queryset>``: the ids of a small, separately indexed set.

    Unlike a correlated EXISTS, it can drive a query on its own, also as one
    branch of an OR (the to-do union): SQLite runs ``id IN (SELECT ...)`` as
    its own index search of the OR, PostgreSQL ``id = ANY(ARRAY(SELECT ...))``
    as one Bitmap Index Scan of the primary key (a plain ``IN (SELECT ...)``
    inside an OR becomes a filter over every row of the table there).
    """

    lookup_name = "in_select"

    def get_prep_lookup(self):
        # As ``In`` does: a set has no order, so the subquery's (a model's default ordering, e.g. the
        # supervision items' newest first) would only make the database sort it. A sliced subquery
        # keeps its order: its rows are the first ones in that order.
        from django.db.models.sql.query import Query

        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(clear_default=True)
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


class Probe(Exists):
    """A correlated EXISTS that PostgreSQL, too, answers per row of the outer query, by its index.

    PostgreSQL turns an EXISTS into a semi-join, and for the scope's "a participant row of one of
    these orgs" it then reads every participant row of the orgs (a bureau's whole history) to hash
    them, whatever the few rows the rest of the query keeps. An OFFSET keeps the sublink a subplan
    (the planner does not pull up a subquery with one): one probe of (case, org) per candidate row,
    the plan SQLite makes of it.
    """

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context)


@dataclass(frozen=True)
class Predicate:
    key: str
    label: str
    test: Callable
    q: Callable[[], Q]

    def __call__(self, case) -> bool:
        return bool(self.test(case))


def _pending_co_units_q() -> Q:
    from xinfang.cases.models import CaseOrg
    from xinfang.cases.states import ParticipantRole

    return Q(Exists(CaseOrg.objects.filter(case=OuterRef("pk"), role=ParticipantRole.CO, reported_at__isnull=True)))


def pending_co_units(case) -> list:
    """The co-units that have not reported their part yet (uses the prefetched participants)."""
    from xinfang.cases.states import ParticipantRole

    return [p for p in case.participants.all() if p.role == ParticipantRole.CO and p.reported_at is None]


EXTENSION_PENDING = Predicate(
    "extension_pending",
    "延期待审批",
    lambda c: c.extension_requested_days > 0,
    lambda: Q(extension_requested_days__gt=0),
)
EXTENDED = Predicate("extended", "已延期", lambda c: c.extension_days > 0, lambda: Q(extension_days__gt=0))
HEARING_OPEN = Predicate("hearing_open", "听证中（期限中止）", lambda c: c.hearing_open, lambda: Q(hearing_open=True))
DRAFT_REPLY = Predicate(
    "draft_reply", "答复意见待签发", lambda c: c.reply_draft is not None, lambda: Q(reply_draft__isnull=False)
)
REPLY_DELIVERED = Predicate(
    "reply_delivered",
    "答复意见已送达",
    lambda c: c.reply_delivered_on is not None,
    lambda: Q(reply_delivered_on__isnull=False),
)
REVIEW_DELIVERED = Predicate(
    "review_delivered",
    "复查意见已送达",
    lambda c: c.review_delivered_on is not None,
    lambda: Q(review_delivered_on__isnull=False),
)
EVALUATED = Predicate("evaluated", "已评价", lambda c: bool(c.evaluation), lambda: ~Q(evaluation=""))
# 交办: the lead unit owes the assigning bureau a report (报结) before the case can close.
REPORT_OWED = Predicate("report_owed", "交办件（须报结）", lambda c: c.is_assigned, lambda: Q(is_assigned=True))
CO_REPORTS_PENDING = Predicate(
    "co_reports_pending", "协办单位未反馈", lambda c: bool(pending_co_units(c)), _pending_co_units_q
)
# The petitioner's review or re-examination window has started (the reply or review opinion was delivered).
WINDOW_STARTED = Predicate(
    "window_started",
    "信访人申请期限已起算",
    lambda c: c.window_until is not None,
    lambda: Q(window_until__isnull=False),
)
# A bureau above handed the case down and is owed the result (审核办结 goes up the chain).
REPORTS_UP = Predicate(
    "reports_up",
    "须报上级信访部门审核",
    lambda c: any(link.get("assigned") for link in c.routing_chain or []),
    lambda: ~Q(routing_chain=[]),  # a coarse filter: only the Python form tells forwards from assignments
)

ALL = [
    EXTENSION_PENDING,
    EXTENDED,
    HEARING_OPEN,
    DRAFT_REPLY,
    REPLY_DELIVERED,
    REVIEW_DELIVERED,
    EVALUATED,
    REPORT_OWED,
    CO_REPORTS_PENDING,
    WINDOW_STARTED,
]
