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
    parser.add_argument("--api-seconds", type=float, default=30.0)
    parser.add_argument("--no-load", action="store_true", help="measure the database as it is")
    args = parser.parse_args()
    _env(args.cases)
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xinfang.api.models import ApiToken
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
    for username in ("zrzy_handler", "officer"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        client.get("/cases/")  # warm caches (templates, calendar, sessions)
        with Counting(connection) as ctx:
            first = client.get("/cases/")
        assert first.status_code == 200, first.status_code
        times, bad = timed_gets(client, ["/cases/"] * args.requests)
        rows.append((f"workbench /cases/ as {username}", statistics.median(times), pct(times, 95), len(ctx), bad))
        visible = scoped_cases(user).count()
        ids = list(scoped_cases(user).order_by("-pk").values_list("pk", flat=True)[:5000])
        random.Random(7).shuffle(ids)
        ids = ids[: args.requests]
        with Counting(connection) as ctx:
            client.get(f"/cases/{ids[0]}/")
        times, bad = timed_gets(client, [f"/cases/{pk}/" for pk in ids])
        rows.append(
            (
                f"case detail /cases/<id>/ as {username} ({visible:,} visible)",
                statistics.median(times),
                pct(times, 95),
                len(ctx),
                bad,
            )
        )

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
    rows.append(
        (
            f"API POST /api/v1/cases ({made} in {args.api_seconds:.0f} s, {rate:.1f} cases/s)",
            statistics.median(latencies),
            pct(latencies, 95),
            "",
            failed,
        )
    )

    when = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"# Cases benchmark: {vendor}, {total:,} cases",
        "",
        f"{when}, 2-core VM, in-process django.test.Client, DEBUG off (xinfang.test_settings),"
        f" {args.requests} requests per line.",
        "",
        "Command: `"
        + " ".join([f"DATABASE_URL={_safe(url)}", ".venv/bin/python", "bench/cases_bench.py", *sys.argv[1:]])
        + "`",
        "",
    ]
    if load_seconds:
        lines += [f"Data load (`load_demo --cases {args.cases}` incl. demo county): {load_seconds:.0f} s", ""]
    lines += ["| what | median ms | p95 ms | queries | errors |", "|---|---:|---:|---:|---:|"]
    for label, med, p95, queries, bad in rows:
        lines.append(f"| {label} | {med:.1f} | {p95:.1f} | {queries} | {bad} |")
    lines += ["", f"API registration throughput: **{rate:.1f} cases/s** (single client, sequential)."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / f"cases_{vendor}_{args.cases}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


def _safe(url: str) -> str:
    return url.replace(str(ROOT) + "/", "")


if __name__ == "__main__":
    main()
