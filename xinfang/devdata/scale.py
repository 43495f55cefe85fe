"""Scale data: ``load_demo --cases N`` brings the database to N cases with bulk inserts.

The demo cases (xinfang/devdata/cases.py) go through the real actions; a
million cannot (about 40 queries per step). Here each case's life is
simulated in memory instead, one action at a time, and the rows the actions
would have written are sent straight to the tables in large batches.

``Life`` holds one case and has one method per action (``accept``,
``reply``, ``deliver`` ...) that changes exactly what the action in
``xinfang/cases/actions`` changes: the case's fields, its participant orgs
(``CaseOrg``, with the co-units' reports), its ``Deadline`` rows (started,
met, cancelled, extended, paused and resumed as ``cases.deadlines`` does,
due and target dates from ``clock.engine.compute_due`` on the stored
calendar and the rule set in force at the org on the start day), the
notice's document text (``cases.documents``, called with the case's own
values), ``Delivery`` rows linked to the notice's event, ``HandlingStep``
rows, and one ``CaseEvent`` per action with the actor, states, note, notice
and ``data`` the action records. Each step is checked against the action's
spec (``cases.spec``: ``allowed_from``, ``to``, ``alternates``) and the
case's ``version`` counts its events, as ``actions.base.finish`` bumps it.
``Generator.case`` is the plan: what happens to a case and when, with
realistic shares and delays:

* the city grows as a real one does (``scale_world.plan_city``): every
  county receives cases at one county's rate (100,000 in three years), so
  10^4 cases are the demo county's last 110 days and 10^6 are ten counties'
  three years, the other nine built like the demo county
  (``scale_world.grow_city``); a county's to-do lists are then a real
  county's whatever N is;
* receipt spread over the county's days (fewer at weekends); routing by
  the petition bureau within days (a few 转送 to the wrong unit and 退回,
  repeats merged into the open original), sign-for, acceptance within 15
  days (some claims declined or redirected to litigation etc.), the
  acceptance notice delivered;
* handling by the named handler: investigation and other steps, hearings
  that pause the handling clock, extensions requested and approved, the
  co-units' reports, a drafted and signed reply (some late), its delivery,
  the petitioner's evaluation, the assigned cases' 报结 (a few sent back for
  more work) and 审核办结, the others' 办结;
* for claims, the petitioner's review request within the window, the review
  opinion (a few revoke it: handled and answered again) and its delivery,
  re-examination at the city, and the lapse sweep's 终结 (``actor_kind
  system``, 期限届满自动终结) the night after the grace period when no
  request came;
* each step taken by a staff member of the org that takes it, with the role
  the action's rule asks for; units with no such staff get demo accounts
  (``scale_world.complete_staff``). The state on today's date follows from
  the dates: a case stops at its first step that would fall on or after
  today, with its open deadlines as a daily ``clock recompute`` leaves them.

``xinfang/devdata/tests/test_scale_history.py`` replays generated cases
through the real actions and compares the two, state by state.

Also written: ``CasePetitioner`` links to a pool of petitioners (created in
bulk, each encrypted once, and reused across cases as real repeat
petitioners are), and case numbers that follow each registering org's
``CaseCounter`` per year of receipt (the counters are advanced at the end,
so registering a case later continues the sequence); the listed supervision
items (挂牌督办) the listing rules open, with their reports, continuations
and conclusions (``scale_supervision``). Not written: outbox entries (their
consumers' work is written here instead: the supervision items, and the
statistics' rollups, recomputed at the end), notifications and attachments.

N is the total wanted: running ``--cases 1000000`` after ``--cases 100000``
adds 900,000 (in nine new counties; ``--cases 100000`` after 10,000 fills
the demo county's earlier days). Batches of 5,000 cases are written, each in one transaction, by
a second process while the next batch is generated (``scale_world.Pipeline``).
SQLite gets ``synchronous=OFF``, a 1 GB page cache and no foreign-key
look-ups for the load; PostgreSQL gets ``COPY``. No index is dropped.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from operator import itemgetter
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.cases import documents
from xinfang.cases import states as _states
from xinfang.cases.events import event_hash
from xinfang.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseOrg,
    CasePetitioner,
    Category,
    Delivery,
    HandlingStep,
)
from xinfang.cases.numbering import number_prefix
from xinfang.cases.spec import spec_for
from xinfang.clock import models as _clock_models
from xinfang.clock.models import Deadline
from xinfang.core.chain import GENESIS
from xinfang.devdata.cases import BASIS, DECLINE_REASONS, REQUESTS
from xinfang.devdata.scale_supervision import CASE_ACTIONS, ITEM_KEYS, REPORT_KEYS, Supervision
from xinfang.devdata.scale_world import (
    PER_COUNTY,
    YEARS,
    Clocks,
    County,
    Pipeline,
    Unit,
    World,
    _bulk_pragmas,
    _restore_pragmas,
    _staff,
    discover_world,
    grow_city,
    petitioner_pool,
    plan_city,
)
from xinfang.orgs.models import Org, OrgKind
from xinfang.supervision.models import SupervisionItem, SupervisionReport


def _plain(choices) -> SimpleNamespace:
    """A TextChoices as plain strings, with ``values`` and ``labels``: member access on an enum costs
    a descriptor call, and ``.values`` builds a list, millions of times in a run."""
    return SimpleNamespace(
        **{m.name: m.value for m in choices},
        values=[m.value for m in choices],
        labels={m.value: m.label for m in choices},
    )


Action = _plain(_states.Action)
Channel = _plain(_states.Channel)
DeliveryMethod = _plain(_states.DeliveryMethod)
Evaluation = _plain(_states.Evaluation)
EvaluationSource = _plain(_states.EvaluationSource)
Importance = _plain(_states.Importance)
Kind = _plain(_states.Kind)
Notice = _plain(_states.Notice)
ParticipantRole = _plain(_states.ParticipantRole)
_OPEN = frozenset(str(s) for s in _states.OPEN_STATES)
RedirectChannel = _plain(_states.RedirectChannel)
ReplyDecision = _plain(_states.ReplyDecision)
ReviewDecision = _plain(_states.ReviewDecision)
Status = _plain(_states.Status)
StepKind = _plain(_states.StepKind)
Urgency = _plain(_states.Urgency)
Clock = _plain(_clock_models.Clock)

SEED = 20240615
BATCH = 5000  # cases per transaction (~130,000 rows across the tables)
S = Status
R = ParticipantRole
R = ParticipantRole

GROUP_WEIGHTS = {
    "01": 16,
    "02": 14,
    "03": 14,
    "04": 10,
    "05": 6,
    "06": 6,
    "07": 5,
    "08": 6,
    "09": 7,
    "10": 2,
    "11": 2,
    "12": 0,
    "13": 4,
    "99": 8,
}


class Topic(NamedTuple):
    """A summary ({p}: a village with its township, {t}: the township, {d}: the accused department)."""

    summary: str
    category: str  # the subcategory it is filed under (xinfang/cases/categories.py)
    where: str = ""  # "village": only a 村; "community": only a 社区; "": either
    accused: str = ""  # accusations: "village" (its committee), "township" or "department"


SUMMARIES = {
    "01": [
        Topic("反映{p}征地补偿款未足额发放", "征收补偿", "village"),
        Topic("反映{p}安置房迟迟未交付", "安置房建设与分配", "community"),
        Topic("反映{p}违法占用耕地建房", "违法用地", "village"),
        Topic("反映{p}宅基地审批问题", "宅基地纠纷", "village"),
    ],
    "02": [
        Topic("反映{p}小区物业服务不到位", "物业管理", "community"),
        Topic("反映{p}商品房质量问题", "房屋质量", "community"),
        Topic("反映{p}市政道路施工扰民", "市政设施", "community"),
        Topic("反映{p}违章搭建", "违章建筑"),
    ],
    "03": [
        Topic("反映{t}某企业拖欠农民工工资", "拖欠工资"),
        Topic("反映单位未依法缴纳社会保险", "社会保险"),
        Topic("申请工伤认定久拖未决", "工伤认定"),
        Topic("反映退休待遇核定有误", "退休待遇"),
    ],
    "04": [
        Topic("反映{p}土地承包经营权被调整", "土地承包", "village"),
        Topic("反映{p}村务财务不公开", "村务管理", "village"),
        Topic("反映{p}惠农补贴未发放到户", "惠农补贴", "village"),
    ],
    "05": [Topic("反映其胜诉的民事判决长期未执行到位", "执行问题"), Topic("对本人民事案件的判决结果不服", "裁判不服")],
    "06": [
        Topic("反映子女入学划片不合理", "招生入学"),
        Topic("反映{t}校外培训机构退费难", "校外培训"),
        Topic("反映乡村教师待遇落实问题", "教师待遇", "village"),
    ],
    "07": [Topic("反映医疗费用报销不及时", "医保报销"), Topic("反映{t}卫生院诊疗纠纷", "医疗纠纷", "village")],
    "08": [
        Topic("反映{p}养殖场污染环境", "水污染", "village"),
        Topic("反映{p}附近企业夜间排放废气", "大气污染"),
        Topic("反映{p}附近工厂噪声扰民", "噪声污染"),
    ],
    "09": [Topic("申请低保未获批准", "低保救助"), Topic("反映{p}居家养老服务照料中心管理不善", "养老服务")],
    "10": [Topic("反映企业改制职工安置不到位", "职工安置")],
    "11": [Topic("反映退役军人优抚待遇未落实", "优抚待遇")],
    "12": [
        Topic("反映{p}村干部在低保评定中优亲厚友", "违规违纪", "village", "village"),
        Topic("反映{t}干部在宅基地审批中收受礼金", "违规违纪", "village", "township"),
        Topic("反映{t}工作人员作风粗暴", "作风问题", "", "township"),
        Topic("反映{d}工作人员办事吃拿卡要", "违规违纪", "", "department"),
    ],
    "13": [Topic("反映{p}公交线路停运", "公共交通", "village"), Topic("反映{p}道路破损未修复", "道路建设")],
    "99": [Topic("反映邻里纠纷调解未果", "其他", "village"), Topic("其他诉求", "其他")],
}


class Place(NamedTuple):
    township: Org | None
    village: Org | None
    town: str  # 白沙镇
    name: str  # 白沙镇下洋村
    is_village: bool

    def fits(self, topic: Topic) -> bool:
        return {"village": self.is_village, "community": not self.is_village}.get(topic.where, True)


def county_places(county, orgs: dict[int, Org]) -> list[Place]:
    """Every village committee under the county's townships, named with its own township."""
    stem = county.gov.name.removesuffix("人民政府")
    committees = defaultdict(list)
    for o in sorted(orgs.values(), key=lambda o: o.path):
        if o.kind == OrgKind.VILLAGE_COMMITTEE:
            committees[o.parent_id].append(o)
    places = []
    for unit in county.townships:
        town = unit.org.name.removeprefix(stem).removesuffix("人民政府").removesuffix("办事处")
        for v in committees[unit.org.id]:
            village = v.name.removeprefix(town).removesuffix("村民委员会").removesuffix("居民委员会")
            places.append(Place(unit.org, v, town, f"{town}{village}", not village.endswith("社区")))
    return places or [Place(None, None, stem, stem, True)]


CONTENT = "信访人反映：{s}。经多次向有关单位反映，问题至今未得到解决，请求依法依规予以处理。"


# What the generated staff write (the demo loader's texts where it has them).
ROUTE_NOTES = {True: ("请依法办理并报结", "请按期办结，并将办理结果报送我局", ""), False: ("", "", "请依法处理")}
RETURN_REASON = "该事项不属于本单位职责范围，请转有权处理的机关"
LATE_RETURN = "（已超过5个工作日异议期限）"  # what do_return appends
STEP_TEXTS = {
    StepKind.INVESTIGATION: "到现场走访核实，调阅相关档案材料，听取信访人及有关方面意见。",
    StepKind.MEDIATION: "组织信访人与有关方面调解，释明政策，双方就部分诉求达成一致。",
    StepKind.MEETING: "约见信访人面谈，听取诉求并释明政策。",
}
REVIEW_STEP = "调阅原办理单位的办理材料，听取信访人意见，核实原处理意见认定的事实。"
CO_REPORT = "协办单位已核实职责范围内的情况并反馈主办单位"
EXTENSION_REASON = "案情复杂，需进一步调查核实并协调多个部门"
SEND_BACK_REASON = "答复意见未逐项回应信访人的诉求，请补充调查后重新答复"
CONFIRM_NOTES = ("办理规范，同意办结", "同意办结", "")
REPORT_NOTES = ("已办结，报请审核", "")
REVIEW_REASONS = {
    ReviewDecision.UPHOLD: "原处理意见认定事实清楚，适用依据正确，程序合法",
    ReviewDecision.CHANGE: "原处理意见认定事实清楚，但处理结果不当，予以变更",
    ReviewDecision.REVOKE: "原处理意见认定事实不清，责令重新办理",
}
REEXAM_REASONS = {
    ReviewDecision.UPHOLD: "复查意见正确，予以维持",
    ReviewDecision.CHANGE: "复查意见适用依据不当，予以变更",
}
METHODS = [
    DeliveryMethod.IN_PERSON,
    DeliveryMethod.POST,
    DeliveryMethod.SMS,
    DeliveryMethod.ONLINE,
    DeliveryMethod.PHONE,
]
REEXAM_DECISIONS = [ReviewDecision.UPHOLD, ReviewDecision.CHANGE]
# Shares, as cumulative weights (Generator.pick): channels, urgency, importance, delivery methods,
# the reply's decision, the evaluation, review and re-examination decisions.
CHANNEL_WEIGHTS = list(accumulate([18, 30, 12, 30, 5, 5]))
URGENCY_WEIGHTS = list(accumulate([85, 12, 3]))
IMPORTANCE_WEIGHTS = list(accumulate([80, 17, 3]))
METHOD_WEIGHTS = list(accumulate([40, 25, 15, 15, 5]))
REPLY_WEIGHTS = list(accumulate([30, 45, 25]))
EVALUATION_WEIGHTS = list(accumulate([65, 25, 10]))
REVIEW_WEIGHTS = list(accumulate([85, 10, 5]))
REVIEW_AGAIN_WEIGHTS = list(accumulate([88, 12, 0]))  # a second review does not revoke again
REEXAM_WEIGHTS = list(accumulate([92, 8]))
# Delays in days, (low, high) ranges with their shares: the bureau routes, the unit signs for it and decides.
ROUTING_DELAYS, ROUTING_WEIGHTS = [(0, 3), (4, 10), (11, 15), (16, 25)], list(accumulate([60, 30, 8, 2]))
SIGN_DELAYS, SIGN_WEIGHTS = [(0, 2), (3, 9)], list(accumulate([95, 5]))
DECIDE_DELAYS, DECIDE_WEIGHTS = [(1, 10), (11, 14), (16, 25)], list(accumulate([85, 12, 3]))
SWEEP = "期限届满自动终结"  # cases.actions.review.LAPSE_SWEEP's name: the lapse sweep acts as the system
OPEN, MET, CANCELLED = "open", "met", "cancelled"
PETITIONER_WINDOWS = (Clock.REVIEW_WINDOW, Clock.REEXAM_WINDOW)


class _Stop(Exception):  # noqa: N818 — control flow, not an error
    """The next step would fall on or after today: the case stays as it is."""


class _Deadline:
    """One Deadline row while the case lives (clock.services: open, met, cancelled, extended, paused)."""

    __slots__ = (
        "clock",
        "org",
        "rs",
        "start",
        "days",
        "working",
        "roll",
        "tkey",
        "tdays",
        "tworking",
        "ext",
        "pauses",
        "status",
        "met_at",
        "changed_on",
        "created",
        "updated",
    )
    clock: str
    org: int
    rs: int
    start: date
    days: int
    working: bool
    roll: bool
    tkey: str
    tdays: int | None
    tworking: bool
    ext: int
    pauses: tuple[tuple[date, date | None], ...]
    status: str
    met_at: date | None
    changed_on: date
    created: Any  # as the column stores it: aware datetime (PostgreSQL) or ISO text (SQLite)
    updated: Any


class _Petitioner:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class _Link:
    __slots__ = ("petitioner", "pk")

    def __init__(self, name, pk):
        self.petitioner = _Petitioner(name)
        self.pk = pk  # documents list the petitioners in the links' order


class _Links:
    __slots__ = ("links",)

    def __init__(self, names):
        self.links = [_Link(n, i) for i, n in enumerate(names)]

    def all(self):
        return self.links


class _DocCase:
    """What cases.documents reads from a case."""

    __slots__ = ("number", "received_at", "summary", "case_petitioners", "competent_org", "review_org", "reexam_org")
    number: str
    received_at: datetime
    summary: str
    case_petitioners: _Links
    competent_org: Any
    review_org: Any
    reexam_org: Any


_dumps = json.JSONEncoder().encode  # json.dumps with its defaults, as the JSONField stores data
_SLOT = "\ue000{}\ue001"  # a placeholder no text contains (private use area)
_SLOTS = re.compile("\ue000(\\w+)\ue001")
_MARK_RECEIVED = datetime(2000, 1, 1, 12, tzinfo=UTC)  # stand-ins for the dates a template leaves open
_MARK_DUE = date(2000, 2, 2)


class Documents:
    """The notices' texts from ``cases.documents``, rendered once per kind and filled with each case's values.

    The functions there read the rules in force (a query or two each), so
    each kind is rendered once per combination of the orgs involved, the
    rules' epoch (``Clocks.epoch``: no rule set assignment or effective date
    changes inside one) and the text's variants, with placeholders for the
    case's own values (number, petitioners, summary, dates, reasons); every
    case then fills its own values into that template.
    """

    def __init__(self, clocks: Clocks):
        self.clocks = clocks
        self.templates: dict[tuple, list[str]] = {}  # by kind, variant, rule epoch and orgs
        self.days: dict[date, str] = {}

    def text(self, L: Life, kind: str, day: date, orgs: tuple, render, flags=(), **values: str) -> str:
        c = L.c
        key = (
            kind,
            flags,
            self.clocks.epoch(day),
            c["competent_org_id"],
            c["review_org_id"],
            c["reexam_org_id"],
            *[o.id for o in orgs],
        )
        parts = self.templates.get(key)
        if parts is None:
            parts = self.templates[key] = self.template(L.document_case(), day, render, values)
        values.update(number=c["number"], summary=c["summary"], names=L.names, received=L.received, day=self.d(day))
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out.append(values[parts[i]])
            out.append(parts[i + 1])
        return "".join(out)

    def template(self, doc: _DocCase, day: date, render, values) -> list[str]:
        """The text with placeholders, split into [text, slot, text, slot, ..., text]."""
        stub = _DocCase()
        stub.number, stub.summary = _SLOT.format("number"), _SLOT.format("summary")
        stub.received_at, stub.case_petitioners = _MARK_RECEIVED, _Links([_SLOT.format("names")])
        stub.competent_org, stub.review_org, stub.reexam_org = doc.competent_org, doc.review_org, doc.reexam_org
        text = render(stub, day, **{name: _SLOT.format(name) for name in values})
        text = text.replace(documents._d(day), _SLOT.format("day"))
        text = text.replace(documents._received(stub), _SLOT.format("received"))
        text = text.replace(documents._d(_MARK_DUE), _SLOT.format("due"))
        return _SLOTS.split(text)

    def d(self, day: date) -> str:
        """documents._d, memoised."""
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = documents._d(day)
        return text


class Life:
    """One case in memory; each method is the action of the same name and changes what it changes.

    Times are local wall-clock times (naive); ``Generator.dt`` turns them into
    what the columns store. ``when(day)`` places the next step and raises
    ``_Stop`` when it would fall on or after today.
    """

    def __init__(self, gen: Generator, cid: int, c: dict, status: str, doc: _DocCase, recipient: str):
        self.g = gen
        self.cid = cid
        self.c = c
        self.status = status
        self.doc = doc
        self.recipient = recipient
        self.names = documents._names(doc)  # as the notices name the petitioners
        self.received = documents._received(doc)
        self.events: list[tuple] = []
        self.deadlines: list[_Deadline] = []
        self.orgs: dict[tuple[int, str], list] = {}  # (org, role) → [added, reported_at, report]
        self.deliveries: list[tuple] = []
        self.steps: list[tuple] = []
        self.notice_event: dict[str, int] = {}  # notice → id of the newest event that produced it
        self.items: list = []  # listed supervision items (scale_supervision.Item)
        self.reports: list[tuple] = []  # their SupervisionReport rows
        self.t: datetime = datetime.min  # noqa: DTZ901 — local wall-clock times, naive on purpose
        self.day: date = self.t.date()  # the local date of t
        self.at: Any = None  # t as the columns store it

    def move(self, t: datetime) -> date:
        self.t, self.day, self.at = t, t.date(), self.g.dt(t)
        return self.day

    # --- time ---------------------------------------------------------------------------

    def when(self, day: date) -> date:
        """Place the next step on ``day`` in office hours, after the previous one; return its date.

        The supervision items' steps planned before it are taken first.
        """
        rng = self.g.rng
        t = datetime(day.year, day.month, day.day, 8, 30) + timedelta(minutes=int(rng.random() * 541))  # noqa: DTZ001
        if self.items:
            self.g.sup.until(self, min(t, self.g.midnight))
        if t <= self.t:
            t = self.t + timedelta(minutes=5 + int(rng.random() * 86))
        if t.date() >= self.g.today:
            raise _Stop
        return self.move(t)

    def at_night(self, day: date) -> date:
        """The nightly lapse sweep's run on ``day``."""
        t = datetime(day.year, day.month, day.day, 1, 0) + timedelta(seconds=int(self.g.rng.random() * 1800))  # noqa: DTZ001
        if self.items:
            self.g.sup.until(self, min(t, self.g.midnight))
        if t <= self.t:
            t = self.t + timedelta(minutes=5)
        if t.date() >= self.g.today:
            raise _Stop
        return self.move(t)

    # --- participants, deadlines ----------------------------------------------------------

    def join(self, org_id: int, role: str) -> None:
        """CaseOrg.get_or_create."""
        if (org_id, role) not in self.orgs:
            self.orgs[(org_id, role)] = [self.at, None, ""]

    def join_government(self, gov_id: int, role: str) -> None:
        """handling._add_participants: the government and its petition bureaus."""
        gov = self.g.w.governments.get(gov_id)
        for org_id in gov.participants if gov else (gov_id,):
            self.join(org_id, role)

    def start(self, clock: str, day: date, org_id: int, target_key: str | None = None) -> None:
        clocks = self.g.clocks
        d = _Deadline()
        d.clock, d.org, d.start = clock, org_id, day
        d.rs, d.days, d.working, d.roll = clocks.rule(clock, org_id, day)
        target = clocks.targets.get((d.rs, target_key)) if target_key else None
        d.tkey = target_key if target and target_key else ""
        d.tdays, d.tworking = target if target else (None, False)
        d.ext, d.pauses, d.status, d.met_at = 0, (), OPEN, None
        d.changed_on = self.day
        d.created = d.updated = self.at
        self.deadlines.append(d)

    def open_deadlines(self, clock: str | None = None) -> list[_Deadline]:
        return [d for d in self.deadlines if d.status == OPEN and (clock is None or d.clock == clock)]

    def meet(self, clock: str) -> None:
        for d in self.open_deadlines(clock):
            d.status, d.met_at, d.updated = MET, self.day, self.at

    def cancel(self, *clocks: str) -> None:
        for d in self.deadlines:
            if d.status == OPEN and (not clocks or d.clock in clocks):
                d.status, d.updated = CANCELLED, self.at

    def _change(self, clock: str, change) -> None:
        for d in self.open_deadlines(clock):
            change(d)
            d.changed_on, d.updated = self.day, self.at

    def extend(self, clock: str, days: int) -> None:
        def change(d):
            d.ext += days

        self._change(clock, change)

    def pause(self, clock: str, day: date) -> None:
        def change(d):
            d.pauses = (*d.pauses, (day, None))

        self._change(clock, change)

    def resume(self, clock: str, day: date) -> None:
        def change(d):
            d.pauses = (*d.pauses[:-1], (d.pauses[-1][0], day))

        self._change(clock, change)

    def dates(self, d: _Deadline) -> tuple[date, date | None, bool, bool]:
        """(due, target, provisional, paused) as stored: computed at the last change, or today while open."""
        as_of = self.g.today if d.status == OPEN else d.changed_on
        clocks = self.g.clocks
        due, provisional, paused = clocks.due(d.start, d.days, d.working, d.roll, d.ext, d.pauses, as_of)
        target = None
        if d.tdays is not None:
            target, tprov, _p = clocks.due(d.start, d.tdays, d.tworking, False, 0, d.pauses, as_of)
            provisional = provisional or tprov
        return due, target, provisional, paused

    def governing(self) -> dict:
        """cases.deadlines.sync: the earliest open agency deadline and the earliest open petitioner window."""
        rows = sorted(
            ((*self.dates(d), i, d.clock) for i, d in enumerate(self.deadlines) if d.status == OPEN),
            key=lambda r: (r[0], r[4]),
        )
        agency = next((r for r in rows if r[5] not in PETITIONER_WINDOWS), None)
        window = next((r for r in rows if r[5] in PETITIONER_WINDOWS), None)
        return {
            "due_date": agency[0] if agency else None,
            "due_clock": agency[5] if agency else "",
            "target_date": agency[1] if agency else None,
            "due_provisional": bool((agency and agency[2]) or (window and window[2])),
            "window_until": window[0] if window else None,
        }

    # --- events -----------------------------------------------------------------------------

    def record(self, action: str, actor, from_status: str, note="", notice="", document="", data=None) -> None:
        """events.record: one CaseEvent; ``actor`` is a staff user id, or a system actor's name (SWEEP ...)."""
        g = self.g
        eid = g.next_event_id
        g.next_event_id += 1
        who: tuple[Any, Any, str, str]
        if type(actor) is str:
            who = (None, None, "system", actor)
        else:
            who = (actor, g.w.users[actor][0], "staff", "")
        self.events.append(
            (
                eid,
                self.cid,
                action,
                who[0],
                who[1],
                self.at,
                from_status,
                self.status,
                note,
                notice,
                document,
                g.json(data) if data else "{}",
                who[2],
                who[3],
                len(self.events) + 1,  # seq: registration is 1
            )
        )
        if notice:
            self.notice_event[notice] = eid
        if self.items and action in CASE_ACTIONS:
            g.sup.followed(self)

    def finish(self, action: str, actor, *, note="", notice="", document="", data=None, to_status=None) -> None:
        """actions.base.finish: the spec's target state (or a declared alternate), then the event."""
        spec = self.g.specs[action]
        if self.status not in spec.allowed_from:
            raise AssertionError(f"{action} may not start from {self.status}")
        if to_status is not None and to_status != spec.to:
            if to_status not in spec.alternates:
                raise AssertionError(f"{action} may not lead to {to_status}")
        else:
            to_status = spec.to
        from_status = self.status
        if to_status is not None:
            self.status = to_status
        self.record(action, actor, from_status, note, notice, document, data)

    def org_of(self, user: int) -> Org:
        return self.g.w.orgs[self.g.w.users[user][0]]

    def name_of(self, user: int) -> str:
        return self.g.w.users[user][1]

    def document_case(self) -> _DocCase:
        orgs, c, doc = self.g.w.orgs, self.c, self.doc
        doc.competent_org = orgs.get(c["competent_org_id"])
        doc.review_org = orgs.get(c["review_org_id"])
        doc.reexam_org = orgs.get(c["reexam_org_id"])
        return doc

    # --- the actions (xinfang/cases/actions/*.py) ----------------------------------------------

    def route(self, officer: int, assign: bool, target: Org, co: list[Org], note: str) -> None:
        c, day = self.c, self.day
        self.meet(Clock.ROUTING)
        c["current_org_id"] = c["competent_org_id"] = target.id
        c["is_assigned"] = assign
        c["handler_id"] = None
        self.join(target.id, ParticipantRole.LEAD if assign else ParticipantRole.COMPETENT)
        for o in co:
            self.join(o.id, ParticipantRole.CO)
        self.start(Clock.MISROUTING_OBJECTION, day, target.id)
        self.start(Clock.ACCEPTANCE, day, target.id)
        from_org = self.org_of(officer)
        letter = self.g.docs.text(
            self,
            "routing",
            day,
            (from_org, target, *co),
            lambda case, day, **v: documents.routing_letter(
                case, from_org, target, day, assign=assign, note=v.get("note", ""), co_orgs=co
            ),
            (assign, bool(note)),
            **({"note": note} if note else {}),
        )
        self.finish(
            Action.ASSIGN if assign else Action.FORWARD,
            officer,
            note=note,
            document=letter,
            data={"to": target.name, "co": [o.name for o in co]},
        )

    def merge(self, officer: int, original_id: int, original_number: str) -> None:
        self.c["repeat_of_id"] = original_id
        self.cancel()
        self.finish(Action.MERGE_AS_REPEAT, officer, note=f"并入{original_number}", data={"original": original_number})

    def sign_for(self, actor: int) -> None:
        self.meet(Clock.MISROUTING_OBJECTION)
        self.finish(Action.SIGN_FOR, actor)

    def return_(self, actor: int, reason: str) -> None:
        c, day = self.c, self.day
        late = any(self.dates(d)[0] < day for d in self.open_deadlines(Clock.MISROUTING_OBJECTION))
        self.meet(Clock.MISROUTING_OBJECTION)
        self.cancel(Clock.ACCEPTANCE)
        c["current_org_id"] = c["routing_org_id"]
        c["competent_org_id"] = None
        c["is_assigned"] = False
        self.start(Clock.ROUTING, day, c["routing_org_id"])
        self.finish(Action.RETURN, actor, note=reason + (LATE_RETURN if late else ""), data={"late": late})

    def accept(self, officer: int, handler: int | None) -> None:
        c, day, g = self.c, self.day, self.g
        self.meet(Clock.ACCEPTANCE)
        self.meet(Clock.MISROUTING_OBJECTION)
        c["accepted_on"] = day
        if handler is not None:
            c["handler_id"] = handler
        org = c["competent_org_id"]
        key = g.clocks.target_key(org, day, Urgency.labels[c["urgency"]], bool(c["leader_instruction"]))
        self.start(Clock.HANDLING, day, org, key)
        org = self.org_of(officer)
        text = self.g.docs.text(
            self, "acceptance", day, (org,), lambda case, day: documents.acceptance_notice(case, org, day)
        )
        self.finish(
            Action.ACCEPT,
            officer,
            notice=Notice.ACCEPTANCE,
            document=text,
            data={"handler": self.name_of(handler) if handler else ""},
        )

    def decline(self, officer: int, reason: str) -> None:
        self.meet(Clock.ACCEPTANCE)
        self.cancel()
        self.c["decline_reason"] = reason
        org = self.org_of(officer)
        text = self.g.docs.text(
            self,
            "decline",
            self.day,
            (org,),
            lambda case, day, reason: documents.decline_notice(case, org, day, reason),
            reason=reason,
        )
        self.finish(Action.DECLINE, officer, note=reason, notice=Notice.DECLINE, document=text)

    def redirect(self, officer: int, channel: str) -> None:
        self.meet(Clock.ACCEPTANCE)
        self.cancel()
        self.c["redirect_channel"] = channel
        label = RedirectChannel.labels[channel]
        org = self.org_of(officer)
        text = self.g.docs.text(
            self,
            "redirect",
            self.day,
            (org,),
            lambda case, day, label, note: documents.redirect_notice(case, org, day, label, note),
            label=label,
            note="",
        )
        self.finish(Action.REDIRECT, officer, note=f"导入{label}途径。", notice=Notice.REDIRECT, document=text)

    def record_step(self, actor: int, kind: str, description: str) -> None:
        day = self.day
        self.steps.append((self.cid, kind, day, description, actor, self.at))
        self.finish(
            Action.RECORD_STEP,
            actor,
            note=f"{StepKind.labels[kind]}（{day:%Y-%m-%d}）：{description}",
            data={"kind": kind, "on": day.isoformat()},
        )

    def co_report(self, actor: int, report: str) -> None:
        row = self.orgs[(self.g.w.users[actor][0], ParticipantRole.CO)]
        row[1], row[2] = self.at, report
        self.finish(Action.CO_REPORT, actor, note=report)

    def pending_co_units(self) -> list[int]:
        return [o for (o, role), row in self.orgs.items() if role == ParticipantRole.CO and row[1] is None]

    def request_extension(self, actor: int, days: int, reason: str) -> None:
        self.c["extension_requested_days"] = days
        self.c["extension_reason"] = reason
        self.finish(Action.REQUEST_EXTENSION, actor, note=f"申请延期{days}日：{reason}")

    def approve_extension(self, head: int) -> None:
        c = self.c
        days = c["extension_requested_days"]
        self.extend(Clock.HANDLING, days)
        c["extension_days"] = days
        c["extension_requested_days"] = 0
        due = self.governing()["due_date"]
        org = self.org_of(head)
        text = self.g.docs.text(
            self,
            "extension",
            self.day,
            (org,),
            lambda case, day, days, reason, due: documents.extension_notice(case, org, day, days, reason, _MARK_DUE),
            days=str(days),
            reason=c["extension_reason"],
            due=self.g.docs.d(due),
        )
        self.finish(
            Action.APPROVE_EXTENSION,
            head,
            note=f"批准延期{days}日",
            notice=Notice.EXTENSION,
            document=text,
            data={"days": days},
        )

    def start_hearing(self, actor: int) -> None:
        day = self.day
        self.pause(Clock.HANDLING, day)
        self.c["hearing_open"] = True
        self.finish(
            Action.START_HEARING, actor, note=f"听证开始，{day:%Y-%m-%d}起期限中止计算", data={"on": day.isoformat()}
        )

    def end_hearing(self, actor: int) -> None:
        day = self.day
        self.resume(Clock.HANDLING, day)
        self.c["hearing_open"] = False
        self.finish(
            Action.END_HEARING,
            actor,
            note=f"听证结束，{day:%Y-%m-%d}次日起恢复计算期限",
            data={"on": day.isoformat()},
        )

    def draft_reply(self, actor: int, fields: dict) -> None:
        self.c["reply_draft"] = json.dumps(fields)
        self.finish(Action.DRAFT_REPLY, actor, note="答复意见已拟写，待负责人签发", data=fields)

    def reply(self, head: int, fields: dict, review_org: Org | None) -> None:
        c, day = self.c, self.day
        self.meet(Clock.HANDLING)
        c["reply_decision"] = fields["decision"]
        c["reply_draft"] = None
        c["replied_on"] = day
        c["review_org_id"] = review_org.id if review_org else None
        label = ReplyDecision.labels[fields["decision"]]
        org = self.org_of(head)
        text = self.g.docs.text(
            self,
            "reply",
            day,
            (org,),
            lambda case, day, **v: documents.reply_opinion(case, org, day, **v),
            request=fields["request"],
            facts=fields["facts"],
            decision_label=label,
            basis=fields["basis"],
        )
        self.finish(Action.REPLY, head, note=label, notice=Notice.REPLY, document=text, data=fields)

    def deliver(self, actor: int, notice: str, method: str) -> None:
        c, day, at = self.c, self.day, self.at
        self.deliveries.append((self.cid, notice, self.notice_event[notice], method, at, self.recipient, actor, at))
        if notice == Notice.REPLY:
            c["reply_delivered_on"] = day
            if c["review_org_id"] is not None and c["kind"] == Kind.CLAIM:
                self.start(Clock.REVIEW_WINDOW, day, c["competent_org_id"])
                self.join_government(c["review_org_id"], ParticipantRole.REVIEWING)
        elif notice == Notice.REVIEW:
            c["review_delivered_on"] = day
            if c["reexam_org_id"] is not None and self.status == Status.REVIEWED:
                self.start(Clock.REEXAM_WINDOW, day, c["review_org_id"])
                self.join_government(c["reexam_org_id"], ParticipantRole.REEXAMINING)
        self.finish(
            Action.RECORD_DELIVERY,
            actor,
            note=f"《{Notice.labels[notice]}》{DeliveryMethod.labels[method]}，{self.t:%Y-%m-%d %H:%M}",
            data={"notice": notice, "method": method, "recipient": self.recipient},
        )

    def evaluate(self, actor: int, evaluation: str, source: str) -> None:
        self.c["evaluation"] = evaluation
        self.c["evaluation_source"] = source
        self.finish(
            Action.EVALUATE,
            actor,
            note=f"{EvaluationSource.labels[source]}：{Evaluation.labels[evaluation]}",
            data={"evaluation": evaluation, "source": source},
        )

    def report_back(self, actor: int, note: str) -> None:
        self.c["current_org_id"] = self.c["routing_org_id"]
        self.finish(Action.REPORT_BACK, actor, note=note)

    def confirm_closure(self, actor: int, note: str) -> None:
        self.c["closed_on"] = self.day  # no bureau above handed it down: it closes here
        self.finish(Action.CONFIRM_CLOSURE, actor, note=note)

    def close(self, actor: int) -> None:
        self.c["closed_on"] = self.day
        self.finish(Action.CLOSE, actor)

    def send_back(self, actor: int, reason: str) -> None:
        c = self.c
        c["current_org_id"] = c["competent_org_id"]
        self.cancel(Clock.REVIEW_WINDOW)
        self.start(Clock.HANDLING, self.day, c["competent_org_id"])
        c["reply_delivered_on"] = None
        c["evaluation"] = c["evaluation_source"] = ""
        self.finish(Action.SEND_BACK, actor, note=reason)

    def request_review(self, actor: int, received_on: date) -> None:
        c = self.c
        self.meet(Clock.REVIEW_WINDOW)
        self.start(Clock.REVIEW_DECISION, received_on, c["review_org_id"])
        c["current_org_id"] = c["review_org_id"]
        self.finish(
            Action.REQUEST_REVIEW,
            actor,
            note=f"收到复查申请日期：{received_on:%Y-%m-%d}",
            data={"received_on": received_on.isoformat()},
        )

    def review(self, actor: int, decision: str, reasons: str, reexam_org_id: int | None) -> None:
        c, day = self.c, self.day
        self.meet(Clock.REVIEW_DECISION)
        c["review_decision"] = decision
        c["reexam_org_id"] = reexam_org_id
        label = ReviewDecision.labels[decision]
        revoke = decision == ReviewDecision.REVOKE
        org = self.g.w.orgs[c["review_org_id"]]
        text = self.g.docs.text(
            self,
            "review",
            day,
            (org,),
            lambda case, day, **v: documents.review_opinion(case, org, day, redo=revoke, **v),
            (revoke,),
            decision_label=label,
            reasons=reasons,
        )
        if revoke:
            c["current_org_id"] = c["competent_org_id"]
            c["reply_decision"] = ""
            c["replied_on"] = c["reply_delivered_on"] = c["closed_on"] = None
            c["evaluation"] = c["evaluation_source"] = ""
            self.start(Clock.HANDLING, day, c["competent_org_id"])
        self.finish(
            Action.REVIEW,
            actor,
            note=f"{label}：{reasons}",
            notice=Notice.REVIEW,
            document=text,
            data={"decision": decision},
            to_status=Status.HANDLING if revoke else None,
        )

    def request_reexam(self, actor: int, received_on: date) -> None:
        c = self.c
        self.meet(Clock.REEXAM_WINDOW)
        self.start(Clock.REEXAM_DECISION, received_on, c["reexam_org_id"])
        c["current_org_id"] = c["reexam_org_id"]
        self.finish(
            Action.REQUEST_REEXAM,
            actor,
            note=f"收到复核申请日期：{received_on:%Y-%m-%d}",
            data={"received_on": received_on.isoformat()},
        )

    def reexamine(self, actor: int, decision: str, reasons: str) -> None:
        c, day = self.c, self.day
        self.meet(Clock.REEXAM_DECISION)
        self.cancel()
        c["reexam_decision"] = decision
        c["final_on"] = day
        label = ReviewDecision.labels[decision]
        org = self.g.w.orgs[c["reexam_org_id"]]
        text = self.g.docs.text(
            self,
            "reexam",
            day,
            (org,),
            lambda case, day, **v: documents.reexam_opinion(case, org, day, **v),
            decision_label=label,
            reasons=reasons,
        )
        self.finish(
            Action.REEXAMINE,
            actor,
            note=f"{label}：{reasons}",
            notice=Notice.REEXAM,
            document=text,
            data={"decision": decision},
        )

    def finalize(self, window_until: date) -> None:
        """The lapse sweep (cases.actions.review.finalize_lapsed → do_finalize as the system)."""
        self.cancel()
        self.c["final_on"] = self.day
        if self.status == Status.REVIEWED:
            note = f"信访人未在期限（{window_until:%Y年%m月%d日}）内申请复核，复查意见终结"
        else:
            note = f"信访人未在期限（{window_until:%Y年%m月%d日}）内申请，处理意见终结"
        self.finish(Action.FINALIZE, SWEEP, note=note)


# --- the plan: what happens to each case, and when ---------------------------------------------------


class Generator:
    CASE_KEYS = [f.attname for f in Case._meta.concrete_fields]

    def __init__(
        self,
        world: World,
        clocks: Clocks,
        pool,
        rng: random.Random,
        today: date,
        now: datetime,
        vendor: str,
        case_type_id: int,
        next_event_id: int,
    ):
        self.w, self.clocks, self.rng = world, clocks, rng
        self.today, self.now = today, now
        self.aware = vendor == "postgresql"
        self.offset: timedelta = timezone.localtime(now).utcoffset() or timedelta(0)
        self.case_type_id = case_type_id
        self.next_event_id = next_event_id
        self.grace = timedelta(days=settings.LAPSE_GRACE_DAYS)
        self.docs = Documents(clocks)
        self.specs = {a: spec_for(a) for a in Action.values if a not in (Action.REGISTER, Action.ADD_ATTACHMENT)}
        # A unit registers directly only the petitioners it registered itself (their scope).
        self.pool = pool
        for county in world.counties:
            county.direct = [(u, regs) for u, regs in county.direct if pool.get(u.org.id)]
        self.categories: dict[str, list[int]] = defaultdict(list)
        self.category_by_name: dict[tuple[str, str], int] = {}
        for pk, code, name in Category.objects.filter(parent__isnull=False, is_active=True).values_list(
            "pk", "code", "name"
        ):
            self.categories[code[:2]].append(pk)
            self.category_by_name[(code[:2], name)] = pk
        self.group_of = {pk: group for group, pks in self.categories.items() for pk in pks}
        self.places = {c.gov.id: county_places(c, world.orgs) for c in world.counties}
        self._areas: dict[tuple[int, int], list[Place]] = {}
        self._topics: dict[tuple[int, int, str], list[Topic]] = {}
        self._spots: dict[tuple[int, int, Topic], list[Place]] = {}
        self._superiors: dict[int, int | None] = {}
        self.groups = [g for g in GROUP_WEIGHTS if GROUP_WEIGHTS[g] and self.categories.get(g)]
        self.group_weights = list(accumulate(GROUP_WEIGHTS[g] for g in self.groups))
        self.counters: dict[tuple[int, int], int] = {
            (o, y): v for o, y, v in CaseCounter.objects.values_list("org_id", "year", "value")
        }
        # For repeats, per county: (case id, number, petitioners, day).
        self.recent: dict[int, list[tuple[int, str, list, date]]] = defaultdict(list)
        self.defaults: dict[str, Any] = {}
        for f in Case._meta.concrete_fields:
            if f.has_default() and f.get_internal_type() == "JSONField":
                # Raw inserts bypass the field, so store the JSON text itself.
                self.defaults[f.attname] = json.dumps(f.get_default())
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            else:
                self.defaults[f.attname] = ""
        self.stats: dict[str, int] = defaultdict(int)
        self.sup = Supervision(world, _staff())
        # Local midnight starting today, as Life's naive wall-clock times: no step on or after it.
        self.midnight = datetime(today.year, today.month, today.day)  # noqa: DTZ001
        self._json: dict[tuple, str] = {}
        self.case_row = itemgetter(*self.CASE_KEYS)

    def area(self, county, unit) -> list[Place]:
        """Where a unit's cases happen: a township's own villages, anywhere in the county for the others."""
        key = (county.gov.id, unit.org.id)
        if key not in self._areas:
            places = self.places[county.gov.id]
            self._areas[key] = [p for p in places if p.township is not None and p.township.id == unit.org.id] or places
        return self._areas[key]

    def topics(self, county, unit, group: str) -> list[Topic]:
        """The group's summaries that fit somewhere in the unit's area (memoised: called for every case)."""
        key = (county.gov.id, unit.org.id, group)
        if key not in self._topics:
            area = self.area(county, unit)
            self._topics[key] = [t for t in SUMMARIES[group] if any(p.fits(t) for p in area)]
        return self._topics[key]

    def spots(self, county, unit, topic: Topic) -> list[Place]:
        """The places in the unit's area the topic fits (all of its area if none does)."""
        key = (county.gov.id, unit.org.id, topic)
        if key not in self._spots:
            area = self.area(county, unit)
            self._spots[key] = [p for p in area if p.fits(topic)] or area
        return self._spots[key]

    def superior(self, org_id: int) -> int | None:
        """handling.superior_government, memoised."""
        from xinfang.cases.actions.handling import superior_government

        if org_id not in self._superiors:
            g = superior_government(self.w.orgs[org_id])
            self._superiors[org_id] = g.id if g else None
        return self._superiors[org_id]

    # time helpers
    def dt(self, local: datetime):
        """A local wall-clock time as the column stores it (UTC; aware on PostgreSQL)."""
        utc = local - self.offset
        # On SQLite the text Django's adapter would make of it (saves a Python call per value).
        return utc.replace(tzinfo=UTC) if self.aware else utc.isoformat(" ")

    def at(self, day: date) -> datetime:
        # Naive local wall-clock time; dt() turns it into what the column stores.
        t = datetime(day.year, day.month, day.day, 8, 30)  # noqa: DTZ001
        return t + timedelta(minutes=self.ri(0, 540))

    def days(self, lo: int, hi: int) -> timedelta:
        return timedelta(days=lo + int(self.rng.random() * (hi - lo + 1)))

    def ri(self, lo: int, hi: int) -> int:
        """randint, without its argument checks (called tens of millions of times)."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def json(self, data: dict) -> str:
        """json.dumps(data) for the events' flat data, with each value's JSON remembered."""
        known, parts = self._json, []
        for k, v in data.items():
            if type(v) is list:
                return _dumps(data)
            key = (type(v), v)  # True == 1, but their JSON differs
            text = known.get(key)
            if text is None:
                if len(known) > 300_000:
                    known.clear()
                text = known[key] = _dumps(v)
            parts.append(f'"{k}": {text}')
        return "{" + ", ".join(parts) + "}"

    def one(self, seq):
        """random.choice, without its checks."""
        return seq[int(self.rng.random() * len(seq))]

    def pick(self, values, cum_weights):
        return values[bisect(cum_weights, self.rng.random() * cum_weights[-1])]

    def method(self) -> str:
        return self.pick(METHODS, METHOD_WEIGHTS)

    def number(self, org: Org, year: int) -> str:
        key = (org.id, year)
        value = self.counters.get(key, 0) + 1
        self.counters[key] = value
        return f"{number_prefix(org)}〔{year}〕{value:05d}号"

    def case(self, cid: int, day: date, out, county: County) -> None:  # noqa: C901 — one registration, read top to bottom
        rng = self.rng
        c = dict(self.defaults)
        recv = self.at(day)
        t_reg = recv + timedelta(minutes=self.ri(2, 60))
        # What it is about
        roll = rng.random()
        kind = (
            Kind.ACCUSATION
            if (roll < 0.12 and county.discipline and county.accusable)
            else (Kind.SUGGESTION if roll < 0.22 else Kind.CLAIM)
        )
        group = "12" if kind == Kind.ACCUSATION else self.pick(self.groups, self.group_weights)
        channel = self.pick(Channel.values, CHANNEL_WEIGHTS)
        direct = None
        if kind != Kind.ACCUSATION and county.direct and rng.random() < 0.1:
            direct = self.one(county.direct)
        if direct is not None:
            reg_org, registrar = direct[0].org, self.one(direct[1])
            unit = direct[0]
            # A unit registers what it is competent for, and a township what can happen in its area.
            fit = [g for g in self.groups if unit in county.by_group.get(g, ()) and self.topics(county, unit, g)]
            if fit and group not in fit:
                group = rng.choices(fit, [GROUP_WEIGHTS[g] for g in fit])[0]
        else:
            reg_org, registrar = county.bureau, self.one(county.registrars)
            unit = county.discipline if kind == Kind.ACCUSATION else self.one(county.by_group[group])
            if not self.topics(county, unit, group):  # e.g. farmland at a 街道 of urban communities only
                unit = self.one([u for u in county.by_group[group] if self.topics(county, u, group)] or [unit])
        topic = self.one(self.topics(county, unit, group) or SUMMARIES[group])
        place = self.one(self.spots(county, unit, topic))  # a township's case is in its area
        accused = None
        if kind == Kind.ACCUSATION:
            departments = [o for o in county.accusable if o.kind == OrgKind.DEPARTMENT]
            accused = {"village": place.village, "township": place.township}.get(topic.accused)
            if topic.accused == "department" and departments:
                accused = self.one(departments)
            accused = accused or self.one(county.accusable)
        summary = topic.summary.format(p=place.name, t=place.town, d=accused.name if accused else "")
        pool = self.pool.get(reg_org.id) or self.pool.get(county.bureau.id)
        n_pet = 1 if rng.random() < 0.88 else self.ri(2, 3)
        collective = channel == Channel.VISIT and rng.random() < 0.03
        repeat_of = None
        recent = self.recent[county.bureau.id]  # a repeat comes back to its own county
        if recent and direct is None and rng.random() < 0.04:
            orig_id, orig_number, orig_pets, orig_day = recent[rng.randrange(len(recent))]
            if (day - orig_day).days < 40:
                repeat_of, pets = (orig_id, orig_number), orig_pets[:1]
        if repeat_of is None:
            pets = rng.sample(pool, min(5 if collective else n_pet, len(pool)))
        c.update(
            id=cid,
            number=self.number(reg_org, day.year),
            channel=channel,
            received_at=self.dt(recv),
            kind=kind,
            category_id=self.category_by_name.get((group, topic.category)) or self.one(self.categories[group]),
            summary=summary,
            content=CONTENT.format(s=summary),
            person_count=self.ri(5, 40) if collective else len(pets),
            is_collective=collective,
            place_code=place.village.division_code if place.village else reg_org.division_code[:6],
            place_name=place.name,
            urgency=self.pick(Urgency.values, URGENCY_WEIGHTS),
            importance=self.pick(Importance.values, IMPORTANCE_WEIGHTS),
            registered_org_id=reg_org.id,
            registered_by_id=registrar,
            registered_at=self.dt(t_reg),
            current_org_id=reg_org.id,
        )
        if channel == Channel.REFERRED and self.w.city_bureau is not None:
            c["referring_org_id"] = self.w.city_bureau.id
            c["referring_ref"] = f"示信交〔{day.year}〕{self.ri(1, 900)}号"
            if rng.random() < 0.3:
                c["leader_instruction"] = "请认真核查，依法依规妥善处理，并将结果报市信访局。"
        if accused is not None:
            c["accused_org_id"] = accused.id
            title = "主任" if accused.kind == OrgKind.VILLAGE_COMMITTEE else "工作人员"
            c["accused_name"] = f"{accused.name}{title}{self.one('李王张刘陈杨赵黄')}某"
        names = [name for _pk, name in pets]
        doc = _DocCase()
        doc.number, doc.summary = c["number"], summary
        doc.received_at = (recv - self.offset).replace(tzinfo=UTC)  # as the case reads it back
        doc.case_petitioners = _Links(names)
        life = Life(self, cid, c, S.REGISTERED if direct is None else S.TO_DECIDE, doc, names[0])
        # Registration (intake.do_register)
        life.move(t_reg)
        if c["referring_org_id"]:
            life.join(c["referring_org_id"], R.REFERRING)
        life.join(reg_org.id, R.REGISTERING)
        if direct is None:
            c["routing_org_id"] = reg_org.id
            life.join(reg_org.id, R.ROUTING)
        else:
            c["competent_org_id"] = reg_org.id
            life.join(reg_org.id, R.COMPETENT)
        key = self.clocks.target_key(reg_org.id, day, Urgency.labels[c["urgency"]], bool(c["leader_instruction"]))
        life.start(Clock.ROUTING if direct is None else Clock.ACCEPTANCE, day, reg_org.id, key)
        life.record(Action.REGISTER, registrar, "", data={"channel": channel, "repeat_of": ""})
        self.sup.listed(life)
        with contextlib.suppress(_Stop):  # the case stays in the state it reached by yesterday
            self.live(life, county, unit, kind, day, direct is not None, repeat_of)
        if life.items:
            self.sup.until(life, self.midnight)
        self.write(life, pets, collective, out)
        if life.status in (S.HANDLING, S.TO_DECIDE) and direct is None:
            recent.append((cid, c["number"], pets, day))
            if len(recent) > 2000:
                del recent[:-1000]
        self.stats[life.status] += 1

    def live(self, L: Life, county: County, unit: Unit, kind: str, day: date, direct: bool, repeat_of) -> None:
        """Everything after registration, step by step, until a step would fall on or after today."""
        rng = self.rng
        co: Unit | None = None
        assign = False
        if not direct:
            # Routing by the petition bureau (routing.py): repeats merged, a few sent to the wrong unit first.
            delay = self.ri(*self.pick(ROUTING_DELAYS, ROUTING_WEIGHTS))
            officer = self.one(county.officers)
            L.when(day + timedelta(days=delay))
            if repeat_of is not None:
                L.merge(officer, *repeat_of)
                return
            if kind != Kind.ACCUSATION and rng.random() < 0.02:
                # Misrouted to a department (a township only handles what happens in its own area).
                departments = [u for u in county.units if u is not unit and u.org.kind == OrgKind.DEPARTMENT]
                wrong = self.one(departments or [unit])
                L.route(officer, False, wrong.org, [], "")
                L.when(L.day + self.days(1, 4) if rng.random() < 0.9 else L.day + self.days(5, 12))
                L.return_(self.one(wrong.officers), RETURN_REASON)
                L.when(L.day + self.days(0, 3))
            assign = rng.random() < 0.4
            if assign and rng.random() < 0.25:
                choices = [
                    u
                    for u in county.units
                    if u is not unit and u.org.kind == OrgKind.DEPARTMENT and u.org.id != L.c["accused_org_id"]
                ]
                co = self.one(choices) if choices else None
            L.route(officer, assign, unit.org, [co.org] if co else [], self.one(ROUTE_NOTES[assign]))
            L.when(L.day + self.days(*self.pick(SIGN_DELAYS, SIGN_WEIGHTS)))
            L.sign_for(self.one(unit.officers + unit.heads[:1]))
        # Acceptance (handling.py): within 15 days, a few claims declined or redirected.
        officer = self.one(unit.officers)
        L.when(L.day + self.days(*self.pick(DECIDE_DELAYS, DECIDE_WEIGHTS)))
        roll = rng.random()
        if kind == Kind.CLAIM and roll < 0.16:
            if roll < 0.08:
                L.decline(officer, self.one(DECLINE_REASONS))
                notice = Notice.DECLINE
            else:
                L.redirect(officer, self.one(RedirectChannel.values))
                notice = Notice.REDIRECT
            if rng.random() < 0.95:
                L.when(L.day + self.days(0, 3))
                L.deliver(officer, notice, self.method())
            return
        L.accept(officer, self.one(unit.handlers))
        if rng.random() < 0.85:
            L.when(L.day + self.days(0, 3))
            L.deliver(officer, Notice.ACCEPTANCE, self.method())
        self.handle(L, county, unit, co, L.c["accepted_on"], first=True)
        self.answered(L, county, unit, kind, assign, first=True)

    def handle(self, L: Life, county: County, unit: Unit, co: Unit | None, start: date, *, first: bool) -> None:
        """办理 at the lead unit, from acceptance (or a send-back or revoking review) to the signed reply."""
        rng, c = self.rng, L.c
        worker = c["handler_id"] or self.one(unit.heads)
        head = self.one(unit.heads)
        ext = 0
        if first:
            ext = self.one((15, 20, 30)) if rng.random() < 0.08 else 0
            if ext:
                duration = self.ri(50, 60 + ext)
            elif rng.random() < 0.04:
                duration = self.ri(61, 110)  # late
            else:
                duration = int(rng.triangular(6, 59, 32))
        else:
            duration = int(rng.triangular(5, 45, 15))
        reply_day = start + timedelta(days=duration)
        if duration >= 4 and rng.random() < 0.85:
            L.when(start + self.days(1, min(15, duration // 2)))
            L.record_step(worker, StepKind.INVESTIGATION, STEP_TEXTS[StepKind.INVESTIGATION])
        if first and duration >= 20 and rng.random() < 0.04:
            L.when(L.day + self.days(3, 12))
            began = L.day
            L.start_hearing(worker)
            L.when(L.day + self.days(0, 9))  # a hearing of one to ten days: the handling clock stops
            L.end_hearing(worker)
            reply_day += timedelta(days=(L.day - began).days + 1)
        if ext:
            cap = self.clocks.rule(Clock.EXTENSION, c["competent_org_id"], c["accepted_on"])[1]
            L.when(max(start + self.days(40, 48), L.day))
            L.request_extension(worker, min(ext, cap), EXTENSION_REASON)
            L.when(L.day + self.days(0, 2))
            L.approve_extension(head)
        if duration > 20 and rng.random() < 0.3:
            kind = self.one((StepKind.MEDIATION, StepKind.MEETING))
            L.when(reply_day - self.days(5, 10))
            L.record_step(worker, kind, STEP_TEXTS[kind])
        for org_id in L.pending_co_units():
            co_unit = next(u for u in county.units if u.org.id == org_id)
            L.when(reply_day - self.days(1, 5))
            L.co_report(self.one(co_unit.handlers + co_unit.heads + co_unit.officers), CO_REPORT)
        decision = self.pick(ReplyDecision.values, REPLY_WEIGHTS)
        facts, result = REQUESTS[decision]
        group = self.group_of.get(c["category_id"], "99")
        fields = {
            "request": c["summary"].replace("反映", "请求解决", 1),
            "facts": facts + ("" if first else "重新调查后再次核实。"),
            "decision": decision,
            "basis": BASIS.get(group, "《信访工作条例》第三十二条") + "；" + result,
        }
        if rng.random() < 0.8:
            L.when(reply_day - self.days(0, 3))
            L.draft_reply(worker, fields)
            L.when(L.day + timedelta(days=self.one((0, 0, 1, 2, 3))))
        else:
            L.when(reply_day)
        L.reply(head, fields, unit.review_org)

    def answered(self, L: Life, county: County, unit: Unit, kind: str, assign: bool, *, first: bool) -> None:
        """From the signed reply: delivery, evaluation, 报结 and 审核办结 or 办结, then the review window."""
        rng, c = self.rng, L.c
        worker = c["handler_id"] or self.one(unit.heads)
        L.when(L.day + self.days(0, 4))
        L.deliver(worker, Notice.REPLY, self.method())
        delivered = L.day
        evaluation = self.pick(Evaluation.values, EVALUATION_WEIGHTS)
        router = c["routing_org_id"] is not None
        if assign:
            L.when(delivered + self.days(1, 5))
            if first and rng.random() < 0.03:
                L.report_back(worker, self.one(REPORT_NOTES))
                L.when(L.day + self.days(1, 4))
                L.send_back(self.one(county.officers), SEND_BACK_REASON)
                self.handle(L, county, unit, None, L.day, first=False)
                self.answered(L, county, unit, kind, assign, first=False)
                return
        # 评价 and the closing steps, in date order (an evaluation may come before or after them)
        agenda = []
        if rng.random() < 0.92:
            evaluator = self.one(county.officers) if router and rng.random() < 0.4 else worker
            source = self.one(EvaluationSource.values)
            agenda.append((delivered + self.days(0, 7), 0, lambda: L.evaluate(evaluator, evaluation, source)))
        end = delivered + self.days(1, 5)
        if assign:
            confirm = end + self.days(1, 6)
            agenda.append((end, 1, lambda: L.report_back(worker, self.one(REPORT_NOTES))))
            agenda.append((confirm, 2, lambda: L.confirm_closure(self.one(county.officers), self.one(CONFIRM_NOTES))))
        else:
            agenda.append((end, 1, lambda: L.close(worker)))
        for when, _order, step in sorted(agenda, key=lambda a: (a[0], a[1])):
            L.when(when)
            step()
        window = L.governing()["window_until"]
        if window is None:
            return  # suggestions and accusations end here, as do claims with nobody above to review
        review_org = c["review_org_id"]
        gov = self.w.governments.get(review_org)
        wants = kind == Kind.CLAIM and rng.random() < (0.45 if evaluation == Evaluation.UNSATISFIED else 0.02)
        received = L.day + self.days(1, 20)
        if wants and gov and gov.requesters and received <= window:
            L.when(received + timedelta(days=self.one((0, 0, 0, 1, 2, 3))))
            L.request_review(self.one(gov.requesters), received)
            self.reviewed(L, county, unit, kind, assign, received, first=first)
            return
        L.at_night(window + self.grace + timedelta(days=1))
        L.finalize(window)

    def reviewed(self, L: Life, county: County, unit: Unit, kind: str, assign: bool, received: date, *, first: bool):
        """复查 by the government above the unit, 复核 by the one above that, or the lapse sweep's 终结."""
        rng, c = self.rng, L.c
        gov = self.w.governments[c["review_org_id"]]
        if rng.random() < 0.4:
            L.when(L.day + self.days(3, 10))
            L.record_step(self.one(gov.examiners), StepKind.INVESTIGATION, REVIEW_STEP)
        decision = self.pick(ReviewDecision.values, REVIEW_WEIGHTS if first else REVIEW_AGAIN_WEIGHTS)
        reexam_org = self.superior(c["review_org_id"])
        L.when(max(received + self.days(10, 29), L.day))
        L.review(self.one(gov.deciders), decision, REVIEW_REASONS[decision], reexam_org)
        decided = L.day
        L.when(L.day + self.days(0, 3))
        L.deliver(self.one(gov.requesters), Notice.REVIEW, self.method())
        if decision == ReviewDecision.REVOKE:  # handled and answered again by the same unit
            self.handle(L, county, unit, None, decided, first=False)
            self.answered(L, county, unit, kind, assign, first=False)
            return
        window = L.governing()["window_until"]
        if window is None:
            return  # nobody above the reviewing government: the review opinion stands
        city = self.w.governments.get(reexam_org) if reexam_org else None
        received = L.day + self.days(2, 25)
        if city and city.requesters and city.deciders and rng.random() < 0.35 and received <= window:
            L.when(received + timedelta(days=self.one((0, 0, 1, 2))))
            L.request_reexam(self.one(city.requesters), received)
            if rng.random() < 0.4:
                L.when(L.day + self.days(3, 10))
                L.record_step(self.one(city.examiners or city.deciders), StepKind.INVESTIGATION, REVIEW_STEP)
            decision = self.pick(REEXAM_DECISIONS, REEXAM_WEIGHTS)
            L.when(max(received + self.days(10, 29), L.day))
            L.reexamine(self.one(city.deciders), decision, REEXAM_REASONS[decision])
            if rng.random() < 0.9:
                L.when(L.day + self.days(0, 3))
                L.deliver(self.one(city.requesters), Notice.REEXAM, self.method())
            return
        L.at_night(window + self.grace + timedelta(days=1))
        L.finalize(window)

    # --- rows ------------------------------------------------------------------------------------

    def write(self, L: Life, pets: list, collective: bool, out) -> None:
        c, cid = L.c, L.cid
        c["status"] = L.status
        c.update(L.governing())
        c["version"] = len(L.events)  # registration writes version 1, every later action adds one
        c["updated_at"] = L.at
        out.cases.append(self.case_row(c))
        case_open = L.status in _OPEN
        for (org_id, role), (added, reported, report) in L.orgs.items():
            out.orgs.append((cid, org_id, role, added, reported, report, case_open))
        out.pets.extend((cid, p, i == 0 or (collective and i < 5)) for i, (p, _name) in enumerate(pets))
        out.events.extend(L.events)
        for d in L.deadlines:
            due, target, provisional, paused = L.dates(d)
            pauses = json.dumps([[a.isoformat(), b.isoformat() if b else None] for a, b in d.pauses])
            out.deadlines.append(
                (
                    self.case_type_id,
                    cid,
                    d.org,
                    d.clock,
                    d.rs,
                    d.start,
                    d.days,
                    d.working,
                    d.roll,
                    d.ext,
                    d.tkey,
                    d.tdays,
                    d.tworking,
                    due,
                    target,
                    provisional,
                    pauses,
                    paused,
                    d.status,
                    d.met_at,
                    d.created,
                    d.updated,
                )
            )
        out.deliveries.extend(L.deliveries)
        out.steps.extend(L.steps)
        if L.items:
            self.sup.rows(L, out)


@dataclass
class Batch:
    cases: list = field(default_factory=list)
    orgs: list = field(default_factory=list)
    pets: list = field(default_factory=list)
    events: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    items: list = field(default_factory=list)
    reports: list = field(default_factory=list)

    TABLES = ("cases", "orgs", "pets", "events", "deadlines", "deliveries", "steps", "items", "reports")


CASEORG_KEYS = ["case_id", "org_id", "role", "added_at", "reported_at", "report", "case_open"]
PET_KEYS = ["case_id", "petitioner_id", "is_representative"]
EVENT_KEYS = [
    "id",
    "case_id",
    "action",
    "actor_id",
    "actor_org_id",
    "at",
    "from_status",
    "to_status",
    "note",
    "notice",
    "document",
    "data",
    "actor_kind",
    "actor_name",
    "seq",
    "prev_hash",  # these two filled in by seal_events, in the writer process
    "row_hash",
]
DEADLINE_KEYS = [
    "owner_type_id",
    "owner_id",
    "org_id",
    "clock",
    "rule_set_id",
    "start",
    "days",
    "working",
    "roll_forward",
    "extension_days",
    "target_key",
    "target_days",
    "target_working",
    "due_date",
    "target_date",
    "provisional",
    "pauses",
    "paused",
    "status",
    "met_at",
    "created_at",
    "updated_at",
]
DELIVERY_KEYS = [
    "case_id",
    "notice",
    "event_id",
    "method",
    "delivered_at",
    "recipient",
    "recorded_by_id",
    "recorded_at",
]
STEP_KEYS = ["case_id", "kind", "happened_on", "description", "recorded_by_id", "recorded_at"]
TABLES = {
    "cases": (Case, Generator.CASE_KEYS),
    "orgs": (CaseOrg, CASEORG_KEYS),
    "pets": (CasePetitioner, PET_KEYS),
    "events": (CaseEvent, EVENT_KEYS),
    "deadlines": (Deadline, DEADLINE_KEYS),
    "deliveries": (Delivery, DELIVERY_KEYS),
    "steps": (HandlingStep, STEP_KEYS),
    "items": (SupervisionItem, ITEM_KEYS),
    "reports": (SupervisionReport, REPORT_KEYS),
}


def seal_events(batch: dict[str, list]) -> None:
    """Chain each case's events by hash (``cases.events.event_hash``), as ``events.record`` seals them.

    Run in the writer process (hashing costs about as much as generating):
    a case's events are together and in order within a batch.
    """
    prev, sealed = GENESIS, []
    for row in batch["events"]:
        eid, case_id, action, actor, org, at, frm, to, note, notice, document, data, kind, name, seq = row
        if seq == 1:
            prev = GENESIS
        row_hash = event_hash(
            prev,
            case_id=case_id,
            seq=seq,
            action=action,
            actor_kind=kind,
            actor_id=actor,
            actor_org_id=org,
            actor_name=name,
            at=at,
            from_status=frm,
            to_status=to,
            note=note,
            notice=notice,
            document=document,
            data=data,
        )
        sealed.append((*row, prev, row_hash))
        prev = row_hash
    batch["events"] = sealed


def _day_counts(n: int, first: date, last: date, rng: random.Random) -> list[tuple[date, int]]:
    """Spread n receipts over the days, fewer at weekends and slowly growing over the years."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = [
        (0.35 if d.weekday() >= 5 else 1.0) * (0.8 + 0.4 * i / len(days)) * rng.uniform(0.85, 1.15)
        for i, d in enumerate(days)
    ]
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    short = n - sum(counts)
    for i in rng.sample(range(len(days)), short) if short <= len(days) else range(short):
        counts[i % len(days)] += 1
    return list(zip(days, counts, strict=True))


def generate(
    total: int,
    *,
    write=print,
    seed: int = SEED,
    batch: int = BATCH,
    days: int | None = None,
    per_county: int | None = None,
) -> dict:
    """Bring the number of cases to ``total`` with bulk inserts; return timing and counts.

    The city grows as a real one does (scale_world.plan_city): each county
    receives ``per_county`` cases in ``days`` (100,000 in three years), so a
    small run is the demo county's last months and a large one adds counties
    to the demo city (built like the demo county, staffed with demo
    accounts), and no county's to-do lists grow with N. Tests that give
    ``days`` alone get every case in the demo county over those days, to see
    every state among a few thousand cases.
    """
    started = time.monotonic()
    existing = Case.objects.count()
    n = total - existing
    if n <= 0:
        write(f"已有信访件 {existing} 件，不少于 {total} 件，未生成。")
        return {"created": 0, "seconds": 0.0}
    if per_county is None:
        per_county = PER_COUNTY if days is None else total
    days = days or 365 * YEARS
    rng = random.Random(seed + existing)
    world = discover_world(write)
    held = [Case.objects.filter(registered_org__path__startswith=c.gov.path).count() for c in world.counties]
    shares = plan_city(n, held, per_county=per_county, days=days)
    if len(shares) > len(world.counties):
        city = Org.objects.get(children=world.counties[0].gov)  # the demo city, above its first county
        grow_city(city, len(shares) - len(world.counties), write)
        world = discover_world(write)
    clocks = Clocks(world.orgs)
    now = timezone.now()
    today = timezone.localdate(now)
    _bulk_pragmas()
    pool = petitioner_pool(world, max(300, min(total // 10, 100_000)), rng, write)
    case_type = ContentType.objects.get_for_model(Case)
    next_event = (CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    gen = Generator(world, clocks, pool, rng, today, now, connection.vendor, case_type.id, next_event)
    next_id = (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    arrivals: dict[date, list[tuple[County, int]]] = defaultdict(list)
    for county, share in zip(world.counties, shares, strict=False):
        if share.count:
            first, last = today - timedelta(days=share.first), today - timedelta(days=share.last)
            for day, k in _day_counts(share.count, first, last, rng):
                if k:
                    arrivals[day].append((county, k))
    out = Batch()
    made = 0
    counts = dict.fromkeys(Batch.TABLES, 0)
    pipeline = Pipeline(TABLES, seal_events)

    def flush():
        nonlocal out
        for name in Batch.TABLES:
            counts[name] += len(getattr(out, name))
        pipeline.put({name: getattr(out, name) for name in Batch.TABLES})
        out = Batch()

    report_every = max(batch * 20, n // 10)
    try:
        for day in sorted(arrivals):  # case ids in order of receipt across the city, as registered
            for county, k in arrivals[day]:
                for _ in range(k):
                    gen.case(next_id, day, out, county)
                    next_id += 1
                    made += 1
                    if len(out.cases) >= batch:
                        flush()
                        if made % report_every < batch:
                            rate = made / (time.monotonic() - started)
                            write(f"  {made:,} / {n:,} 件（{rate:,.0f} 件/秒）")
        flush()
    finally:
        pipeline.close()
    with transaction.atomic():
        for (org_id, year), value in gen.counters.items():
            updated = CaseCounter.objects.filter(org_id=org_id, year=year, value__lt=value).update(value=value)
            if not updated and not CaseCounter.objects.filter(org_id=org_id, year=year).exists():
                CaseCounter.objects.create(org_id=org_id, year=year, value=value)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model, _keys in TABLES.values():
                table = model._meta.db_table
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
                cur.execute(sql)
    loaded = time.monotonic() - started
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # A sampled ANALYZE (100,000 rows per index) takes ~1 s where a full one took ~55 s at 10^6
            # cases (a tenth of the whole load); the planner needs which indexes are selective, which
            # the sample shows. A deployment's own `PRAGMA optimize` samples fewer rows still (400).
            cur.execute("PRAGMA analysis_limit=100000")
        cur.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit=0")  # the connection's later ANALYZEs read everything again
            # But not for the case table itself: sampled, its per-state estimates came out 10-20 times
            # too high at 10^6 (status 50,001 rows per value, total 620,490) and SQLite then counted
            # the officer's to-do list by a full scan (3.7 s for the badge; 0.26 s after a full
            # ANALYZE of this one table, which takes ~7 s at 10^6).
            cur.execute(f'ANALYZE "{Case._meta.db_table}"')
    _restore_pragmas()
    seconds = time.monotonic() - started
    write(
        f"已批量生成信访件 {made:,} 件（办理记录 {counts['events']:,}、期限 {counts['deadlines']:,}、"
        f"送达 {counts['deliveries']:,}、办理过程 {counts['steps']:,}、参与单位 {counts['orgs']:,}、"
        f"信访人关联 {counts['pets']:,} 条，挂牌督办 {counts['items']:,} 件、督办反馈 {counts['reports']:,} 条），"
        f"写入 {loaded:.1f} 秒，含统计信息更新共 {seconds:.1f} 秒"
    )
    from xinfang.stats.rollups import recompute_all  # the raw rows above bypass the outbox that keeps the rollups

    rebuilt = time.monotonic()
    rows = recompute_all()
    write(f"已重算统计收件汇总 {rows:,} 行，用时 {time.monotonic() - rebuilt:.1f} 秒")
    return {"created": made, "seconds": seconds, "load_seconds": loaded, "rows": counts, "states": dict(gen.stats)}


__all__ = ["Generator", "Life", "discover_world", "generate"]
