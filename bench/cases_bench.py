#!/usr/bin/env python
"""Benchmark: the workbench, a case detail and API registration at N cases.

    .venv/bin/python bench/cases_bench.py --cases 100000                  # SQLite, var/bench_cases_100000.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cases_100000 \\
        .venv/bin/python bench/cases_bench.py --cases 100000             # PostgreSQL (db created if missing)

The database is migrated and filled with the demo county plus
``load_demo --cases N`` (bulk generator, xinfang/devdata/scale.py) when it holds
fewer than N cases; the load time is reported. Then, in-process with
django.test.Client against the real URLs, production-like settings (DEBUG
off, test settings module for plain static files):

* GET /cases/ (the workbench, first page) as a logged-in handler and as the
  bureau's petition officer: median and 95th percentile over --requests;
* GET /cases/<id>/ for --requests different cases the user may see;
* POST /api/v1/cases with a bearer token, one client, for --api-seconds:
  cases registered per second.

Results go to bench/results/cases_<vendor>_<N>.md (and stdout).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _env(cases: int) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / f'bench_cases_{cases}.sqlite3'}")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")
    # The development keys, so a database loaded with DEBUG=1 stays readable.
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC1kZXBsb3k=")
    os.environ.setdefault("FIELD_HASH_KEY", "dev-only-lookup-hash-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


class Counting:
    """Count the queries one request runs (request_started resets Django's own query log)."""

    def __init__(self, connection):
        self.connection, self.n = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)

    def __len__(self):
        return self.n


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed_gets(client, urls: list[str]) -> tuple[list[float], int]:
    times, bad = [], 0
    for url in urls:
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        bad += response.status_code != 200
    return times, bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--api-seconds", type=float, default=10.0)
    parser.add_argument("--api-list-requests", type=int, help="GET /api/v1/cases per user (default --requests)")
    parser.add_argument("--no-load", action="store_true", help="measure the database as it is")
    parser.add_argument("--users", help="only these demo accounts, comma-separated (default: one per demo role)")
    args = parser.parse_args()
    _env(args.cases)
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xinfang.api.models import ApiToken
    from xinfang.cases import workbench as wb
    from xinfang.cases.access import scoped_cases
    from xinfang.cases.models import Case
    from xinfang.orgs.models import User
    from xinfang.petitioners.access import scoped_petitioners

    load_seconds = None
    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    if have < args.cases and not args.no_load:
        t = time.monotonic()
        call_command("load_demo", cases=args.cases, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        load_seconds = time.monotonic() - t
    total = Case.objects.count()
    vendor = connection.vendor
    print(f"{vendor}: {total:,} cases" + (f" (loaded in {load_seconds:.0f} s)" if load_seconds else ""))

    rows = []
    users = demo_users(User)
    if args.users:
        wanted = args.users.split(",")
        users = [u for u in users if u.username in wanted]
        missing = set(wanted) - {u.username for u in users}
        if missing:
            parser.error(f"not among the demo roles' accounts: {', '.join(sorted(missing))}")
    for user in users:
        client = Client()
        client.force_login(user)
        client.get("/cases/")  # warm caches (templates, calendar, sessions)
        tabs = [t["key"] for t in wb.tabs_for(user, wb.counts(user))]
        todo = wb.counts(user).get("todo", 0)
        # The workbench: the landing page, then each tab in turn (its list and every count).
        urls = ["/cases/"] + [f"/cases/?tab={t}" for t in tabs]
        with Counting(connection) as ctx:
            client.get("/cases/")
        times, bad = timed_gets(client, [urls[i % len(urls)] for i in range(args.requests)])
        rows.append((user.username, "workbench, every tab", times, len(ctx), bad, todo))
        # The navigation badge when its cache has expired (the worst case; it is cached for 60 s).
        badge = []
        for _ in range(args.requests):
            cache.delete(wb._badge_key(user))
            t = time.perf_counter()
            wb.cached_todo_count(user)
            badge.append((time.perf_counter() - t) * 1000)
        rows.append((user.username, "navigation badge (cache cold)", badge, 1, 0, todo))
        ids = list(scoped_cases(user).order_by("-pk").values_list("pk", flat=True)[:5000])
        if ids:
            random.Random(7).shuffle(ids)
            pages = [f"/cases/{pk}/" for pk in ids[: args.requests]]
            with Counting(connection) as ctx:
                client.get(pages[0])
            times, bad = timed_gets(client, pages)
            rows.append((user.username, "case page", times, len(ctx), bad, todo))
        _token, raw = ApiToken.issue(user, name="bench")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        with Counting(connection) as ctx:
            api.get("/api/v1/cases")
        times, bad = timed_gets(api, ["/api/v1/cases"] * (args.api_list_requests or args.requests))
        rows.append((user.username, "API list", times, len(ctx), bad, todo))
        print(f"  {user.username}: " + ", ".join(f"{w} {pct(t, 95):.0f}" for u, w, t, *_ in rows if u == user.username))

    # API registration: one client, sequential, for --api-seconds.
    registrar = User.objects.get(username="registrar")
    _token, raw = ApiToken.issue(registrar, name="bench")
    client = Client()
    pets = list(scoped_petitioners(registrar).values_list("pk", flat=True)[:200])
    rng = random.Random(11)
    made = failed = 0
    latencies = []
    deadline = time.monotonic() + args.api_seconds
    while time.monotonic() < deadline:
        body = {
            "petitioners": [{"id": rng.choice(pets), "is_representative": True}],
            "channel": "visit",
            "received_at": datetime.now(UTC).isoformat(),
            "kind": "claim",
            "category": "0301",
            "summary": "反映企业拖欠工资（压测）",
            "content": "压测登记：信访人反映所在企业拖欠工资三个月，请求协调解决。",
            "place_code": "330781",
        }
        t = time.perf_counter()
        response = client.post(
            "/api/v1/cases", data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        latencies.append((time.perf_counter() - t) * 1000)
        if response.status_code == 201:
            made += 1
        else:
            failed += 1
            if failed == 1:
                print("API error:", response.status_code, response.content[:300])
    rate = made / args.api_seconds
    rows.append(("registrar", f"API POST /api/v1/cases, {made} in {args.api_seconds:.0f} s", latencies, "", failed, ""))

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Cases benchmark: {vendor}, {total:,} cases",
        "",
        f"{when}, commit {commit()}, CPU calibration {calibrate():.0f} ms (bench/cases_bench.py:calibrate),"
        f" load average {os.getloadavg()[0]:.1f}; in-process django.test.Client, DEBUG off,"
        f" {args.requests} requests per line.",
        "",
        "Command: `"
        + " ".join([f"DATABASE_URL={_safe(url)}", ".venv/bin/python", "bench/cases_bench.py", *sys.argv[1:]])
        + "`",
        "",
    ]
    if load_seconds:
        lines += [f"Data load (`load_demo --cases {args.cases}` incl. demo county): {load_seconds:.0f} s", ""]
    lines += [
        "| user | page | median ms | p95 ms | queries | errors | to-do |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for username, what, times, queries, bad, todo in rows:
        lines.append(
            f"| {username} | {what} | {statistics.median(times):.1f} | {pct(times, 95):.1f}"
            f" | {queries} | {bad} | {todo} |"
        )
    lines += ["", f"API registration throughput: **{rate:.1f} cases/s** (single client, sequential)."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / f"cases_{vendor}_{args.cases}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


def demo_users(User) -> list:
    """One demo account per distinct set of role grants and kind of org (not the generator's unit accounts)."""
    seen, out = set(), []
    users = User.objects.filter(is_active=True).exclude(username__startswith="scale").select_related("org")
    for user in users.prefetch_related("role_grants").order_by("pk"):
        key = (
            user.org.kind if user.org else None,
            user.org.level if user.org else None,
            frozenset((g.role, g.scope) for g in user.role_grants.all()),
        )
        if key not in seen:
            seen.add(key)
            out.append(user)
    return out


def calibrate() -> float:
    """A fixed pure-Python workload (SHA-256 chain and a dict loop), in ms: compare machines and runs by it."""
    import hashlib

    t = time.perf_counter()
    h = b"xinfang"
    for _ in range(200_000):
        h = hashlib.sha256(h).digest()
    d: dict[int, int] = {}
    for i in range(500_000):
        d[i % 1000] = d.get(i % 1000, 0) + i
    return (time.perf_counter() - t) * 1000


def commit() -> str:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "xinfang"], cwd=ROOT).returncode
        return out.stdout.strip() + ("+" if dirty else "")
    except OSError:
        return "unknown"


def _safe(url: str) -> str:
    return url.replace(str(ROOT) + "/", "")


if __name__ == "__main__":
    main()
