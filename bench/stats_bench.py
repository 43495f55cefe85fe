#!/usr/bin/env python
"""The monthly statistics for the whole city on a generated database: direct queries vs the receipt rollups.

    DEBUG=1 DATABASE_URL=sqlite:////work/bench-data/rollup-1e5.sqlite3 .venv/bin/python bench/stats_bench.py

On the given database (written: the rollups are rebuilt), prints:

1. ``recompute_rollups`` from scratch (rows written, seconds);
2. the 月报 of the top org (the city) for the latest full month of data, built by the
   direct queries (``stats.table.build`` over every case: this period, 上期, 去年同期);
3. the 收件 counts of the same month and org from the rollups (``rollups.receipt_counts``),
   three periods as the table reads them, and whether they equal the direct counts.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinfang.cases.models import Case  # noqa: E402
from xinfang.orgs.models import Org  # noqa: E402
from xinfang.stats import metrics as m  # noqa: E402
from xinfang.stats import rollups, table  # noqa: E402
from xinfang.stats.periods import Period  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


cases = Case.objects.count()
city = Org.objects.filter(parent__isnull=True).order_by("path").first()
last = timezone.localdate(Case.objects.aggregate(x=Max("received_at"))["x"])
month = Period.month(last.year, last.month).previous()
today = last
print(f"cases={cases} org={city.name} period={month.label} load={os.getloadavg()[0]:.2f}")

rows, secs = timed(rollups.recompute_all)
print(f"| recompute_rollups | {rows} rows | {secs:.2f} s |")

built, secs = timed(lambda: table.build(Case.objects.all(), city, month, today=today))
print(f"| 月报 (direct, 3 periods, all columns) | | {secs:.2f} s |")

periods = [month, month.previous(), month.last_year()]
got, secs = timed(lambda: [rollups.receipt_counts(city, p) for p in periods])
print(f"| 收件 counts from rollups (3 periods) | | {secs * 1000:.1f} ms |")

direct, secs = timed(lambda: m.counts(Case.objects.all(), month, today=today))
same = all(got[0][code] == direct[code] for code in rollups.RECEIPT_CODES)
print(f"| metrics.counts direct (1 period) | | {secs:.2f} s | rollups equal direct: {same} |")
print({code: got[0][code] for code in ("total", "persons", "visit_batches", "collective_batches", "repeat")})
