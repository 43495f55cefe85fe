"""挂牌督办 in the scale data: the listed items the running system opens, followed to their end.

A running county lists for supervision every case that meets a listing rule
(``supervision.listing``: repeats, collective visits, leader-instructed and
referred cases), moments after registration, when the supervision consumer
of the outbox reads the registration. About one case in sixteen of the
generated ones does (referred 5 %, collective visits 1 %). Each item then
lives as the pages and the consumer make it live:

* it follows the case (``consumer.follow_holder``): owed by the unit holding
  it after every workflow step;
* the owing unit reports progress (督办反馈) on or a day or two before each
  report date, the case's handler where the unit holds it through them, so
  the next report falls due a cadence later;
* while the case is still being handled when the item's due date comes, the
  listing bureau continues it (继续督办) with the rule's period again;
* once the unit is done with the case (办结, 不予受理, 导入法定途径, 并入重复件,
  终结) it reports the result (办理结果) before its next report date, and the
  bureau concludes the item (督办办结) within days, before its due date.

So no generated item is overdue today: the escalation ladder, which would
have carded an overdue one, is not simulated, and neither are the
notifications the actions send (the generator writes none for any action).
Not generated either: supervision opened by hand (立案、发函督办、现场督查),
提级督办, urging slips and leader instructions recorded after registration.

Each step is one case event written as ``cases.actions.record_for_app``
writes it (the case's status on both sides, the version counted), with the
item and report rows; ``test_scale_history`` replays them through
``supervision.actions`` and the consumer and compares.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.db.models import Max

from xinfang.cases.states import Action, Status
from xinfang.cases.states import ParticipantRole as R
from xinfang.cases.states import TrackedAction as T
from xinfang.orgs.models import Role
from xinfang.supervision import listing
from xinfang.supervision.models import (
    OPEN,
    ListingCondition,
    ListingRule,
    ReportKind,
    SupervisionItem,
    SupervisionKind,
    SupervisionReport,
    SupervisionStatus,
)

if TYPE_CHECKING:
    from xinfang.devdata.scale import Life
    from xinfang.devdata.scale_world import World

# Where the unit is done with the case: it reports the result, and the bureau concludes.
ENDED = frozenset({Status.CLOSED, Status.DECLINED, Status.REDIRECTED, Status.MERGED, Status.FINAL})
CASE_ACTIONS = frozenset(Action.values)  # the consumer follows the holder after these, not after its own
KIND_LABEL = SupervisionKind.LISTED.label
# Of supervision.rules.UNIT_ROLES, those who see all the unit's cases; a handler reports on their own.
REPORTING = (Role.PETITION_OFFICER, Role.UNIT_HEAD)
SUPERVISING = (Role.SUPERVISOR, Role.PETITION_OFFICER)  # of supervision.rules.SUPERVISING_ROLES

PROGRESS = (
    "已组织调查核实，正在研究处理意见。",
    "已约见信访人听取诉求，正在协调相关部门解决。",
    "已形成初步处理意见，正在报单位负责人审定。",
    "正在实地核查，近期将形成处理意见。",
)
RESULT: dict[str, str] = {
    Status.CLOSED: "已办结并书面答复信访人。",
    Status.DECLINED: "经审查不予受理，已书面告知信访人。",
    Status.REDIRECTED: "已告知信访人依照法定途径提出。",
    Status.MERGED: "已作为重复信访件并入原件办理。",
    Status.FINAL: "信访事项已终结。",
}
OUTCOME = "经审核，办理结果已报，同意办结。"
CONTINUE_NOTE = "尚未办结，请抓紧办理，按新的办结期限报送办理结果。"


class Item:
    """One listed item while the case lives (the SupervisionItem row, and what comes next)."""

    __slots__ = (
        "id",
        "rule",
        "issued",
        "owed",
        "due_on",
        "every",
        "next_report_on",
        "version",
        "status",
        "opened_at",
        "closed_at",
        "outcome",
        "ended",
        "reported",
        "last",
        "step",
    )

    def __init__(self, pk: int, rule: ListingRule, issued: int, owed: int, day: date, at):
        self.id, self.rule, self.issued, self.owed = pk, rule, issued, owed
        self.due_on = day + timedelta(days=rule.due_days)
        self.every = rule.report_every_days
        self.next_report_on = min(day + timedelta(days=self.every), self.due_on) if self.every else None
        self.version, self.status, self.opened_at, self.closed_at, self.outcome = 1, OPEN, at, None, ""
        self.ended: str | None = None  # the case's end state once the unit is done with it
        self.reported: date | None = None  # the day of the result report
        self.last = day  # the day of the last report (or of the listing): one progress report a report date
        self.step: tuple[datetime, int, str] | None = None  # (when, order, what): the next planned step


class Supervision:
    """The listing rules in force and the staff who act on items; the items' rows of a batch."""

    def __init__(self, world: World, staff: dict[int, dict[str, list[int]]]):
        self.w = world
        self.rules = list(ListingRule.objects.filter(is_active=True).select_related("org").order_by("pk"))
        # apply_listing's reason for each rule's items
        self.reasons = {r.pk: f"按“{r.name}”规则挂牌督办（{r.get_condition_display()}）" for r in self.rules}
        self.staff = staff
        self.next_item = (SupervisionItem.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.next_report = (SupervisionReport.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self._bureaus: dict[tuple[int, str], int | None] = {}
        self._applies: dict[tuple[int, int], bool] = {}
        self._actors: dict[tuple[int, tuple], list[int]] = {}
        self.counts: dict[str, int] = defaultdict(int)

    # --- who and where ----------------------------------------------------------------------

    def bureau(self, holder: int, rule: ListingRule) -> int | None:
        """listing.listing_org for a case held by ``holder``."""
        key = (holder, rule.level)
        if key not in self._bureaus:
            org = self.w.orgs[holder]
            # listing_org reads the case's holder only.
            found = listing.listing_org(SimpleNamespace(competent_org=org, current_org=org), rule)
            self._bureaus[key] = found.pk if found is not None else None
        return self._bureaus[key]

    def applies(self, rule: ListingRule, holder: int) -> bool:
        key = (rule.id, holder)
        if key not in self._applies:
            self._applies[key] = rule.org is None or self.w.orgs[holder].is_within(rule.org)
        return self._applies[key]

    def actors(self, org: int, roles: tuple) -> list[int]:
        key = (org, roles)
        if key not in self._actors:
            by_role = self.staff.get(org, {})
            self._actors[key] = sorted({u for role in roles for u in by_role.get(role, [])})
        return self._actors[key]

    # --- the consumer ----------------------------------------------------------------------------

    def listed(self, L: Life) -> None:
        """apply_listing, as the consumer runs it minutes after the registration."""
        c, day = L.c, L.day
        holder = c["competent_org_id"] or c["current_org_id"]
        taken: set[int] = set()
        opened = False
        for rule in self.rules:
            if rule.effective_from > day or (rule.effective_to is not None and rule.effective_to < day):
                continue
            if not (self.applies(rule, holder) and meets(c, rule.condition)):
                continue
            org = self.bureau(holder, rule)
            if org is None or org in taken:
                continue  # one listing per bureau
            if not opened:
                L.move(L.t + timedelta(minutes=1 + int(L.g.rng.random() * 5)))
                opened = True
            item = Item(self.next_item, rule, org, holder, day, L.at)
            self.next_item += 1
            taken.add(org)
            L.items.append(item)
            L.join(org, R.SUPERVISING)
            L.record(
                T.SUPERVISION_OPEN,
                listing.SYSTEM,
                L.status,
                note=f"{KIND_LABEL}：{self.reasons[rule.pk]}（督办单位{self.w.orgs[org].name}，办结期限{item.due_on:%Y-%m-%d}）",
                data={
                    "item": item.id,
                    "kind": SupervisionKind.LISTED.value,
                    "due_on": item.due_on.isoformat(),
                    "rule": rule.id,
                },
            )
            self.counts["items"] += 1
            self.plan(L, item)

    def followed(self, L: Life) -> None:
        """After a workflow step: follow_holder, and the end of the unit's work starts the items' last steps."""
        c = L.c
        holder = c["competent_org_id"] or c["current_org_id"]
        for item in L.items:
            if item.status != OPEN:
                continue
            if item.owed != holder and item.issued != holder:
                item.owed = holder
            if item.ended is None and L.status in ENDED:
                item.ended = L.status
                self.plan(L, item)

    # --- the pages' steps -------------------------------------------------------------------------

    def plan(self, L: Life, item: Item) -> None:
        """The item's next step: a report, a continuation, the result or the conclusion."""
        g, on = L.g, L.day  # the day of the step just taken
        if item.status != OPEN:
            item.step = None
        elif item.reported is not None:
            day = min(item.reported + timedelta(days=g.ri(1, 6)), max(item.due_on, item.reported))
            item.step = (self.time(L, day), 3, "conclude")
        elif item.ended is not None:
            day = on + timedelta(days=g.ri(0, 3))
            if item.next_report_on is not None:
                day = max(min(day, item.next_report_on), on)
            item.step = (self.time(L, day), 2, "result")
        else:
            candidates = [(item.due_on - timedelta(days=g.ri(0, 3)), 1, "continue_")]
            if item.next_report_on is not None and item.next_report_on > item.last:
                early = item.next_report_on - timedelta(days=g.one((0, 0, 0, 1, 2)))
                candidates.append((max(early, item.last + timedelta(days=1)), 0, "progress"))
            day, order, what = min(candidates)
            item.step = (self.time(L, max(day, on)), order, what)

    def time(self, L: Life, day: date) -> datetime:
        """A time in office hours on ``day`` (local wall-clock, naive like Life's)."""
        return datetime(day.year, day.month, day.day, 8, 30) + timedelta(minutes=L.g.ri(0, 540))  # noqa: DTZ001

    def until(self, L: Life, t: datetime) -> None:
        """Take the items' steps planned before ``t`` (the next workflow step, or today), in time order."""
        while True:
            due = [i for i in L.items if i.step is not None and i.step[0] < t]
            if not due:
                return
            item = min(due, key=lambda i: i.step)
            when, _order, what = item.step
            L.move(max(when, L.t + timedelta(minutes=5)))
            getattr(self, what)(L, item)
            self.plan(L, item)

    def reporter(self, L: Life, item: Item) -> int:
        handler = L.c["handler_id"]
        if handler is not None and L.g.w.users[handler][0] == item.owed:
            return handler
        return L.g.one(self.needed(item.owed, REPORTING))

    def report(self, L: Life, item: Item, kind: str, text: str) -> None:
        """do_report_supervision."""
        by = self.reporter(L, item)
        item.last = L.day
        report_id = self.next_report
        self.next_report += 1
        L.reports.append((report_id, item.id, kind, text, by, item.owed, L.at))
        changed = False
        if kind == ReportKind.FINAL and item.next_report_on is not None:
            item.next_report_on, changed = None, True
        elif kind == ReportKind.PROGRESS and item.every:
            nxt = min(L.day + timedelta(days=item.every), item.due_on)
            changed, item.next_report_on = nxt != item.next_report_on, nxt
        if changed:
            item.version += 1
        label = ReportKind(kind).label
        L.record(
            T.SUPERVISION_REPORT,
            by,
            L.status,
            note=f"{label}：{text}",
            data={"item": item.id, "report": report_id, "kind": kind},
        )
        self.counts["reports"] += 1

    def progress(self, L: Life, item: Item) -> None:
        self.report(L, item, ReportKind.PROGRESS, L.g.one(PROGRESS))

    def result(self, L: Life, item: Item) -> None:
        assert item.ended is not None  # planned once the case ended
        self.report(L, item, ReportKind.FINAL, RESULT[item.ended])
        item.reported = L.day

    def supervisor(self, L: Life, item: Item) -> int:
        return L.g.one(self.needed(item.issued, SUPERVISING))

    def needed(self, org: int, roles: tuple) -> list[int]:
        people = self.actors(org, roles)
        if not people:  # discover_world keeps only bureaus and units staffed for the whole flow
            raise RuntimeError(f"{self.w.orgs[org].name}没有可办理督办事项的工作人员")
        return people

    def conclude(self, L: Life, item: Item) -> None:
        """do_conclude_supervision."""
        by = self.supervisor(L, item)
        item.status, item.outcome, item.closed_at = SupervisionStatus.CONCLUDED.value, OUTCOME, L.at
        L.record(T.SUPERVISION_CONCLUDE, by, L.status, note=f"{KIND_LABEL}办结：{OUTCOME}", data={"item": item.id})
        self.counts["concluded"] += 1

    def continue_(self, L: Life, item: Item) -> None:
        """do_continue_supervision: the rule's period again from the old due date."""
        by = self.supervisor(L, item)
        previous = item.due_on
        item.due_on = max(previous, L.day) + timedelta(days=item.rule.due_days)
        if item.every:
            item.next_report_on = min(L.day + timedelta(days=item.every), item.due_on)
        item.version += 1
        L.record(
            T.SUPERVISION_CONTINUE,
            by,
            L.status,
            note=f"继续督办，办结期限改为{item.due_on:%Y-%m-%d}：{CONTINUE_NOTE}",
            data={
                "item": item.id,
                "due_on": item.due_on.isoformat(),
                "previous_due_on": previous.isoformat(),
                "note": CONTINUE_NOTE,
                "version": item.version,
            },
        )
        self.counts["continued"] += 1

    # --- rows ---------------------------------------------------------------------------------------

    def rows(self, L: Life, out) -> None:
        for i in L.items:
            out.items.append(
                (
                    i.id,
                    L.cid,
                    i.status,
                    i.owed,
                    i.issued,
                    None,  # issued_by: the system opens listed items
                    i.version,
                    i.opened_at,
                    i.closed_at,
                    SupervisionKind.LISTED.value,
                    self.reasons[i.rule.pk],
                    i.due_on,
                    i.every,
                    i.next_report_on,
                    i.rule.id,
                    None,
                    i.outcome,
                )
            )
        out.reports.extend(L.reports)


def meets(c: dict, condition: str) -> bool:
    """listing.meets on the case's fields at registration (no Instruction rows exist yet)."""
    if condition == ListingCondition.REPEAT:
        return c["repeat_of_id"] is not None
    if condition == ListingCondition.COLLECTIVE:
        return bool(c["is_collective"])
    if condition == ListingCondition.INSTRUCTED:
        return bool(c["leader_instruction"].strip())
    if condition == ListingCondition.REFERRED:
        return c["referring_org_id"] is not None
    return False


ITEM_KEYS = [
    "id",
    "case_id",
    "status",
    "owed_by_org_id",
    "issued_org_id",
    "issued_by_id",
    "version",
    "opened_at",
    "closed_at",
    "kind",
    "reason",
    "due_on",
    "report_every_days",
    "next_report_on",
    "listing_rule_id",
    "escalated_from_id",
    "outcome",
]
REPORT_KEYS = ["id", "item_id", "kind", "text", "by_id", "org_id", "at"]
