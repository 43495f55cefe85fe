"""Scale data: ``load_demo --cases N`` brings the database to N cases with bulk inserts.

The demo cases (xinfang/devdata/cases.py) go through the real actions; a
million cannot (about 40 queries per step). Here each case's life is
simulated in memory instead, with the same rules the actions apply, and the
rows are written straight to the tables in large batches:

* receipt spread over the last three years (fewer at weekends), routing by
  the petition bureau within days, acceptance within 15 days, handling
  within 60 (+ extensions, a few late), reply, delivery, evaluation, the
  assigned cases' report back and confirmation, review and re-examination
  for some claims, finality when the petitioner's window lapsed (as the
  lapse sweep does) — so the state on today's date follows from the dates;
* ``current_org``, ``competent_org``, ``routing_org``, ``review_org``,
  ``reexam_org``, ``handler`` and the ``CaseOrg`` participant rows are what
  the actions would have set for that state (the access layer reads them);
* every case gets a register ``CaseEvent`` and one for the transition into
  its current state (not the whole history), and one or more
  ``CasePetitioner`` links to a pool of petitioners (created in bulk, each
  encrypted once, and reused across cases as real repeat petitioners are);
* open cases get their open ``Deadline`` rows, with due and target dates
  computed by the real engine (``clock.engine.compute_due``) on the stored
  work calendar and the rule set in force at the org on the start date, and
  the case's denormalised ``due_date``/``window_until`` copied from them the
  way ``cases.deadlines.sync`` does; met or cancelled deadlines of the past
  are not written;
* numbers follow each registering org's ``CaseCounter`` per year of receipt
  and the counters are advanced at the end, so registering a case later
  continues the sequence.

N is the total wanted: running ``--cases 1000000`` after ``--cases 100000``
adds 900,000. SQLite gets ``synchronous=OFF`` and a 1 GB page cache for the
load; PostgreSQL gets ``COPY``. No index is dropped.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.cases.models import Case, CaseCounter, CaseEvent, CaseOrg, CasePetitioner, Category
from xinfang.cases.numbering import number_prefix
from xinfang.cases.spec import spec_for
from xinfang.cases.states import (
    Action,
    Channel,
    Evaluation,
    EvaluationSource,
    Importance,
    Kind,
    Notice,
    ParticipantRole,
    RedirectChannel,
    ReplyDecision,
    ReviewDecision,
    Status,
    Urgency,
)
from xinfang.clock.models import Clock, Deadline
from xinfang.devdata.scale_world import (
    YEARS,
    Clocks,
    World,
    Writer,
    _bulk_pragmas,
    _restore_pragmas,
    discover_world,
    petitioner_pool,
)
from xinfang.orgs.models import Org, OrgKind

SEED = 20240615
BATCH = 5000  # cases per transaction (~35,000 rows across the tables)
S = Status
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
        for v in committees[unit.org.pk]:
            village = v.name.removeprefix(town).removesuffix("村民委员会").removesuffix("居民委员会")
            places.append(Place(unit.org, v, town, f"{town}{village}", not village.endswith("社区")))
    return places or [Place(None, None, stem, stem, True)]


CONTENT = "信访人反映：{s}。经多次向有关单位反映，问题至今未得到解决，请求依法依规予以处理。"


# --- the simulation of one case --------------------------------------------------------------------


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
    ):
        self.w, self.clocks, self.pool, self.rng = world, clocks, pool, rng
        self.today, self.now = today, now
        self.aware = vendor == "postgresql"
        offset = timezone.localtime(now).utcoffset()
        self.offset = offset
        self.case_type_id = case_type_id
        self.categories: dict[str, list[int]] = defaultdict(list)
        self.category_by_name: dict[tuple[str, str], int] = {}
        for pk, code, name in Category.objects.filter(parent__isnull=False, is_active=True).values_list(
            "pk", "code", "name"
        ):
            self.categories[code[:2]].append(pk)
            self.category_by_name[(code[:2], name)] = pk
        self.places = {c.gov.pk: county_places(c, world.orgs) for c in world.counties}
        self._areas: dict[tuple[int, int], list[Place]] = {}
        self._topics: dict[tuple[int, int, str], list[Topic]] = {}
        self._spots: dict[tuple[int, int, Topic], list[Place]] = {}
        self.groups = [g for g in GROUP_WEIGHTS if GROUP_WEIGHTS[g] and self.categories.get(g)]
        self.group_weights = [GROUP_WEIGHTS[g] for g in self.groups]
        self.counters: dict[tuple[int, int], int] = {
            (o, y): v for o, y, v in CaseCounter.objects.values_list("org_id", "year", "value")
        }
        self.recent: list[tuple[int, list[int], date]] = []  # for repeats: (case id, petitioners, day)
        self.defaults = {}
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

    def area(self, county, unit) -> list[Place]:
        """Where a unit's cases happen: a township's own villages, anywhere in the county for the others."""
        key = (county.gov.pk, unit.org.pk)
        if key not in self._areas:
            places = self.places[county.gov.pk]
            self._areas[key] = [p for p in places if p.township is not None and p.township.pk == unit.org.pk] or places
        return self._areas[key]

    def topics(self, county, unit, group: str) -> list[Topic]:
        """The group's summaries that fit somewhere in the unit's area (memoised: called for every case)."""
        key = (county.gov.pk, unit.org.pk, group)
        if key not in self._topics:
            area = self.area(county, unit)
            self._topics[key] = [t for t in SUMMARIES[group] if any(p.fits(t) for p in area)]
        return self._topics[key]

    def spots(self, county, unit, topic: Topic) -> list[Place]:
        """The places in the unit's area the topic fits (all of its area if none does)."""
        key = (county.gov.pk, unit.org.pk, topic)
        if key not in self._spots:
            area = self.area(county, unit)
            self._spots[key] = [p for p in area if p.fits(topic)] or area
        return self._spots[key]

    # time helpers
    def dt(self, local: datetime):
        utc = local - self.offset
        return utc.replace(tzinfo=UTC) if self.aware else utc

    def at(self, day: date, after: datetime | None = None) -> datetime:
        # Naive local wall-clock time; dt() turns it into what the column stores.
        t = datetime(day.year, day.month, day.day, 8, 30)  # noqa: DTZ001
        t += timedelta(minutes=self.rng.randint(0, 540))
        if after is not None and t <= after:
            t = after + timedelta(minutes=self.rng.randint(5, 90))
        return t

    def number(self, org: Org, year: int) -> str:
        key = (org.pk, year)
        value = self.counters.get(key, 0) + 1
        self.counters[key] = value
        return f"{number_prefix(org)}〔{year}〕{value:05d}号"

    def case(self, cid: int, day: date, out) -> None:  # noqa: C901 — one life, read top to bottom
        rng, clocks, today = self.rng, self.clocks, self.today
        county = self.w.counties[0] if len(self.w.counties) == 1 else rng.choices(self.w.counties, self.w.weights)[0]
        c = dict(self.defaults)
        recv = self.at(day)
        t_reg = recv + timedelta(minutes=rng.randint(2, 60))
        # What it is about
        roll = rng.random()
        kind = (
            Kind.ACCUSATION
            if (roll < 0.12 and county.discipline and county.accusable)
            else (Kind.SUGGESTION if roll < 0.22 else Kind.CLAIM)
        )
        group = "12" if kind == Kind.ACCUSATION else rng.choices(self.groups, self.group_weights)[0]
        channel = rng.choices(Channel.values, [18, 30, 12, 30, 5, 5])[0]
        direct = None
        if kind != Kind.ACCUSATION and county.direct and rng.random() < 0.1:
            direct = rng.choice(county.direct)
        if direct is not None:
            reg_org, registrar = direct[0].org, rng.choice(direct[1])
            unit = direct[0]
            # A unit registers what it is competent for, and a township what can happen in its area.
            fit = [g for g in self.groups if unit in county.by_group.get(g, ()) and self.topics(county, unit, g)]
            if fit and group not in fit:
                group = rng.choices(fit, [GROUP_WEIGHTS[g] for g in fit])[0]
        else:
            reg_org, registrar = county.bureau, rng.choice(county.registrars)
            unit = county.discipline if kind == Kind.ACCUSATION else rng.choice(county.by_group[group])
            if not self.topics(county, unit, group):  # e.g. farmland at a 街道 of urban communities only
                unit = rng.choice([u for u in county.by_group[group] if self.topics(county, u, group)] or [unit])
        topic = rng.choice(self.topics(county, unit, group) or SUMMARIES[group])
        place = rng.choice(self.spots(county, unit, topic))  # a township's case is in its area
        accused = None
        if kind == Kind.ACCUSATION:
            departments = [o for o in county.accusable if o.kind == OrgKind.DEPARTMENT]
            accused = {"village": place.village, "township": place.township}.get(topic.accused)
            if topic.accused == "department" and departments:
                accused = rng.choice(departments)
            accused = accused or rng.choice(county.accusable)
        summary = topic.summary.format(p=place.name, t=place.town, d=accused.name if accused else "")
        pool = self.pool.get(reg_org.pk) or self.pool.get(county.bureau.pk)
        n_pet = 1 if rng.random() < 0.88 else rng.randint(2, 3)
        collective = channel == Channel.VISIT and rng.random() < 0.03
        repeat_of = None
        if self.recent and direct is None and rng.random() < 0.04:
            orig_id, orig_pets, orig_day = self.recent[rng.randrange(len(self.recent))]
            if (day - orig_day).days < 40:
                repeat_of, pets = orig_id, orig_pets[:1]
        if repeat_of is None:
            pets = rng.sample(pool, min(5 if collective else n_pet, len(pool)))
        c.update(
            id=cid,
            number=self.number(reg_org, day.year),
            channel=channel,
            received_at=self.dt(recv),
            kind=kind,
            category_id=self.category_by_name.get((group, topic.category)) or rng.choice(self.categories[group]),
            summary=summary,
            content=CONTENT.format(s=summary),
            person_count=rng.randint(5, 40) if collective else len(pets),
            is_collective=collective,
            place_code=place.village.division_code if place.village else reg_org.division_code[:6],
            place_name=place.name,
            urgency=rng.choices(Urgency.values, [85, 12, 3])[0],
            importance=rng.choices(Importance.values, [80, 17, 3])[0],
            registered_org_id=reg_org.pk,
            registered_by_id=registrar,
            registered_at=self.dt(t_reg),
        )
        if channel == Channel.REFERRED and self.w.city_bureau is not None:
            c["referring_org_id"] = self.w.city_bureau.pk
            c["referring_ref"] = f"示信交〔{day.year}〕{rng.randint(1, 900)}号"
            if rng.random() < 0.3:
                c["leader_instruction"] = "请认真核查，依法依规妥善处理，并将结果报市信访局。"
        if accused is not None:
            c["accused_org_id"] = accused.pk
            title = "主任" if accused.kind == OrgKind.VILLAGE_COMMITTEE else "工作人员"
            c["accused_name"] = f"{accused.name}{title}{rng.choice('李王张刘陈杨赵黄')}某"
        target_key = "leader_instruction" if c["leader_instruction"] else f"urgency:{Urgency(c['urgency']).label}"
        orgs = [(reg_org.pk, R.REGISTERING, t_reg)]
        if c["referring_org_id"]:
            orgs.append((c["referring_org_id"], R.REFERRING, t_reg))
        deadlines = []  # (clock, start, org id, target key, ext)
        reg_data = json.dumps({"channel": channel, "repeat_of": ""}, ensure_ascii=False)
        last = None  # (action, actor, org, at, from, note, notice)
        status = S.REGISTERED if direct is None else S.TO_DECIDE
        first_status = status
        c["current_org_id"] = reg_org.pk

        def event(action, actor, org_id, when, note="", notice=""):
            nonlocal last, status
            to = spec_for(action).to
            last = (action, actor, org_id, when, status, note, notice)
            if to is not None:
                status = to

        pet_rows = [(cid, p, i == 0 or (collective and i < 5)) for i, p in enumerate(pets)]
        t = t_reg
        done = False
        if direct is None:
            c["routing_org_id"] = county.bureau.pk
            orgs.append((county.bureau.pk, R.ROUTING, t_reg))
            delay = rng.choices(
                [rng.randint(0, 3), rng.randint(4, 10), rng.randint(11, 15), rng.randint(16, 25)], [60, 30, 8, 2]
            )[0]
            route_day = day + timedelta(days=delay)
            officer = rng.choice(county.officers)
            if route_day >= today:
                deadlines.append((Clock.ROUTING, day, county.bureau.pk, target_key, 0))
                done = True
            elif repeat_of is not None:
                t = self.at(route_day, t)
                c["repeat_of_id"] = repeat_of
                event(Action.MERGE_AS_REPEAT, officer, county.bureau.pk, t, "按重复件合并")
                done = True
            else:
                assign = rng.random() < 0.4
                t = self.at(route_day, t)
                c.update(current_org_id=unit.org.pk, competent_org_id=unit.org.pk, is_assigned=assign)
                orgs.append((unit.org.pk, R.LEAD if assign else R.COMPETENT, t))
                co = None
                if assign and rng.random() < 0.25:
                    choices = [
                        u
                        for u in county.units
                        if u is not unit and u.org.kind == OrgKind.DEPARTMENT and u.org.pk != c["accused_org_id"]
                    ]
                    if choices:
                        co = rng.choice(choices)
                        orgs.append((co.org.pk, R.CO, t))
                event(Action.ASSIGN if assign else Action.FORWARD, officer, county.bureau.pk, t)
                comp_start = route_day
                sign_day = route_day + timedelta(days=rng.choices([rng.randint(0, 2), rng.randint(3, 9)], [95, 5])[0])
                if sign_day >= today:
                    deadlines.append((Clock.MISROUTING_OBJECTION, route_day, unit.org.pk, None, 0))
                    deadlines.append((Clock.ACCEPTANCE, route_day, unit.org.pk, None, 0))
                    done = True
                else:
                    t = self.at(sign_day, t)
                    event(Action.SIGN_FOR, rng.choice(unit.officers) if unit.officers else None, unit.org.pk, t)
                    decide_from = sign_day
        else:
            co = None
            assign = False
            c.update(competent_org_id=unit.org.pk)
            orgs.append((unit.org.pk, R.COMPETENT, t_reg))
            comp_start = decide_from = day
        if not done:
            acc_target = target_key if direct is not None else None
            decide_day = decide_from + timedelta(
                days=rng.choices([rng.randint(1, 10), rng.randint(11, 14), rng.randint(16, 25)], [85, 12, 3])[0]
            )
            u_officer = rng.choice(unit.officers) if unit.officers else None
            if decide_day >= today:
                deadlines.append((Clock.ACCEPTANCE, comp_start, unit.org.pk, acc_target, 0))
                done = True
        if not done:
            t = self.at(decide_day, t)
            roll = rng.random()
            if kind == Kind.CLAIM and roll < 0.16:
                if roll < 0.08:
                    c["decline_reason"] = "该信访事项已经依法终结，以同一事实和理由提出的，不再受理。"
                    event(Action.DECLINE, u_officer, unit.org.pk, t, c["decline_reason"], Notice.DECLINE)
                else:
                    c["redirect_channel"] = rng.choice(RedirectChannel.values)
                    event(Action.REDIRECT, u_officer, unit.org.pk, t, "导入法定途径", Notice.REDIRECT)
                done = True
        if not done:
            handler = rng.choice(unit.handlers) if unit.handlers else None
            c.update(accepted_on=decide_day, handler_id=handler)
            event(Action.ACCEPT, u_officer, unit.org.pk, t, "", Notice.ACCEPTANCE)
            ext = rng.choice((15, 20, 30)) if rng.random() < 0.08 else 0
            roll = rng.random()
            if ext:
                duration = rng.randint(50, 60 + ext)
            elif roll < 0.04:
                duration = rng.randint(61, 110)  # late
            else:
                duration = int(rng.triangular(6, 59, 32))
            reply_day = decide_day + timedelta(days=duration)
            if ext and decide_day + timedelta(days=45) < today:
                c.update(extension_days=ext, extension_reason="案情复杂，需进一步调查核实")
            if reply_day >= today:
                deadlines.append((Clock.HANDLING, decide_day, unit.org.pk, target_key, c["extension_days"]))
                done = True
        if not done:
            head = rng.choice(unit.heads) if unit.heads else handler
            t = self.at(reply_day, t)
            review_org = unit.review_org
            decision = rng.choices(ReplyDecision.values, [30, 45, 25])[0]
            c.update(reply_decision=decision, replied_on=reply_day, review_org_id=review_org.pk if review_org else None)
            if co is not None:
                self._co_reported = (co.org.pk, t - timedelta(days=rng.randint(1, 5)))
            event(Action.REPLY, head, unit.org.pk, t, ReplyDecision(decision).label, Notice.REPLY)
            deliver_day = reply_day + timedelta(days=rng.randint(0, 4))
            if deliver_day >= today:
                done = True
        if not done:
            c["reply_delivered_on"] = deliver_day
            claim_window = kind == Kind.CLAIM and review_org is not None
            window = None
            if claim_window:
                window = clocks.simple_due(Clock.REVIEW_WINDOW, deliver_day, unit.org.pk)
                for g in self.w.participants.get(review_org.pk, [review_org.pk]):
                    orgs.append((g, R.REVIEWING, self.at(deliver_day)))
            eval_day = deliver_day + timedelta(days=rng.randint(0, 7))
            evaluation = rng.choices(Evaluation.values, [65, 25, 10])[0]
            if eval_day < today:
                c.update(evaluation=evaluation, evaluation_source=rng.choice(EvaluationSource.values))
            # Closure
            end_day = deliver_day + timedelta(days=rng.randint(1, 5))
            if end_day < today:
                if assign:
                    t = self.at(end_day, t)
                    event(Action.REPORT_BACK, handler, unit.org.pk, t)
                    c["current_org_id"] = county.bureau.pk
                    end_day = end_day + timedelta(days=rng.randint(1, 6))
                    if end_day < today:
                        t = self.at(end_day, t)
                        event(Action.CONFIRM_CLOSURE, rng.choice(county.officers), county.bureau.pk, t, "同意办结")
                        c["closed_on"] = end_day
                else:
                    t = self.at(end_day, t)
                    event(Action.CLOSE, handler, unit.org.pk, t)
                    c["closed_on"] = end_day
            if window is not None:
                wants = kind == Kind.CLAIM and rng.random() < (0.45 if evaluation == Evaluation.UNSATISFIED else 0.02)
                last_day = max(end_day, eval_day)
                req_day = last_day + timedelta(days=rng.randint(1, 20))
                if wants and req_day <= window and req_day < today:
                    self._review(c, county, unit, review_org, req_day, t, event, deadlines, orgs)
                elif window < today:
                    fin = window + timedelta(days=1)
                    c["final_on"] = fin
                    event(Action.FINALIZE, None, None, self.at(fin, t), "信访人未在期限内申请复查，处理意见终结")
                else:
                    deadlines.append((Clock.REVIEW_WINDOW, deliver_day, unit.org.pk, None, 0))
        # Rows ------------------------------------------------------------------------
        c["status"] = status
        opened = []
        agency = window_dl = None
        for clock, start, org_id, tkey, ext in deadlines:
            due, tdate, prov, row = clocks.deadline(clock, start, org_id, tkey, ext)
            opened.append(row)
            if clock in (Clock.REVIEW_WINDOW, Clock.REEXAM_WINDOW):
                if window_dl is None or due < window_dl[0]:
                    window_dl = (due, prov)
            elif agency is None or due < agency[0]:
                agency = (due, tdate, prov, clock)
        if agency:
            c.update(due_date=agency[0], target_date=agency[1], due_clock=agency[3])
        c["due_provisional"] = bool((agency and agency[2]) or (window_dl and window_dl[1]))
        if window_dl:
            c["window_until"] = window_dl[0]
        events = [
            (
                cid,
                Action.REGISTER,
                registrar,
                reg_org.pk,
                self.dt(t_reg),
                "",
                first_status,
                "",
                "",
                "",
                reg_data,
                "staff",
                "",
            )
        ]
        if last is not None:
            action, actor, org_id, when, from_status, note, notice = last
            events.append(
                (cid, action, actor, org_id, self.dt(when), from_status, status, note, notice, "", "{}", "staff", "")
            )
        c["version"] = len(events)
        c["updated_at"] = self.dt(last[3] if last else t_reg)
        co_rep = getattr(self, "_co_reported", None)
        self._co_reported = None
        out.cases.append(tuple(c[k] for k in self.CASE_KEYS))
        seen = set()
        for org_id, role, when in orgs:
            if (org_id, role) in seen:
                continue
            seen.add((org_id, role))
            reported = None
            if co_rep and role == R.CO and org_id == co_rep[0]:
                reported = self.dt(co_rep[1])
            out.orgs.append((cid, org_id, role, self.dt(when), reported, "已反馈" if reported else ""))
        out.pets.extend(pet_rows)
        out.events.extend(events)
        now_dt = self.dt(timezone.localtime(self.now).replace(tzinfo=None))
        for row in opened:
            out.deadlines.append((self.case_type_id, cid, *row, "[]", False, "open", now_dt, now_dt))
        if status in (S.HANDLING, S.TO_DECIDE) and direct is None:
            self.recent.append((cid, pets, day))
            if len(self.recent) > 2000:
                self.recent = self.recent[-1000:]
        self.stats[status] += 1

    def _review(self, c, county, unit, review_org, req_day, t, event, deadlines, orgs):
        rng, today, clocks = self.rng, self.today, self.clocks
        t = self.at(req_day, t)
        c["current_org_id"] = review_org.pk
        act_for = self.w.reexam_users.get(review_org.pk) or county.officers
        event(Action.REQUEST_REVIEW, rng.choice(county.registrars), county.bureau.pk, t, "信访人请求复查")
        review_day = req_day + timedelta(days=rng.randint(10, 29))
        if review_day >= today:
            deadlines.append((Clock.REVIEW_DECISION, req_day, review_org.pk, None, 0))
            return
        t = self.at(review_day, t)
        reexam_org = self.w.orgs.get(self._superior(review_org))
        c.update(
            review_decision=rng.choices(ReviewDecision.values, [85, 10, 5])[0],
            reexam_org_id=reexam_org.pk if reexam_org else None,
        )
        event(Action.REVIEW, rng.choice(act_for), county.bureau.pk, t, "复查意见", Notice.REVIEW)
        delivered = review_day + timedelta(days=rng.randint(0, 3))
        if delivered >= today or reexam_org is None:
            return
        c["review_delivered_on"] = delivered
        for g in self.w.participants.get(reexam_org.pk, [reexam_org.pk]):
            orgs.append((g, R.REEXAMINING, self.at(delivered)))
        window = clocks.simple_due(Clock.REEXAM_WINDOW, delivered, review_org.pk)
        req2 = delivered + timedelta(days=rng.randint(2, 25))
        city_users = self.w.reexam_users.get(reexam_org.pk) or [None]
        if rng.random() < 0.35 and req2 <= window and req2 < today:
            t = self.at(req2, t)
            c["current_org_id"] = reexam_org.pk
            event(Action.REQUEST_REEXAM, rng.choice(city_users), None, t, "信访人请求复核")
            done_day = req2 + timedelta(days=rng.randint(10, 29))
            if done_day >= today:
                deadlines.append((Clock.REEXAM_DECISION, req2, reexam_org.pk, None, 0))
                return
            t = self.at(done_day, t)
            c.update(reexam_decision=ReviewDecision.UPHOLD, final_on=done_day)
            event(Action.REEXAMINE, rng.choice(city_users), None, t, "复核意见", Notice.REEXAM)
        elif window < today:
            fin = window + timedelta(days=1)
            c["final_on"] = fin
            event(Action.FINALIZE, None, None, self.at(fin, t), "信访人未在期限内申请复核，复查意见终结")
        else:
            deadlines.append((Clock.REEXAM_WINDOW, delivered, review_org.pk, None, 0))

    _sup_cache: dict[int, int | None] = {}

    def _superior(self, org: Org) -> int | None:
        from xinfang.cases.actions.handling import superior_government

        if org.pk not in self._sup_cache:
            g = superior_government(org)
            self._sup_cache[org.pk] = g.pk if g else None
        return self._sup_cache[org.pk]


@dataclass
class Batch:
    cases: list = field(default_factory=list)
    orgs: list = field(default_factory=list)
    pets: list = field(default_factory=list)
    events: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)


CASEORG_KEYS = ["case_id", "org_id", "role", "added_at", "reported_at", "report"]
PET_KEYS = ["case_id", "petitioner_id", "is_representative"]
EVENT_KEYS = [
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
    "created_at",
    "updated_at",
]


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


def generate(total: int, *, write=print, seed: int = SEED, batch: int = BATCH) -> dict:
    """Bring the number of cases to ``total`` with bulk inserts; return timing and counts."""
    started = time.monotonic()
    existing = Case.objects.count()
    n = total - existing
    if n <= 0:
        write(f"已有信访件 {existing} 件，不少于 {total} 件，未生成。")
        return {"created": 0, "seconds": 0.0}
    rng = random.Random(seed + existing)
    world = discover_world()
    clocks = Clocks(world.orgs)
    now = timezone.now()
    today = timezone.localdate(now)
    _bulk_pragmas()
    pool = petitioner_pool(world, max(300, min(total // 10, 100_000)), rng, write)
    case_type = ContentType.objects.get_for_model(Case)
    writer = Writer()
    gen = Generator(world, clocks, pool, rng, today, now, writer.vendor, case_type.pk)
    next_id = (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    first = today - timedelta(days=365 * YEARS)
    last = today - timedelta(days=1)
    out = Batch()
    made = 0
    counts = {"cases": 0, "orgs": 0, "pets": 0, "events": 0, "deadlines": 0}

    def flush():
        with transaction.atomic():
            writer.insert(Case, Generator.CASE_KEYS, out.cases)
            writer.insert(CaseOrg, CASEORG_KEYS, out.orgs)
            writer.insert(CasePetitioner, PET_KEYS, out.pets)
            writer.insert(CaseEvent, EVENT_KEYS, out.events)
            writer.insert(Deadline, DEADLINE_KEYS, out.deadlines)
        for k in counts:
            counts[k] += len(getattr(out, k))
        for k in ("cases", "orgs", "pets", "events", "deadlines"):
            getattr(out, k).clear()

    report_every = max(batch * 20, n // 10)
    for day, k in _day_counts(n, first, last, rng):
        for _ in range(k):
            gen.case(next_id, day, out)
            next_id += 1
            made += 1
            if len(out.cases) >= batch:
                flush()
                if made % report_every < batch:
                    rate = made / (time.monotonic() - started)
                    write(f"  {made:,} / {n:,} 件（{rate:,.0f} 件/秒）")
    flush()
    with transaction.atomic():
        for (org_id, year), value in gen.counters.items():
            updated = CaseCounter.objects.filter(org_id=org_id, year=year, value__lt=value).update(value=value)
            if not updated and not CaseCounter.objects.filter(org_id=org_id, year=year).exists():
                CaseCounter.objects.create(org_id=org_id, year=year, value=value)
    if writer.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Case, CaseOrg, CasePetitioner, CaseEvent, Deadline):
                table = model._meta.db_table
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
                cur.execute(sql)
    loaded = time.monotonic() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    _restore_pragmas()
    seconds = time.monotonic() - started
    write(
        f"已批量生成信访件 {made:,} 件（参与单位 {counts['orgs']:,}、信访人关联 {counts['pets']:,}、"
        f"办理记录 {counts['events']:,}、期限 {counts['deadlines']:,} 条），写入 {loaded:.1f} 秒，"
        f"含统计信息更新共 {seconds:.1f} 秒"
    )
    return {"created": made, "seconds": seconds, "load_seconds": loaded, "rows": counts, "states": dict(gen.stats)}


__all__ = ["discover_world", "generate"]
