#!/usr/bin/env python
"""The city's monthly table (月报) and the dashboard on a generated database: direct queries vs the rollups.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/h_stats/c1e5.sqlite3 .venv/bin/python bench/stats_bench.py --requests 20

Prints, for the top org (the city) and a viewer whose scope covers it (a statistician of the city's
petition bureau with the subtree scope, ``bench_city_stats``, made on first run: the demo
``city_officer``'s scope is the bureau's own cases only):

1. ``recompute_rollups`` from scratch (rows written, seconds), unless ``--no-recompute``, then the
   ``stats-rollups`` consumer drained (as the worker does every 30 s);
2. the 月报 for the latest full month of data (3 periods: the month, 上期, 去年同期), built by
   the direct queries (``table.build`` without a viewer) and from the rollups (with the viewer),
   and whether the two tables' base counts are equal;
3. the dashboard page (``/stats/dashboard/`` through ``django.test.Client``, DEBUG off) for the same
   month, then with no parameters (the leader's landing page: the running month): median and p95 over
   ``--requests`` requests, and its query count.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from xinfang.cases.access import scoped_cases  # noqa: E402
from xinfang.cases.models import Case  # noqa: E402
from xinfang.core import clock  # noqa: E402
from xinfang.orgs.models import User  # noqa: E402
from xinfang.stats import rollups, table  # noqa: E402
from xinfang.stats.models import CaseFact  # noqa: E402
from xinfang.stats.periods import Period  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--user", default="bench_city_stats")
    parser.add_argument("--no-recompute", action="store_true")
    parser.add_argument("--no-direct", action="store_true", help="skip the direct 月报 (slow at 10^6)")
    args = parser.parse_args()

    viewer = User.objects.filter(username=args.user).first()
    if viewer is None:
        from xinfang.devdata.cast import make_user
        from xinfang.orgs.models import DataScope

        bureau = User.objects.get(username="city_officer").org
        viewer = make_user(args.user, bureau, "statistician", scope=DataScope.SUBTREE)
    root = table.root_for(viewer)
    cases = Case.objects.count()
    last = clock.local_date(Case.objects.aggregate(x=Max("received_at"))["x"])
    month = Period.month(last.year, last.month).previous()
    today = clock.today()
    print(f"cases={cases} viewer={viewer.username} org={root.name} period={month.label} today={today}")
    print(f"load average {os.getloadavg()[0]:.2f}")

    if not args.no_recompute:
        rows, secs = timed(rollups.recompute_all)
        print(f"| recompute_rollups | {rows} rollup rows, {CaseFact.objects.count()} fact rows | {secs:.1f} s |")

    # What the worker's drain_outbox does every 30 s: the demo cases' events wait for the consumer.
    from xinfang.cases.outbox import drain

    done, secs = timed(lambda: drain(rollups.CONSUMER).done)
    print(f"| drain stats-rollups | {done} events applied | {secs:.1f} s |")
    # The drain's queries can fill the connection's query log (9,000 entries under DEBUG), and a
    # full log makes CaptureQueriesContext count nothing: start the captures from an empty one.
    connection.queries_log.clear()
    scope = scoped_cases(viewer)
    for run in ("first", "again"):  # the first run also reads the file's pages into the OS cache
        with CaptureQueriesContext(connection) as q:
            fast, secs = timed(lambda: table.build(scope, root, month, root=root, today=today, viewer=viewer))
        print(
            f"| 月报 of {root.name}, 3 periods, from the rollups ({run}) "
            f"| {len(q.captured_queries)} queries | {secs:.3f} s |"
        )
    if not args.no_direct:
        with CaptureQueriesContext(connection) as q:
            slow, secs = timed(lambda: table.build(scope, root, month, root=root, today=today))
        print(f"| 月报 of {root.name}, 3 periods, direct | {len(q.captured_queries)} queries | {secs:.3f} s |")
        same = all(
            a.base == b.base
            for a, b in zip(
                [*fast.rows, fast.total, fast.previous, fast.last_year],
                [*slow.rows, slow.total, slow.previous, slow.last_year],
                strict=True,
            )
        )
        print(f"rollups equal direct: {same}")
    print({code: fast.total.base[code] for code in ("total", "persons", "accepted", "handling_due", "backlog_start")})

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(viewer)
    # The full month of the table, then the landing page: the running month (its handling deadlines
    # not yet due are the exceptions of the rollups there).
    running = Period.containing("month", clock.today())
    for period, params in ((month, month.as_params()), (running, {})):
        client.get("/stats/dashboard/", params)  # warm the per-process caches
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as q:
                response, secs = timed(lambda params=params: client.get("/stats/dashboard/", params))
            assert response.status_code == 200, response.status_code
            times.append(secs * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(
            f"| dashboard /stats/dashboard/{'?' + urlencode(params) if params else ''} ({period.label}) | "
            f"{len(q.captured_queries)} queries | "
            f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms over {len(times)} |"
        )


if __name__ == "__main__":
    main()
