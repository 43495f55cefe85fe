"""The world a scale run writes into (see scale.py): the demo county as it is
in the database, the rules in force held in memory, a bulk writer for SQLite
and PostgreSQL, and the pool of petitioners the cases draw on."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from xinfang.clock.engine import compute_due
from xinfang.clock.models import ClockRule, LocalTarget, OrgRuleSet, RuleSet
from xinfang.clock.rules import _pick
from xinfang.clock.workcalendar import get_work_calendar
from xinfang.devdata.county import TOWNSHIPS
from xinfang.orgs.models import Org, OrgKind, OrgLevel, Role, RoleGrant

YEARS = 3

# Which departments are competent for which subject-category group (by name).
KEYWORDS = {
    "01": ("自然资源",),
    "02": ("住房", "城乡建设"),
    "03": ("人力资源",),
    "04": ("农业农村",),
    "05": ("法院", "检察院"),
    "06": ("教育",),
    "07": ("卫生",),
    "08": ("生态环境",),
    "09": ("民政",),
    "10": ("市场监督", "人力资源"),
    "11": ("退役军人", "人力资源"),
    "12": ("纪律检查", "监察"),
    "13": ("交通", "公安"),
    "99": (),
}
LOCAL_GROUPS = {"01", "02", "04", "09", "13", "99"}  # townships handle these too
# Petitioners' home addresses: each village named with its own township (the demo county's).
PLACES = [f"{town}{village}" for _key, town, _code, villages in TOWNSHIPS for village in villages]


# --- the world: orgs and staff as they are in the database ----------------------------


@dataclass
class Unit:
    org: Org
    officers: list[int]
    handlers: list[int]
    heads: list[int]
    review_org: Org | None = None


@dataclass
class County:
    bureau: Org
    gov: Org
    registrars: list[int]
    officers: list[int]
    units: list[Unit]
    by_group: dict[str, list[Unit]] = field(default_factory=dict)
    townships: list[Unit] = field(default_factory=list)
    discipline: Unit | None = None
    direct: list[tuple[Unit, list[int]]] = field(default_factory=list)  # units that register themselves
    accusable: list[Org] = field(default_factory=list)


@dataclass
class World:
    counties: list[County]
    weights: list[float]
    city_bureau: Org | None
    orgs: dict[int, Org]
    participants: dict[int, list[int]]  # government id → it and its petition bureaus
    reexam_users: dict[int, list[int]]  # government id → officers who act for it


def _staff() -> dict[int, dict[str, list[int]]]:
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for user_id, org_id, role in (
        RoleGrant.objects.filter(user__is_active=True, user__org__isnull=False)
        .values_list("user_id", "user__org_id", "role")
        .order_by("user_id")
    ):
        out[org_id][role].append(user_id)
    return out


def discover_world() -> World:
    from xinfang.cases.actions.handling import superior_government

    staff = _staff()
    orgs = {o.pk: o for o in Org.objects.filter(is_active=True)}
    children: dict[int, list[Org]] = defaultdict(list)
    for o in orgs.values():
        if o.parent_id:
            children[o.parent_id].append(o)

    def unit(o: Org) -> Unit:
        s = staff.get(o.pk, {})
        return Unit(
            o,
            s.get(Role.PETITION_OFFICER, []),
            s.get(Role.HANDLER, []) or s.get(Role.UNIT_HEAD, []),
            s.get(Role.UNIT_HEAD, []),
            superior_government(o),
        )

    counties = []
    bureaus = sorted(
        (
            o
            for o in orgs.values()
            if o.kind == OrgKind.PETITION_BUREAU
            and o.level == OrgLevel.COUNTY
            and staff.get(o.pk, {}).get(Role.REGISTRAR)
        ),
        key=lambda o: o.path,
    )
    for bureau in bureaus:
        gov = orgs.get(bureau.parent_id)
        if gov is None:
            continue
        s = staff[bureau.pk]
        units = [
            unit(o)
            for o in sorted(children[gov.pk], key=lambda o: o.path)
            if o.kind
            in (OrgKind.DEPARTMENT, OrgKind.GOVERNMENT, OrgKind.DISCIPLINE, OrgKind.COURT, OrgKind.PROCURATORATE)
        ]
        if not units:
            continue
        county = County(
            bureau, gov, s.get(Role.REGISTRAR, []), s.get(Role.PETITION_OFFICER, []) or s.get(Role.REGISTRAR, []), units
        )
        county.townships = [u for u in units if u.org.kind == OrgKind.GOVERNMENT]
        county.discipline = next((u for u in units if u.org.kind == OrgKind.DISCIPLINE), None)
        county.accusable = [u.org for u in units if u.org.kind in (OrgKind.GOVERNMENT, OrgKind.DEPARTMENT)]
        others = [u for u in units if u.org.kind == OrgKind.DEPARTMENT] or units
        for group, words in KEYWORDS.items():
            matched = [u for u in units if any(w in u.org.name for w in words)]
            if group in LOCAL_GROUPS:
                matched = matched + county.townships
            county.by_group[group] = matched or county.townships or others
        for u in units:
            regs = staff.get(u.org.pk, {}).get(Role.REGISTRAR, []) + u.officers
            if regs and u.officers and u.org.kind != OrgKind.DISCIPLINE:
                county.direct.append((u, sorted(set(regs))))
        counties.append(county)
    if not counties:
        raise RuntimeError("没有找到县级信访部门（含登记员）及其下属单位：请先运行 load_demo 载入演示县")
    weights = [0.85] + [0.15 / (len(counties) - 1)] * (len(counties) - 1) if len(counties) > 1 else [1.0]
    city_bureau = None
    participants: dict[int, list[int]] = {}
    reexam_users: dict[int, list[int]] = {}
    for gov in {u.review_org.pk: u.review_org for c in counties for u in c.units if u.review_org}.values():
        for g in (gov, superior_government(gov)):
            if g is None:
                continue
            bureaus_of = [o for o in children[g.pk] if o.kind == OrgKind.PETITION_BUREAU]
            participants[g.pk] = [g.pk] + [b.pk for b in bureaus_of]
            users = [uid for b in bureaus_of for uid in staff.get(b.pk, {}).get(Role.PETITION_OFFICER, [])]
            reexam_users[g.pk] = users or staff.get(g.pk, {}).get(Role.LEADER, [])
            if g.level == OrgLevel.CITY and bureaus_of:
                city_bureau = bureaus_of[0]
    return World(counties, weights, city_bureau, orgs, participants, reexam_users)


# --- rules and deadlines in memory ---------------------------------------------------------


class Clocks:
    """The rule set in force per (org, day), its rules, and due dates from the engine (memoised)."""

    def __init__(self, orgs: dict[int, Org]):
        self.cal = get_work_calendar()
        self.orgs = orgs
        self.assignments = list(OrgRuleSet.objects.select_related("rule_set", "org"))
        self.defaults = sorted(RuleSet.objects.filter(is_national_default=True), key=lambda r: r.effective_from)
        self.rules = {(r.rule_set_id, r.clock): (r.days, r.working, r.roll_forward) for r in ClockRule.objects.all()}
        self.targets = {(t.rule_set_id, t.key): (t.days, t.working) for t in LocalTarget.objects.all()}
        self._rs: dict[tuple[int, date], int] = {}
        self._due: dict[tuple, tuple[date, bool]] = {}

    def rule_set(self, org_id: int, on: date) -> int:
        key = (org_id, on)
        rs = self._rs.get(key)
        if rs is None:
            chosen = _pick(self.assignments, self.orgs[org_id].path, on) if self.assignments else None
            if chosen is not None:
                rs = chosen.rule_set_id
            else:
                live = [r for r in self.defaults if r.in_effect(on)] or self.defaults
                rs = live[-1].pk
            self._rs[key] = rs
        return rs

    def due(self, start: date, days: int, working: bool, roll: bool, ext: int = 0) -> tuple[date, bool]:
        key = (start, days, working, roll, ext)
        hit = self._due.get(key)
        if hit is None:
            r = compute_due(
                start, days, self.cal, working=working, roll_forward=roll and not working, extension_days=ext
            )
            hit = self._due[key] = (r.due, r.provisional)
        return hit

    def deadline(self, clock: str, start: date, org_id: int, target_key: str | None = None, ext: int = 0):
        """(due, target_date, provisional, row values) for one open deadline."""
        rs = self.rule_set(org_id, start)
        days, working, roll = self.rules[(rs, clock)]
        due, provisional = self.due(start, days, working, roll, ext)
        target = self.targets.get((rs, target_key)) if target_key else None
        target_date = None
        if target is not None:
            target_date, tprov = self.due(start, target[0], target[1], False)
            provisional = provisional or tprov
        return (
            due,
            target_date,
            provisional,
            (
                org_id,
                clock,
                rs,
                start,
                days,
                working,
                roll,
                ext,
                target_key or "",
                target[0] if target else None,
                bool(target and target[1]),
                due,
                target_date,
                provisional,
            ),
        )

    def simple_due(self, clock: str, start: date, org_id: int) -> date:
        rs = self.rule_set(org_id, start)
        days, working, roll = self.rules[(rs, clock)]
        return self.due(start, days, working, roll)[0]


# --- writing -----------------------------------------------------------------------------------


class Writer:
    """executemany on SQLite, COPY on PostgreSQL; rows are tuples in the given column order."""

    def __init__(self):
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection

    def columns(self, model, names):
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        return [fields[n] for n in names]

    def insert(self, model, names, rows):
        if not rows:
            return
        table = model._meta.db_table
        cols = self.columns(model, names)
        cur = self.raw.cursor()
        if self.vendor == "postgresql":
            with cur.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(cols))
            cur.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({marks})', rows)  # noqa: S608 — model tables
        cur.close()


def _bulk_pragmas():
    # Only outside a transaction (SQLite refuses to change them inside one, e.g. in tests).
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1000000")
            cur.execute("PRAGMA temp_store=MEMORY")


def _restore_pragmas():
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- petitioners ----------------------------------------------------------------------------------


def petitioner_pool(world: World, size: int, rng: random.Random, write) -> dict[int, list[int]]:
    """Petitioner ids per registering org: the existing ones, topped up to ``size`` in bulk."""
    from faker import Faker

    from xinfang.devdata.county import demo_id_number
    from xinfang.petitioners.models import Petitioner, PetitionerPhone

    county_orgs = {c.bureau.pk: c for c in world.counties}
    for c in world.counties:
        for u, _regs in c.direct:
            county_orgs[u.org.pk] = c
    pool: dict[int, list[int]] = defaultdict(list)
    for pk, org_id in Petitioner.objects.filter(org_id__in=list(county_orgs)).values_list("pk", "org_id"):
        pool[org_id].append(pk)
    have = sum(len(v) for v in pool.values())
    missing = size - have
    if missing <= 0:
        return pool
    started = time.monotonic()
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randint(0, 10**9))
    names = [fake.name() for _ in range(min(missing, 5000))]
    targets = []  # (org id, registrar id)
    for c in world.counties:
        targets.append((c.bureau.pk, c.registrars, 8))
        for u, regs in c.direct:
            targets.append((u.org.pk, regs, 1))
    seen: set[str] = set()
    created = 0
    now = timezone.now()
    while created < missing:
        chunk = min(5000, missing - created)
        people = []
        for i in range(chunk):
            org_id, regs, _w = rng.choices(targets, [t[2] for t in targets])[0]
            p = Petitioner(
                kind="person",
                name=names[(created + i) % len(names)],
                org_id=org_id,
                created_by_id=rng.choice(regs),
                address=rng.choice(PLACES),
            )
            p.set_id_number(demo_id_number(rng, male=rng.random() < 0.55, seen=seen))
            people.append(p)
        Petitioner.objects.bulk_create(people, batch_size=1000)
        phones = []
        for p in people:
            phone = PetitionerPhone(petitioner=p, position=0)
            phone.set_number(f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}")
            phones.append(phone)
            pool[p.org_id].append(p.pk)
        PetitionerPhone.objects.bulk_create(phones, batch_size=1000)
        created += chunk
    Petitioner.objects.filter(created_at__gte=now).update(created_at=now - timedelta(days=YEARS * 365))
    write(f"  新建信访人 {created} 名（加密后批量写入，用时 {time.monotonic() - started:.1f} 秒）")
    return pool
