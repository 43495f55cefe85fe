#!/usr/bin/env python
"""Benchmark: registrations per second over HTTP, against a real gunicorn with 2 workers.

    .venv/bin/python bench/registration_bench.py                          # SQLite, var/bench_register.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_register \\
        .venv/bin/python bench/registration_bench.py                      # PostgreSQL (db created if missing)
    # options: --seconds S (default 20) --clients 1,8 --workers 2 --port 8131 --petitioners N --keep

Each run starts from a fresh database (dropped and migrated again unless --keep): the fixed
cast (xinfang/devdata/cast.py) and --petitioners petitioners registered by the county bureau's
registrar. gunicorn serves the production settings (DEBUG off) on 127.0.0.1:--port with
--workers sync workers and persistent database connections (DB_CONN_MAX_AGE=60). For each
number of --clients, that many threads POST /api/v1/cases with the registrar's bearer token
for --seconds, each request naming the next petitioner in turn (so a petitioner comes back
only after all the others: most registrations are a person's first, some find an earlier
matter, as at a real counter). Printed per run: requests, errors (and whether any said
"database is locked"), cases/s, per-request median / p95 / p99 in ms, the share that came
back with a repeat warning, the CPU time the gunicorn workers spent per request (from
/proc: a figure that depends less on what else the machine runs than the wall times), and
the load average before and after (the machine is shared).
Afterwards the case numbers are checked: as many cases as 201 answers, every number once,
no gap in the sequence.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENV = {
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "xinfang.settings",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleS0=",
    "FIELD_HASH_KEY": "bench-only-lookup-hash-key",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_COOKIES": "0",
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG_LEVEL": "WARNING",
    "DB_CONN_MAX_AGE": "60",
}


def _env() -> dict[str, str]:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_register.sqlite3'}")
    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    return {k: os.environ[k] for k in [*ENV, "DATABASE_URL"]}


def fresh_database(url: str) -> None:
    """Drop the bench database and create it empty (PostgreSQL), or remove the SQLite files."""
    if url.startswith("postgres"):
        from urllib.parse import urlparse

        import psycopg
        from psycopg import sql

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        if name in ("postgres", "template0", "template1"):
            raise SystemExit(f"refusing to drop the {name} database: name a bench database in DATABASE_URL")
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def prepare(petitioners: int) -> tuple[str, list[int]]:
    """Migrate, build the cast and the petitioners; return the registrar's token and the petitioner ids."""
    import django

    django.setup()
    from django.core.management import call_command

    from xinfang.api.models import ApiToken
    from xinfang.core.idnumbers import check_digit
    from xinfang.devdata.cast import build_cast
    from xinfang.devdata.flow import make_petitioner
    from xinfang.orgs.models import User
    from xinfang.petitioners.access import scoped_petitioners

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="registrar").exists():
        build_cast()
    registrar = User.objects.get(username="registrar")
    have = scoped_petitioners(registrar).count()
    for i in range(have, petitioners):
        # Each person their own ID number (flow.valid_id_number repeats after a few hundred).
        birth = date(1950, 1, 1) + timedelta(days=i // 500)
        first17 = f"330781{birth:%Y%m%d}{i % 500:03d}"
        make_petitioner(registrar, name=f"压测{i:05d}", id_number=first17 + check_digit(first17))
    ids = list(scoped_petitioners(registrar).order_by("pk").values_list("pk", flat=True)[:petitioners])
    return ApiToken.issue(registrar, name="registration bench")[1], ids


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "xinfang.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--log-level=warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603 — our own command line
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def body(petitioner_id: int) -> bytes:
    return json.dumps(
        {
            "petitioners": [{"id": petitioner_id, "is_representative": True}],
            "channel": "visit",
            "received_at": datetime.now(UTC).isoformat(),
            "kind": "claim",
            "category": "0301",
            "summary": "反映企业拖欠工资（压测）",
            "content": "压测登记：信访人反映所在企业拖欠工资三个月，请求协调解决。",
            "place_code": "330781",
            "person_count": 1,
        },
        ensure_ascii=False,
    ).encode()


def worker_cpu_seconds(master: int) -> float:
    """User and system CPU time used so far by the gunicorn workers (children of ``master``)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return float("nan")
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


class Run:
    def __init__(self, port: int, token: str, petitioners):
        self.port, self.token = port, token
        self._next = petitioners  # an iterator shared by the runs: each person comes back only after all others
        self._lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.created = 0
        self.repeats = 0

    def petitioner(self) -> int:
        with self._lock:
            return next(self._next)

    def post(self) -> None:
        payload = body(self.petitioner())
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        t = time.perf_counter()
        try:
            # gunicorn's sync workers close the connection after each response, as a browser's would be.
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request("POST", "/api/v1/cases", body=payload, headers=headers)
            response = conn.getresponse()
            text = response.read()
            conn.close()
        except OSError as exc:
            with self._lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        elapsed = (time.perf_counter() - t) * 1000
        with self._lock:
            if response.status == 201:
                self.latencies.append(elapsed)
                self.created += 1
                self.repeats += any(w["code"] == "repeat" for w in json.loads(text)["warnings"])
            else:
                self.errors.append(f"{response.status}: {text[:300].decode(errors='replace')}")

    def drive(self, clients: int, seconds: float) -> float:
        stop = time.monotonic() + seconds

        def client():
            while time.monotonic() < stop:
                self.post()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def check_numbers(expected: int) -> str:
    """Every 201 made one case, with its own number, and the bureau's sequence has no gap."""
    from xinfang.cases.models import Case
    from xinfang.orgs.models import Org

    bureau = Org.objects.get(name="清河县信访局")
    numbers = list(Case.objects.filter(registered_org=bureau).values_list("number", flat=True))
    by_year: dict[str, list[int]] = {}
    for n in numbers:
        by_year.setdefault(n.split("〔")[1][:4], []).append(int(n[-6:-1]))
    gapless = all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_year.values())
    ok = len(numbers) == expected and len(set(numbers)) == len(numbers) and gapless
    verdict = "" if ok else " — MISMATCH"
    return f"{len(numbers)} cases, {len(set(numbers))} distinct numbers, gapless: {gapless}{verdict}"


def git_commit() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()  # noqa: S607
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts, one run each")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--petitioners", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="do not start from a fresh database")
    args = parser.parse_args()
    env = _env()
    url = env["DATABASE_URL"]
    if not args.keep:
        fresh_database(url)
    t = time.monotonic()
    token, petitioners = prepare(args.petitioners)
    print(f"prepared in {time.monotonic() - t:.0f} s: {len(petitioners)} petitioners", flush=True)
    from django.db import connection

    vendor = connection.vendor
    connection.close()
    proc = start_gunicorn(env, args.port, args.workers)
    total_created = 0
    rows = []
    try:
        people = itertools.cycle(petitioners)
        warm = Run(args.port, token, people)
        warm.drive(args.workers * 2, 2.0)  # every worker loads the calendar and the rules once
        total_created += warm.created
        if warm.errors:
            print("warm-up errors:", warm.errors[:3])
        for clients in [int(c) for c in args.clients.split(",")]:
            run = Run(args.port, token, people)
            load_before, cpu_before = os.getloadavg(), worker_cpu_seconds(proc.pid)
            wall = run.drive(clients, args.seconds)
            load_after, cpu_after = os.getloadavg(), worker_cpu_seconds(proc.pid)
            total_created += run.created
            locked = sum("database is locked" in e for e in run.errors)
            rows.append(
                (
                    clients,
                    run.created + len(run.errors),
                    len(run.errors),
                    locked,
                    run.created / wall,
                    statistics.median(run.latencies) if run.latencies else float("nan"),
                    pct(run.latencies, 95),
                    pct(run.latencies, 99),
                    100 * run.repeats / max(run.created, 1),
                    1000 * (cpu_after - cpu_before) / max(run.created + len(run.errors), 1),
                    load_before[0],
                    load_after[0],
                )
            )
            print(f"  {clients} client(s): {rows[-1][4]:.1f} cases/s, p95 {rows[-1][6]:.1f} ms", flush=True)
            if run.errors:
                print("  errors, first three:", run.errors[:3])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print()
    print(
        f"{vendor}, gunicorn {args.workers} sync workers, {args.seconds:.0f} s per run, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git_commit()}"
    )
    print()
    print(
        '| clients | requests | errors | "database is locked" | cases/s '
        "| median ms | p95 ms | p99 ms | repeat warning % | worker CPU ms/request | load avg before → after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for c, n, e, lk, rate, med, p95, p99, rep, cpu, lb, la in rows:
        print(
            f"| {c} | {n} | {e} | {lk} | {rate:.1f} | {med:.1f} | {p95:.1f} | {p99:.1f} "
            f"| {rep:.0f} | {cpu:.1f} | {lb:.1f} → {la:.1f} |"
        )
    print()
    print("numbers:", check_numbers(total_created))


if __name__ == "__main__":
    main()
