#!/usr/bin/env python
"""Benchmark: the escalation sweep over N cases from ``load_demo --cases N``.

    .venv/bin/python bench/escalation_sweep.py --cases 1000000          # SQLite, var/bench_escalation_1000000.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_escalation \\
        .venv/bin/python bench/escalation_sweep.py --cases 100000        # PostgreSQL (db created if missing)

The database is migrated (the escalation tables and the seeded national
ladder) and filled with ``load_demo --cases N`` when it holds fewer than N
cases (``--no-load``: measure it as it is). Earlier escalation runs are
cleared (cursors, ``esc:`` notifications, cards). Then, in-process, on the
real date:

* the first sweep (creates every rule's cursor; handles what arrives today);
* the no-op sweep: the same day again, nothing new is due (median of 5);
* the ~1% sweep: the clock moved forward to the first day by which the
  items whose trigger arrives number at least --due-pct of the open cases
  (reminders, escalations and yellow cards written, one transaction each);
* the no-op sweep on that day;
* the query plans of the range queries (which index is used);
* delivery: ``bench/notifications_delivery.py --count 5000`` on the same
  database (one real worker to the file SMS gateway).

Results go to bench/results/escalation_<vendor>_<N>.md (and stdout).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _env(cases: int) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / f'bench_escalation_{cases}.sqlite3'}")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")
    # The development keys, so a database loaded with DEBUG=1 stays readable.
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC1kZXBsb3k=")
    os.environ.setdefault("FIELD_HASH_KEY", "dev-only-lookup-hash-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def timed_cpu(fn):
    """Wall and this process's CPU seconds (the VM is shared: the wall time includes waiting for a core)."""
    c = time.process_time()
    wall, out = timed(fn)
    return wall, time.process_time() - c, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due-pct", type=float, default=1.0)
    parser.add_argument(
        "--due-of", choices=["cases", "open"], default="cases", help="the percentage of all cases or of open cases"
    )
    parser.add_argument("--no-load", action="store_true", help="measure the database as it is")
    parser.add_argument("--no-delivery", action="store_true")
    args = parser.parse_args()
    _env(args.cases)
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        from cases_bench import ensure_postgres_database

        ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinfang.cases.models import Case
    from xinfang.cases.states import OPEN_STATES
    from xinfang.clock.workcalendar import get_work_calendar
    from xinfang.core import clock
    from xinfang.escalation.models import AccountabilityCard, CardEvent, SweepCursor
    from xinfang.escalation.rules import relevant_from, rules_in_force, threshold
    from xinfang.escalation.sources import source_for
    from xinfang.escalation.sweep import run_sweep
    from xinfang.notifications.models import Delivery, Notification

    load_seconds = None
    t, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {t:.1f} s")
    have = Case.objects.count()
    if have < args.cases and not args.no_load:
        load_seconds, _ = timed(
            lambda: call_command("load_demo", cases=args.cases, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        )
    total = Case.objects.count()
    open_cases = Case.objects.filter(status__in=sorted(OPEN_STATES)).count()
    vendor = connection.vendor
    print(
        f"{vendor}: {total:,} cases, {open_cases:,} open"
        + (f" (loaded in {load_seconds:.0f} s)" if load_seconds else "")
    )

    # A clean slate: earlier runs' cursors, reminders and cards.
    CardEvent.objects.all().delete()
    AccountabilityCard.objects.filter(color="yellow").update(red_card=None)
    AccountabilityCard.objects.all().delete()
    Delivery.objects.filter(notification__dedupe__startswith="esc:").delete()
    Notification.objects.filter(dedupe__startswith="esc:").delete()
    SweepCursor.objects.all().delete()

    today = clock.today()
    rules = list(rules_in_force(today))
    cal = get_work_calendar()

    def arriving(day: date) -> int:
        n = 0
        for r in rules:
            src = source_for(r.clock)
            if src is None:
                continue
            lo, hi = threshold(r, today, cal), threshold(r, day, cal)
            floor = relevant_from(r, day)
            n += src.due_between(lo, hi, floor=floor).count()
        return n

    base = total if args.due_of == "cases" else open_cases
    target = max(1, int(base * args.due_pct / 100))
    due_day, due_items = today, 0
    for step in range(1, 366):
        due_day = today + timedelta(days=step)
        due_items = arriving(due_day)
        if due_items >= target:
            break
    print(f"~{args.due_pct}% of {args.due_of} due: {due_items:,} items arrive by {due_day} (target {target:,})")

    rows: list[tuple[str, ...]] = []

    def sweep_at(day: date, label: str, repeat: int = 1):
        times, cpus, result = [], [], None
        for _ in range(repeat):
            with clock.at(day):
                t, cpu, result = timed_cpu(run_sweep)
            times.append(t)
            cpus.append(cpu)
        med, cpu = statistics.median(times), statistics.median(cpus)
        assert result is not None
        counts = (f"{result.considered:,}", f"{result.notified:,}", f"{result.cards:,}")
        rows.append((label, *counts, f"{med:.3f}", f"{cpu:.3f}"))
        print(f"{label}: {med:.3f} s, CPU {cpu:.3f} s ({result})")
        return med, result

    sweep_at(today, f"first sweep on {today} (cursors created)")
    noop, _ = sweep_at(today, f"no-op sweep on {today} (median of 5)", repeat=5)
    busy, busy_result = sweep_at(due_day, f"~{args.due_pct}% due: sweep on {due_day}")
    sweep_at(due_day, f"no-op sweep on {due_day} (median of 5)", repeat=5)

    plans = []
    for r in rules[:1] + [r for r in rules if r.timing == "overdue"][:1]:
        src = source_for(r.clock)
        if src is None:
            continue
        qs = src.due_between(threshold(r, today, cal), threshold(r, due_day, cal), floor=relevant_from(r, due_day))
        plans.append((f"{r.code} window", qs.explain()))
        late = src.due_between(None, threshold(r, today, cal), min_pk=src.max_pk() - 100, floor=today - timedelta(31))
        plans.append((f"{r.code} late arrivals", late.explain()))

    delivery_row = ""
    if not args.no_delivery:
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
        env["DEBUG"] = "1"
        out = subprocess.run(
            [sys.executable, "bench/notifications_delivery.py", "--count", "5000"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        delivery_row = out.strip().splitlines()[-1]
        print(delivery_row)

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Escalation sweep benchmark: {vendor}, {total:,} cases ({open_cases:,} open)",
        "",
        f"{stamp}, 2-core VM shared with other sessions, in-process, DEBUG off (xinfang.test_settings).",
        "",
        f"Command: `DATABASE_URL={url} .venv/bin/python bench/escalation_sweep.py --cases {args.cases}"
        + (" --no-load" if args.no_load else "")
        + "`",
        "",
        f"Rules in force: {len(rules)}; ~{args.due_pct}% of the {args.due_of} due = {due_items:,} items"
        f" (reminders or escalations; a case can have several) arriving by {due_day}.",
        "",
        "| sweep | items handled | notifications written | cards | wall s | CPU s (this process) |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {' | '.join(r)} |" for r in rows],
        "",
        f"Per item in the ~{args.due_pct}% sweep: {busy / max(busy_result.considered, 1) * 1000:.1f} ms "
        f"(lock, recipients, notify, card). No-op sweep: **{noop:.3f} s** (target < 1 s).",
    ]
    if delivery_row:
        lines += [
            "",
            "Delivery (`bench/notifications_delivery.py --count 5000`, same database, one worker, file SMS gateway):",
            "",
            "| database | channels | notifications | deliveries | sent | write s | worker wall s | sent/s"
            " | notifications/s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
            delivery_row,
        ]
    lines += ["", "Query plans:", ""]
    for label, plan in plans:
        lines += [f"* {label}:", "", "```", plan, "```", ""]
    text = "\n".join(lines) + "\n"
    out_path = ROOT / "bench" / "results" / f"escalation_{vendor}_{args.cases}.md"
    out_path.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
