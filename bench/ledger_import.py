#!/usr/bin/env python
"""Historical ledger import on a throw-away database: check time, import time, rows/s, peak memory.

    .venv/bin/python bench/ledger_import.py --rows 100000            # SQLite: var/bench_ledgers.sqlite3
    .venv/bin/python bench/ledger_import.py --sqlite /tmp/me/ledgers.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledgers .venv/bin/python bench/ledger_import.py

Migrates a fresh database, builds the fixed cast (清河县), writes the sample ledger
(xinfang.ledgers.sample, CSV), then times ``importer.validate`` and ``importer.run`` (what the
background task runs) and prints one Markdown table row. Peak RSS from ``resource.getrusage``;
the load average beside it, since the machine's other work slows the figure.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--rows", type=int, default=100_000)
parser.add_argument("--batch", type=int, default=200)
parser.add_argument("--sqlite", default=str(ROOT / "var" / "bench_ledgers.sqlite3"), help="the SQLite file (recreated)")
args = parser.parse_args()

if "DATABASE_URL" not in os.environ:
    path = Path(args.sqlite)
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")
os.environ["DEBUG"] = "0"
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

if connection.vendor == "postgresql":
    with connection.cursor() as c:
        c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
call_command("migrate", verbosity=0)
from xinfang.devdata.cast import build_cast  # noqa: E402
from xinfang.ledgers import importer  # noqa: E402
from xinfang.ledgers.models import LedgerImport  # noqa: E402
from xinfang.ledgers.sample import write  # noqa: E402

cast = build_cast()
with tempfile.NamedTemporaryFile(suffix=".csv") as f:
    write(f.name, cast.bureau, args.rows)
    data = Path(f.name).read_bytes()
imp = LedgerImport.objects.create(org=cast.bureau, created_by=cast.registrar, filename="bench.csv", data=data)
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
importer.validate(imp)
t1, c1 = time.perf_counter(), time.process_time()
importer.BATCH = args.batch
state = importer.run(imp.pk)
t2, c2 = time.perf_counter(), time.process_time()
imp.refresh_from_db()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
# The process's own CPU seconds beside the wall clock: on a shared machine the difference is the others' work
# (and, on PostgreSQL, the server's).
print(
    "| db | rows | check s | import s (CPU s) | rows/s (per CPU s) | peak RSS MB (before) | state | load 1/5/15 (end) |"
)
print("|---|---:|---:|---:|---:|---:|---|---|")
print(
    f"| {connection.vendor} | {imp.imported} | {t1 - t0:.1f} | {t2 - t1:.1f} ({c2 - c1:.1f}) "
    f"| {imp.imported / (t2 - t1):.0f} ({imp.imported / (c2 - c1):.0f}) "
    f"| {rss / 1024:.0f} ({rss0 / 1024:.0f}) | {state} | {load} |"
)
