"""The world a scale run writes into (see scale.py): the demo county as it is
in the database (with demo staff for the units that have none), the rules in
force held in memory, a bulk writer for SQLite and PostgreSQL that runs in a
second process, and the pool of petitioners the cases draw on."""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from queue import Empty, Full
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xinfang.clock.engine import Pause, compute_due
from xinfang.clock.models import ClockRule, LocalTarget, OrgRuleSet, RuleSet
from xinfang.clock.rules import _pick
from xinfang.clock.workcalendar import get_work_calendar
from xinfang.devdata.county import TOWNSHIPS
from xinfang.orgs.models import Org, OrgKind, OrgLevel, Role, RoleGrant

YEARS = 3
GENERATED = "scale"  # username prefix of the accounts a scale run makes

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
    """An org that handles cases, with the staff each kind of step needs (user ids)."""

    org: Org
    officers: list[int]  # 受理交办员: sign for, decide acceptance
    handlers: list[int]  # 承办人: named handler, then does the work
    heads: list[int]  # 单位负责人: approves extensions, signs replies
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
class Government:
    """Who acts for a government in review (复查) or re-examination (复核): it and its petition bureaus."""

    participants: list[int]  # the government and its petition bureaus (they all take part)
    requesters: list[int]  # 登记员 / 受理交办员: register the petitioner's request
    deciders: list[int]  # 受理交办员 / 负责人 / 领导: make the opinion
    examiners: list[int]  # 受理交办员 / 负责人: record the steps of the review


@dataclass
class World:
    counties: list[County]
    city_bureau: Org | None
    orgs: dict[int, Org]
    governments: dict[int, Government]  # government id → who acts for it
    users: dict[int, tuple[int, str]]  # user id → (org id, display name)


def _staff() -> dict[int, dict[str, list[int]]]:
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for user_id, org_id, role in (
        RoleGrant.objects.filter(user__is_active=True, user__org__isnull=False)
        .values_list("user_id", "user__org_id", "role")
        .order_by("user_id")
    ):
        out[org_id][role].append(user_id)
    return out


UNIT_KINDS = (OrgKind.DEPARTMENT, OrgKind.GOVERNMENT, OrgKind.DISCIPLINE, OrgKind.COURT, OrgKind.PROCURATORATE)
# The staff every handling unit needs for the whole flow, and the titles of the accounts made where one is missing.
UNIT_ROLES = {Role.PETITION_OFFICER: "信访联络员", Role.HANDLER: "承办人", Role.UNIT_HEAD: "分管负责人"}


def complete_staff(orgs: dict[int, Org], children: dict[int, list[Org]], staff, write=print) -> int:
    """Give every handling unit of a county one 受理交办员, 承办人 and 单位负责人 where it has none.

    Each step of a case is taken by a staff member of the org that takes it,
    with the role the action asks for; the demo county staffs only a few of
    its units, so the others get demo accounts (password ``xinfang2024``,
    usernames ``scale<org id>_<role>``). Idempotent: existing users are kept.
    """
    from django.contrib.auth.hashers import make_password
    from faker import Faker

    from xinfang.devdata.county import DEMO_PASSWORD
    from xinfang.orgs.models import User

    bureaus = [
        o
        for o in orgs.values()
        if o.kind == OrgKind.PETITION_BUREAU and o.level == OrgLevel.COUNTY and staff.get(o.pk, {}).get(Role.REGISTRAR)
    ]
    fake = Faker("zh_CN")
    fake.seed_instance(20240620)
    password = None
    made = 0
    for bureau in sorted(bureaus, key=lambda o: o.path):
        siblings = children.get(bureau.parent_id, []) if bureau.parent_id is not None else []
        for org in sorted(siblings, key=lambda o: o.path):
            if org.kind not in UNIT_KINDS:
                continue
            for role, title in UNIT_ROLES.items():
                if staff.get(org.pk, {}).get(role):
                    continue
                username = f"{GENERATED}{org.pk}_{role.split('_')[-1]}"
                user = User.objects.filter(username=username).first()
                if user is None:
                    password = password or make_password(DEMO_PASSWORD)
                    user = User.objects.create(
                        username=username, full_name=fake.name(), title=title, org=org, password=password
                    )
                    made += 1
                if not RoleGrant.objects.filter(user=user, role=role).exists():
                    RoleGrant.objects.create(user=user, role=role)
                staff[org.pk][role].append(user.pk)
    if made:
        write(f"  为无人员的办理单位新建演示账号 {made} 个（密码同演示账号）")
    return made


# --- the city: how many counties, and when each county's cases arrive ----------------------

PER_COUNTY = 100_000  # cases one county receives in YEARS years: ~33,000 a year ("tens of thousands")
MIN_DAYS = 90  # a small run still spans the stages of three months
# Division codes 3307xx under the demo city: 81 is 清河 (the demo county), 82 the test cast's 远山.
COUNTY_CODES = [f"{n:02d}" for n in (*range(83, 100), *range(1, 81))]
MAX_COUNTIES = 1 + len(COUNTY_CODES)
# Invented county names for the generated counties, in the order they are added.
COUNTY_STEMS = [
    a + b for b in "山溪川源阳平湖宁丰安" for a in "东西南北青白石金玉龙凤云桃柳梅兰松竹" if a + b != "远山"
]
BUREAU_STAFF = (
    ("registrar", Role.REGISTRAR, "来访接待科科员"),
    ("registrar2", Role.REGISTRAR, "登记科科员"),
    ("officer", Role.PETITION_OFFICER, "办信科科长"),
    ("head", Role.UNIT_HEAD, "局长"),
)


@dataclass(frozen=True)
class Share:
    """One county's part of a scale run: ``count`` new cases received between ``first`` and ``last``
    days before today (``last`` >= 1: yesterday at the latest)."""

    count: int
    first: int
    last: int


def plan_city(new: int, existing: list[int], *, per_county: int, days: int) -> list[Share]:
    """Spread ``new`` cases over the city's counties, each county receiving them at one county's rate.

    A city's history grows by time and by counties, never by one county's inflow growing a hundredfold:
    each county receives ``per_county`` cases in ``days`` (the rate), so a county's open work, and with
    it its staff's to-do lists, is a real county's whatever the total is. A county takes cases up to
    ``per_county`` before the next county is added; its cases are its last ``count / rate`` days (at
    least MIN_DAYS). A county that already holds a scale run's cases is filled further back in time,
    before them; the demo's few hundred cases through the real actions do not count as such a run.
    ``existing``: the cases each existing county holds, in order. One share per county, existing
    ones first; beyond MAX_COUNTIES the counties share the total equally (each a busier county).
    """
    total = sum(existing) + new
    wanted = max(len(existing), -(-total // per_county))
    cap = per_county if wanted <= MAX_COUNTIES else -(-total // MAX_COUNTIES)
    rate = cap / days
    shares, left = [], new
    for i in range(max(len(existing), min(wanted, MAX_COUNTIES))):
        have = existing[i] if i < len(existing) else 0
        count = min(left, max(0, cap - have)) if i < MAX_COUNTIES - 1 else left
        left -= count
        span = min(days, max(MIN_DAYS, -(-(have + count) // rate)))
        covered = int(have / rate) if have >= rate * MIN_DAYS else 0
        shares.append(Share(count, int(span), covered + 1 if covered < span else 1))
        if left <= 0 and i + 1 >= len(existing):
            break
    # Nothing is left over: ``wanted`` counties hold the total at ``cap`` each (an existing county over
    # its cap only adds to the total), and the last county allowed takes whatever remains.
    return shares


def grow_city(city: Org, count: int, write=print) -> int:
    """Add ``count`` counties under ``city``, each built like the demo county (county.county_org_rows)
    with a petition bureau of two registrars, an officer and a head (their units are staffed by
    complete_staff); returns the orgs created."""
    from django.contrib.auth.hashers import make_password
    from faker import Faker

    from xinfang.devdata.county import DEMO_PASSWORD, county_org_rows
    from xinfang.orgs.models import User

    present = list(Org.objects.filter(parent=city, kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY))
    names = {o.name for o in present}
    codes = {o.division_code for o in present}
    stems = [s for s in COUNTY_STEMS if f"{s}县人民政府" not in names]
    free = [city.division_code[:4] + c for c in COUNTY_CODES if city.division_code[:4] + c not in codes]
    if count > min(len(stems), len(free)):
        raise RuntimeError(f"示例市最多再增加 {min(len(stems), len(free))} 个县")
    fake = Faker("zh_CN")
    fake.seed_instance(20240621)
    password = make_password(DEMO_PASSWORD)
    made = 0
    for stem, code in zip(stems[:count], free[:count], strict=True):
        orgs = {"city": city}
        for key, name, kind, level, division, parent in county_org_rows(stem, code):
            orgs[key] = Org.objects.create(
                name=name, kind=kind, level=level, division_code=division, parent=orgs[parent or "city"]
            )
            made += 1
        bureau = orgs["bureau"]
        for suffix, role, title in BUREAU_STAFF:
            user = User.objects.create(
                username=f"{GENERATED}{bureau.pk}_{suffix}",
                full_name=fake.name(),
                title=title,
                org=bureau,
                password=password,
            )
            RoleGrant.objects.create(user=user, role=role)
    write(f"  示例市新增县 {count} 个（机构 {made} 个），各县信访局新建演示账号")
    return made


def _acting(staff, orgs, children, gov: Org, roles) -> list[int]:
    """Users with one of ``roles`` at ``gov`` or at a petition bureau acting for it (permissions.acts_for)."""
    bodies = [gov] + [o for o in children.get(gov.pk, []) if o.kind == OrgKind.PETITION_BUREAU]
    return sorted({uid for body in bodies for role in roles for uid in staff.get(body.pk, {}).get(role, [])})


def discover_world(write=print) -> World:
    from xinfang.cases.actions.handling import superior_government
    from xinfang.orgs.models import User

    orgs = {o.pk: o for o in Org.objects.filter(is_active=True)}
    children: dict[int, list[Org]] = defaultdict(list)
    for o in orgs.values():
        if o.parent_id:
            children[o.parent_id].append(o)
    staff = _staff()
    # Units that register petitions themselves are the ones with registering staff of their own; not
    # the accounts a scale run made (complete_staff, grow_city), or every unit would register after
    # the first run.
    made = set(User.objects.filter(username__startswith=GENERATED).values_list("pk", flat=True))
    receiving = {
        org_id: sorted({u for u in roles.get(Role.REGISTRAR, []) + roles.get(Role.PETITION_OFFICER, [])} - made)
        for org_id, roles in staff.items()
        if set(roles.get(Role.PETITION_OFFICER, [])) - made
    }
    complete_staff(orgs, children, staff, write)

    def unit(o: Org) -> Unit:
        s = staff.get(o.pk, {})
        return Unit(
            o,
            s.get(Role.PETITION_OFFICER, []),
            s.get(Role.HANDLER, []),
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
        gov = orgs.get(bureau.parent_id) if bureau.parent_id is not None else None
        if gov is None:
            continue
        s = staff[bureau.pk]
        if not s.get(Role.PETITION_OFFICER):
            continue  # nobody to route what the registrars register
        units = [unit(o) for o in sorted(children[gov.pk], key=lambda o: o.path) if o.kind in UNIT_KINDS]
        units = [u for u in units if u.officers and u.handlers and u.heads]
        if not units:
            continue
        county = County(bureau, gov, s.get(Role.REGISTRAR, []), s.get(Role.PETITION_OFFICER, []), units)
        county.townships = [u for u in units if u.org.kind == OrgKind.GOVERNMENT]
        county.discipline = next((u for u in units if u.org.kind == OrgKind.DISCIPLINE), None)
        county.accusable = [u.org for u in units if u.org.kind in (OrgKind.GOVERNMENT, OrgKind.DEPARTMENT)]
        others = [u for u in units if u.org.kind == OrgKind.DEPARTMENT] or units
        for group, words in KEYWORDS.items():
            matched = [u for u in units if any(w in u.org.name for w in words)]
            if group in LOCAL_GROUPS:
                matched = matched + county.townships
            county.by_group[group] = matched or county.townships or others
        county.direct = [
            (u, receiving[u.org.pk]) for u in units if u.org.pk in receiving and u is not county.discipline
        ]
        counties.append(county)
    if not counties:
        raise RuntimeError("没有找到县级信访部门（含登记员）及其下属单位：请先运行 load_demo 载入演示县")
    city_bureau = None
    governments: dict[int, Government] = {}
    for gov in {u.review_org.pk: u.review_org for c in counties for u in c.units if u.review_org}.values():
        for g in (gov, superior_government(gov)):
            if g is None or g.pk in governments:
                continue
            bureaus_of = [o for o in children[g.pk] if o.kind == OrgKind.PETITION_BUREAU]
            governments[g.pk] = Government(
                [g.pk] + [b.pk for b in bureaus_of],
                _acting(staff, orgs, children, g, (Role.REGISTRAR, Role.PETITION_OFFICER)),
                _acting(staff, orgs, children, g, (Role.PETITION_OFFICER, Role.UNIT_HEAD, Role.LEADER)),
                _acting(staff, orgs, children, g, (Role.PETITION_OFFICER, Role.UNIT_HEAD)),
            )
            if g.level == OrgLevel.CITY and bureaus_of:
                city_bureau = bureaus_of[0]
    users = {
        pk: (org_id, full_name or username)
        for pk, org_id, full_name, username in User.objects.filter(org__isnull=False).values_list(
            "pk", "org_id", "full_name", "username"
        )
    }
    return World(counties, city_bureau, orgs, governments, users)


# --- rules and deadlines in memory ---------------------------------------------------------


class Clocks:
    """The rule set in force per (org, day), its rules and local targets, and due dates from the engine.

    Everything is memoised: a million cases ask about a few thousand distinct
    (start day, rule) pairs.
    """

    def __init__(self, orgs: dict[int, Org]):
        self.cal = get_work_calendar()
        self.orgs = orgs
        self.assignments = list(OrgRuleSet.objects.select_related("rule_set", "org"))
        self.defaults = sorted(RuleSet.objects.filter(is_national_default=True), key=lambda r: r.effective_from)
        self.rules = {(r.rule_set_id, r.clock): (r.days, r.working, r.roll_forward) for r in ClockRule.objects.all()}
        self.targets = {(t.rule_set_id, t.key): (t.days, t.working) for t in LocalTarget.objects.all()}
        self._rs: dict[tuple[int, date], int] = {}
        # The days on which the rule set in force may change somewhere (see epoch()).
        changes = {a.effective_from for a in self.assignments}
        for r in RuleSet.objects.all():
            changes.add(r.effective_from)
            if r.effective_to:
                changes.add(r.effective_to + timedelta(days=1))
        self.changes = sorted(changes)
        self._due: dict[tuple, tuple[date, bool, bool]] = {}
        self._keys: dict[tuple, str | None] = {}

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

    def epoch(self, on: date) -> int:
        """A number that is the same for two days only if every org has the same rule set on both."""
        return bisect_right(self.changes, on)

    def rule(self, clock: str, org_id: int, on: date) -> tuple[int, int, bool, bool]:
        """(rule set, days, working, roll forward) of ``clock`` at the org for a period starting ``on``."""
        rs = self.rule_set(org_id, on)
        return (rs, *self.rules[(rs, clock)])

    def target_key(self, org_id: int, on: date, urgency_label: str, instruction: bool) -> str | None:
        """The strictest local commitment, as ``cases.actions.intake._target_key`` chooses it."""
        rs = self.rule_set(org_id, on)
        key = (rs, urgency_label, instruction)
        if key not in self._keys:
            keys = [f"urgency:{urgency_label}"] + (["leader_instruction"] if instruction else [])
            found = sorted((k, self.targets[(rs, k)]) for k in keys if (rs, k) in self.targets)  # by key, as stored
            self._keys[key] = min(found, key=lambda kt: kt[1][0] * (7 / 5 if kt[1][1] else 1))[0] if found else None
        return self._keys[key]

    def due(
        self, start: date, days: int, working: bool, roll: bool, ext: int = 0, pauses=(), as_of: date | None = None
    ) -> tuple[date, bool, bool]:
        """(due, provisional, paused) as ``clock.services`` stores it; ``pauses``: ((start, end or None), ...)."""
        key = (start, days, working, roll, ext, pauses, as_of if pauses else None)
        hit = self._due.get(key)
        if hit is None:
            r = compute_due(
                start,
                days,
                self.cal,
                working=working,
                roll_forward=roll and not working,
                extension_days=ext,
                pauses=[Pause(a, b) for a, b in pauses],
                as_of=as_of,
            )
            hit = self._due[key] = (r.due, r.provisional, r.paused)
        return hit

    def simple_due(self, clock: str, start: date, org_id: int) -> date:
        _rs, days, working, roll = self.rule(clock, org_id, start)
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


class Pipeline:
    """Writes batches of rows in a second process while the next batch is generated.

    Generating a case's rows and inserting them cost about the same, so on
    two cores a writer process takes most of the writing off the wall time (a
    thread would not: binding each row's values needs the GIL). ``tables``: name → (model,
    column names); a batch: name → rows (plain values, pickled across);
    ``prepare(batch)``, if given, completes a batch before it is inserted
    (the scale generator seals the events): in the writer process, or in the
    generating one when the writer is behind, so the two stay busy.
    Inside a transaction (tests) another connection would not see it, so
    rows go through the caller's connection at once instead.
    """

    def __init__(self, tables: dict, prepare=None):
        self.tables = tables
        self.prepare = prepare
        self.parallel = not connection.in_atomic_block
        if self.parallel:
            import multiprocessing

            # Forked: the child has the models loaded, and opens its own connection (see _write_batches).
            ctx = multiprocessing.get_context("fork")
            self.queue = ctx.Queue(maxsize=2)
            self.errors = ctx.Queue()
            self.process = ctx.Process(
                target=_write_batches, args=(self.queue, self.errors, tables, prepare), daemon=True
            )
            self.process.start()
        else:
            self.writer = Writer()

    def put(self, batch: dict[str, Any] | None) -> None:
        if not self.parallel:
            if batch is not None:
                _write_batch(self.writer, self.tables, batch, self.prepare)
            return
        if batch is not None and self.prepare is not None and self.queue.full():
            # The writer is behind: use the time we would wait to do its share of the work.
            self.prepare(batch)
            batch["prepared"] = True
        while True:
            self._check()
            try:
                self.queue.put(batch, timeout=1)
                return
            except Full:
                continue

    def _check(self) -> None:
        try:
            message = self.errors.get_nowait()
        except Empty:
            if self.process.is_alive() or self.process.exitcode == 0:
                return
            message = f"exit code {self.process.exitcode}"
        raise RuntimeError(f"批量写入进程出错：{message}")

    def close(self) -> None:
        if self.parallel:
            self.put(None)
            self.process.join()
            self._check()
            if self.process.exitcode:
                raise RuntimeError(f"批量写入进程出错：exit code {self.process.exitcode}")


def _write_batch(writer: Writer, tables: dict, batch: dict[str, Any], prepare=None) -> None:
    if prepare is not None and not batch.pop("prepared", False):
        prepare(batch)
    with transaction.atomic():
        for name, (model, keys) in tables.items():
            writer.insert(model, keys, batch[name])


_INHERITED: list = []


def _write_batches(queue, errors, tables: dict, prepare) -> None:
    """The writer process: insert each batch from ``queue`` in one transaction until None."""
    import traceback

    from django.db import connections

    # The parent's connections came along with the fork: never use or close them here
    # (closing a PostgreSQL one would end the parent's session); connect afresh.
    for alias in connections:
        conn = connections[alias]
        _INHERITED.append(conn.connection)
        conn.connection = None
    try:
        _bulk_pragmas()
        writer = Writer()
        while (batch := queue.get()) is not None:
            _write_batch(writer, tables, batch, prepare)
        connection.close()
    except BaseException:  # noqa: BLE001 — reported to the generating process
        errors.put(traceback.format_exc())
        while queue.get() is not None:  # let the generating process go on to see it
            pass


def _bulk_pragmas():
    # Only outside a transaction (SQLite refuses to change them inside one, e.g. in tests).
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1000000")
            cur.execute("PRAGMA temp_store=MEMORY")
            # Every row points at rows the generator has just written or read: skip the look-ups.
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA wal_autocheckpoint=100000")


def _restore_pragmas():
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA wal_autocheckpoint=1000")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- petitioners ----------------------------------------------------------------------------------


def petitioner_pool(world: World, size: int, rng: random.Random, write) -> dict[int, list[tuple[int, str]]]:
    """(id, name) of the petitioners per registering org: the existing ones, topped up to ``size`` in bulk."""
    from faker import Faker

    from xinfang.devdata.county import demo_id_number
    from xinfang.petitioners.models import Petitioner, PetitionerPhone

    county_orgs = {c.bureau.pk: c for c in world.counties}
    for c in world.counties:
        for u, _regs in c.direct:
            county_orgs[u.org.pk] = c
    pool: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, org_id, name in (
        Petitioner.objects.filter(org_id__in=list(county_orgs)).order_by("pk").values_list("pk", "org_id", "name")
    ):
        pool[org_id].append((pk, name))
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
            pool[p.org_id].append((p.pk, p.name))
        PetitionerPhone.objects.bulk_create(phones, batch_size=1000)
        created += chunk
    Petitioner.objects.filter(created_at__gte=now).update(created_at=now - timedelta(days=YEARS * 365))
    write(f"  新建信访人 {created} 名（加密后批量写入，用时 {time.monotonic() - started:.1f} 秒）")
    return pool
