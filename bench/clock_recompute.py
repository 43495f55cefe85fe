#!/usr/bin/env python
"""Benchmark: recompute 100,000 open deadlines after a calendar change.

    .venv/bin/python bench/clock_recompute.py                 # SQLite, var/bench_clock.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_clock .venv/bin/python bench/clock_recompute.py

Options: --count N (default 100000), --seed S. The PostgreSQL database is
created if missing. The script migrates, replaces all deadlines with N
synthetic open ones spread over 2024-2026 (a mix of every clock, local
targets, extensions and pauses), then times:

* a full recompute when nothing changed (read and compute only),
* adding one weekday holiday through the ORM, as the admin does: the
  receiver recomputes only the deadlines whose window contains that day,
* a full recompute after the holiday is removed behind the app's back
  (every row read, the affected rows written),
* recompute for a whole year after its "loaded" mark is removed (the
  provisional flag flips on every deadline touching that year), and back.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("DEBUG", "1")  # dev secrets; the benchmark never serves requests
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_clock.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database on the server if it does not exist yet."""
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


class Timer:
    def __init__(self):
        self.rows: list[tuple[str, str, str, float]] = []

    def run(self, label: str, fn, considered: int | str = ""):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        self.rows.append((label, str(considered), "" if result is None else str(result), elapsed))
        print(f"  {label}: {elapsed:.2f}s", flush=True)
        return result

    def table(self) -> str:
        head = ("step", "rows considered", "rows changed", "seconds")
        widths = [max(len(head[i]), *(len(r[i]) for r in self.rows)) for i in range(3)]
        lines = [
            f"| {head[0]:<{widths[0]}} | {head[1]:>{widths[1]}} | {head[2]:>{widths[2]}} | {head[3]:>7} |",
            f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 1)}:|{'-' * (widths[2] + 1)}:|{'-' * 8}:|",
        ]
        for label, considered, changed, seconds in self.rows:
            lines.append(
                f"| {label:<{widths[0]}} | {considered:>{widths[1]}} | {changed:>{widths[2]}} | {seconds:>7.2f} |"
            )
        return "\n".join(lines)


def build_orgs():
    from xinfang.clock.models import OrgRuleSet, RuleSet
    from xinfang.orgs.models import Org, OrgKind, OrgLevel

    province = Org.objects.filter(division_code="990000").first()
    if province is None:
        province = Org.objects.create(
            name="基准省人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.PROVINCE, division_code="990000"
        )
        for c in range(1, 4):
            city = Org.objects.create(
                name=f"基准{c}市人民政府",
                kind=OrgKind.GOVERNMENT,
                level=OrgLevel.CITY,
                division_code=f"99{c:02d}00",
                parent=province,
            )
            for k in range(1, 6):
                Org.objects.create(
                    name=f"基准{c}市{k}县人民政府",
                    kind=OrgKind.GOVERNMENT,
                    level=OrgLevel.COUNTY,
                    division_code=f"99{c:02d}{k:02d}",
                    parent=city,
                )
        # One city follows the Zhejiang variant, so two rule sets are in play.
        first_city = Org.objects.get(division_code="990100")
        OrgRuleSet.objects.create(
            org=first_city, rule_set=RuleSet.objects.get(code="zhejiang"), effective_from=date(2022, 5, 1)
        )
    return list(Org.objects.filter(path__startswith=province.path, level=OrgLevel.COUNTY))


def make_deadlines(count: int, seed: int) -> int:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from xinfang.clock import services
    from xinfang.clock.models import Clock, ClockRule, Deadline, LocalTarget
    from xinfang.clock.rules import RuleResolver
    from xinfang.clock.workcalendar import get_work_calendar
    from xinfang.orgs.models import Org

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Deadline._meta.db_table}")  # noqa: S608 - our own table name
    counties = build_orgs()
    resolver = RuleResolver(date(2024, 1, 1))
    rules = {(r.rule_set_id, r.clock): r for r in ClockRule.objects.all()}
    targets = {(t.rule_set_id, t.key): t for t in LocalTarget.objects.all()}
    clocks = [c for c in Clock if c != Clock.EXTENSION]
    owner_type = ContentType.objects.get_for_model(Org)
    cal = get_work_calendar()
    today = timezone.localdate()
    first = date(2024, 1, 1).toordinal()
    span = date(2026, 10, 31).toordinal() - first
    batch: list[Deadline] = []
    made = 0
    for i in range(count):
        org = rng.choice(counties)
        rule_set = resolver.resolve(org).rule_set
        clock = rng.choice(clocks)
        rule = rules[(rule_set.pk, clock)]
        start = date.fromordinal(first + rng.randrange(span))
        target = targets.get((rule_set.pk, rng.choice(["urgency:一般", "urgency:急", "leader_instruction"])))
        with_target = rng.random() < 0.3 and target is not None
        pauses = []
        r = rng.random()
        if r < 0.05:
            p = start + timedelta(days=rng.randrange(1, 10))
            pauses = [[p.isoformat(), (p + timedelta(days=rng.randrange(0, 7))).isoformat()]]
        elif r < 0.06:
            pauses = [[(start + timedelta(days=rng.randrange(1, 10))).isoformat(), None]]
        extension = rng.choice([0, 0, 0, 10, 30]) if clock == Clock.HANDLING else 0
        d = Deadline(
            owner_type=owner_type,
            owner_id=i + 1,
            org=org,
            clock=clock,
            rule_set=rule_set,
            start=start,
            days=rule.days,
            working=rule.working,
            roll_forward=rule.roll_forward,
            extension_days=extension,
            pauses=pauses,
            target_key=target.key if with_target else "",
            target_days=target.days if with_target else None,
            target_working=target.working if with_target else False,
        )
        services._refresh(d, cal, today)
        batch.append(d)
        if len(batch) == 5000:
            Deadline.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        Deadline.objects.bulk_create(batch)
        made += len(batch)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240910)
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinfang.clock import services
    from xinfang.clock.models import CalendarDay, CalendarYear, Deadline
    from xinfang.clock.workcalendar import bump_calendar_revision, get_work_calendar

    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    timer = Timer()

    made = timer.run(
        f"create {args.count:,} open deadlines (bulk_create)", lambda: make_deadlines(args.count, args.seed)
    )
    total = Deadline.objects.open().count()
    assert made == total, (made, total)
    bump_calendar_revision()
    timer.run("build WorkCalendar from table (cold)", lambda: get_work_calendar() and None, CalendarDay.objects.count())

    timer.run("recompute all, nothing changed", services.recompute_deadlines, total)

    holiday = date(2025, 11, 5)  # a Wednesday, inside many windows
    CalendarDay.objects.filter(date=holiday).delete()

    def affected_count():
        return Deadline.objects.open().filter(start__lte=holiday, due_date__gte=holiday).count()

    considered = affected_count()

    def add_holiday():
        day = CalendarDay.objects.create(date=holiday, kind="holiday", name="基准测试")
        return day.recomputed

    timer.run("admin adds a holiday: affected set", add_holiday, f"~{considered}")

    # Remove it without signals, so the next step measures a full pass that writes.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CalendarDay._meta.db_table} WHERE date = %s", [holiday])  # noqa: S608
    bump_calendar_revision()
    timer.run("recompute all after the holiday is removed", services.recompute_deadlines, total)

    year = 2026
    touching = Deadline.objects.open().filter(start__lte=date(year, 12, 31), due_date__gte=date(year, 1, 1)).count()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CalendarYear._meta.db_table} WHERE year = %s", [year])  # noqa: S608
    bump_calendar_revision()
    timer.run(f"{year} unloaded: recompute that year", lambda: services.recompute_deadlines(dates=[year]), touching)
    timer.run(
        f"{year} reloaded via ORM (receiver recomputes)",
        lambda: CalendarYear.objects.create(year=year, source="seed", note="benchmark restore").recomputed,
        touching,
    )
    timer.run("recompute all, idempotent check", services.recompute_deadlines, total)

    print()
    print(f"clock recompute benchmark — {vendor}, {total:,} open deadlines, batch {services.BATCH_SIZE}")
    print(timer.table())


if __name__ == "__main__":
    main()
