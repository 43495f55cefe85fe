#!/usr/bin/env python
"""Benchmark: seal and verify the hash chains of 1,000,000 case events.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/verify1m.sqlite3 .venv/bin/python bench/verify_history.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_verify .venv/bin/python bench/verify_history.py

Options: --events N (default 1000000), --seed S, --no-load (measure the
database as it is). The PostgreSQL database is created if missing. The
script migrates, then (unless the database already holds N events) builds
the test cast and about N / 7.5 cases with 5 to 10 events each: the actions
of a case's life in order, a note on most, a generated notice text of 0.6
to 1.5 thousand characters on about a third, a small ``data`` object. The
events are inserted unsealed, as a database that predates the chains has
them; then it times:

* sealing them with the migration's own function (cases 0012), i.e. what an
  upgrade of such a database costs,
* ``manage.py verify_history`` over everything (every case's chain, its
  version, the audit log, the triggers), and over one table,
* ``verify_history --case`` and a one-month ``--from/--to``,
* the case page's check (``events.chain_break``) over the events of 1,000
  cases, as the page has them loaded,
* a full verify after one event in the middle was rewritten behind the
  trigger (it must fail and name it), then the row is put back.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("DEBUG", "1")  # dev secrets; the benchmark never serves requests
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/verify1m.sqlite3")
os.environ.setdefault("LOG_LEVEL", "WARNING")

LIFE = [
    ("register", "", "registered"),
    ("assign", "registered", "assigned"),
    ("sign_for", "assigned", "to_decide"),
    ("accept", "to_decide", "handling"),
    ("record_step", "handling", "handling"),
    ("record_step", "handling", "handling"),
    ("draft_reply", "handling", "handling"),
    ("reply", "handling", "replied"),
    ("record_delivery", "replied", "replied"),
    ("evaluate", "replied", "replied"),
]
NOTICES = {"assign": "routing", "accept": "acceptance", "reply": "reply"}
NOTES = ["请依法办理", "已电话联系信访人，约定面谈", "现场走访，核实土地权属", "", "调取档案材料", "答复意见已送达"]


def ensure_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def documents(rng: random.Random) -> list[str]:
    """A pool of notice texts of realistic length (the real ones come from cases.documents)."""
    words = [
        *("信访事项", "依照", "信访工作条例", "第二十二条", "现将", "转送", "你单位", "请", "依法", "办理"),
        *("并", "答复", "信访人", "受理", "告知", "期限", "日内", "书面", "复查"),
    ]
    pool = []
    for i in range(40):
        body = "".join(rng.choice(words) for _ in range(rng.randint(160, 400)))
        pool.append(f"信访事项告知书（样本{i}）\n{body}\n清河县信访局\n2025年3月1日")
    return pool


def load(n_events: int, rng: random.Random) -> int:
    from django.db import connection, transaction

    from xinfang.cases.models import Case
    from xinfang.devdata.cast import build_cast

    cast = build_cast()
    staff = [cast.registrar.pk, cast.officer.pk, cast.dept_officer.pk, cast.handler.pk, cast.unit_head.pk]
    orgs = [cast.bureau.pk, cast.dept.pk]
    texts = documents(rng)
    start = datetime(2023, 1, 1, 1, 0, tzinfo=UTC)
    made_events = 0
    case_no = 0
    batch = 5000
    columns = (
        "case_id, action, actor_kind, actor_id, actor_org_id, actor_name, at, from_status, to_status,"
        " note, notice, document, data"
    )
    while made_events < n_events:
        cases = []
        lives = []
        for _ in range(batch):
            if made_events >= n_events:
                break
            case_no += 1
            k = min(rng.randint(5, 10), n_events - made_events)
            made_events += k
            received = start + timedelta(minutes=case_no * 7)
            cases.append(
                Case(
                    number=f"清河县信访局〔B〕{case_no:07d}号",
                    channel="visit",
                    received_at=received,
                    kind="claim",
                    summary="征地补偿标准问题",
                    content="反映征地补偿款未按标准发放。",
                    status=LIFE[k - 1][2],
                    registered_org_id=orgs[0],
                    registered_by_id=staff[0],
                    current_org_id=orgs[1],
                    version=k,
                )
            )
            lives.append((received, k))
        with transaction.atomic():
            made = Case.objects.bulk_create(cases)
            if made[0].pk is None:  # SQLite before RETURNING: look the ids up
                ids = dict(Case.objects.filter(number__in=[c.number for c in cases]).values_list("number", "pk"))
                for c in made:
                    c.pk = ids[c.number]
            rows = []
            for case, (received, k) in zip(made, lives, strict=True):
                at = received
                for action, from_status, to_status in LIFE[:k]:
                    at += timedelta(hours=rng.randint(2, 200))
                    notice = NOTICES.get(action, "")
                    rows.append(
                        (
                            case.pk,
                            action,
                            "staff",
                            rng.choice(staff),
                            rng.choice(orgs),
                            "",
                            at if connection.vendor == "postgresql" else at.replace(tzinfo=None).isoformat(" "),
                            from_status,
                            to_status,
                            rng.choice(NOTES),
                            notice,
                            rng.choice(texts) if notice else "",
                            '{"to": "清河县自然资源局", "co": []}' if action == "assign" else "{}",
                        )
                    )
            marks = ", ".join(["%s"] * 13)
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO cases_caseevent ({columns}) VALUES ({marks})", rows)  # noqa: S608
        print(f"  {made_events:,} events", flush=True)
    return made_events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from xinfang.cases.events import chain_break
    from xinfang.cases.models import Case, CaseEvent

    call_command("migrate", verbosity=0)
    results: list[tuple[str, str, float]] = []

    def timed(label, fn, rows=""):
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
        results.append((label, str(rows), seconds))
        print(f"  {label}: {seconds:.1f} s", flush=True)
        return value

    have = CaseEvent.objects.count()
    if not args.no_load and have < args.events:
        if have:
            sys.exit(f"the database holds {have:,} events, fewer than {args.events:,}: use a fresh one")
        timed("insert unsealed events (setup, not measured)", lambda: load(args.events, random.Random(args.seed)))
        seal = importlib.import_module("xinfang.cases.migrations.0012_caseevent_hash_chain")

        def upgrade():
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
                else:
                    cur.execute("DROP TRIGGER cases_caseevent_no_update")
            count = seal.seal_case_events(CaseEvent, connection)
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")
                else:
                    cur.execute(seal.SQLITE_TRIGGER)
            return count

        timed("seal existing events as the upgrade does (migration cases 0012)", upgrade, f"{args.events:,} events")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    events = CaseEvent.objects.count()
    cases = Case.objects.count()

    def verify(*options):
        out = io.StringIO()
        try:
            call_command("verify_history", *options, stdout=out)
        except CommandError:
            return False, out.getvalue()
        return True, out.getvalue()

    ok, out = timed("`verify_history` (all chains, audit log, triggers)", verify, f"{events:,} events")
    assert ok, out
    print(out)
    timed("`verify_history --only events`", lambda: verify("--only", "events"), f"{cases:,} cases")
    one = Case.objects.order_by("pk")[cases // 2]
    timed("`verify_history --case <number>`", lambda: verify("--case", one.number), f"{one.version} events")
    month = ("--from", "2024-03-01", "--to", "2024-03-31")
    timed("`verify_history --from 2024-03-01 --to 2024-03-31`", lambda: verify(*month), "cases with events then")

    sample = list(Case.objects.order_by("pk").values_list("pk", "version")[:: max(1, cases // 1000)][:1000])

    def pages():
        for pk, version in sample:
            assert chain_break(list(CaseEvent.objects.filter(case_id=pk)), version=version) is None

    timed("case page check: load + `chain_break`, 1,000 cases", pages, "per case: /1000")

    victim = CaseEvent.objects.filter(case_id=one.pk, seq=2).values_list("pk", "note").get()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_append_only")
        else:
            cur.execute("DROP TRIGGER cases_caseevent_no_update")
        cur.execute("UPDATE cases_caseevent SET note = note || '（改）' WHERE id = %s", [victim[0]])
    ok, out = timed("`verify_history` after one event was rewritten", verify, f"{events:,} events")
    assert not ok and f"记录 id {victim[0]}）：内容与校验值不符" in out, out
    print(out)
    with connection.cursor() as cur:
        cur.execute("UPDATE cases_caseevent SET note = %s WHERE id = %s", [victim[1], victim[0]])
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_append_only")
        else:
            seal = importlib.import_module("xinfang.cases.migrations.0012_caseevent_hash_chain")
            cur.execute(seal.SQLITE_TRIGGER)
    assert verify("--case", one.number)[0]

    lines = [
        f"verify_history on {connection.vendor}, {events:,} events in {cases:,} cases ({time.strftime('%Y-%m-%d')})",
        "",
        "| step | rows | seconds |",
        "|---|---:|---:|",
        *(f"| {label} | {rows} | {seconds:.1f} |" for label, rows, seconds in results),
    ]
    table = "\n".join(lines)
    print(table)
    out_path = ROOT / "bench" / "results" / f"verify_{connection.vendor}_{events}.md"
    out_path.write_text(table + "\n", encoding="utf-8")
    print(f"written to {out_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
