#!/usr/bin/env python
"""The case ledger (台账) XLSX export on a generated database: wall time, rows/s, peak memory.

    .venv/bin/python bench/ledger_export.py --source /work/bench-data/c100k.sqlite3 \\
        --copy /tmp/ledger_c100k.sqlite3 --user officer

The source database is never written: it is copied to --copy (unless that file
exists already) and the copy is migrated. Then, as --user (default the county
bureau's officer, who keeps the ledger):

1. ``stats.ledger.export`` with no filter (every case the officer may see), timed,
   with the process's peak RSS before and after (``resource.getrusage``: the
   streaming claim is that the peak does not grow with the rows);
2. the same again under ``tracemalloc`` (slower; its peak is the Python heap's);
3. the whole view once (``GET /stats/ledger.xlsx`` through the test client,
   including the audit row and reading the streamed response).

Then the ledger export in a saved layout (``ledgers.export``, 导出台账: the import's
columns and spellings, here the default layout, every case received in the last
ten years at the user's root, i.e. the whole scope):

4. ``ledgers.export.export`` with names masked and no numbers, timed, peak RSS;
5. the same under ``tracemalloc``;
6. with ``--personal`` (a user who may reveal): full names, ID and phone numbers
   decrypted (the Fernet decryption per case is the extra cost);
7. the whole view once (``POST /ledgers/export/``, audit row, response read).

``--exports stats,layout`` chooses which exports run (default both); ``--no-copy``
uses --source itself (a database made for the bench, e.g. by
``manage.py load_demo --cases 100000`` into /tmp).

Prints one Markdown table row per run and the load average beside it.
"""

import argparse
import os
import resource
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--source", default="/work/bench-data/c100k.sqlite3")
parser.add_argument("--copy", default="/tmp/ledger_c100k.sqlite3")
parser.add_argument("--user", default="officer")
parser.add_argument("--skip-view", action="store_true")
parser.add_argument("--skip-tracemalloc", action="store_true")
parser.add_argument("--exports", default="stats,layout", help="which exports: stats, layout or both")
parser.add_argument("--personal", action="store_true", help="also the layout export with full personal data")
parser.add_argument("--no-copy", action="store_true", help="use --source itself (a throw-away bench database)")
args = parser.parse_args()
exports = set(args.exports.split(","))

if args.no_copy:
    copy = Path(args.source)
else:
    copy = Path(args.copy)
    if copy.resolve() == Path(args.source).resolve():
        sys.exit("--copy must not be the source database")
    if not copy.exists():
        shutil.copyfile(args.source, copy)

os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC1kZXBsb3k=")
os.environ.setdefault("FIELD_HASH_KEY", "dev-only-lookup-hash-key")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402

from xinfang.cases.models import Case  # noqa: E402
from xinfang.orgs.models import User  # noqa: E402
from xinfang.stats import ledger  # noqa: E402

call_command("migrate", verbosity=0)
user = User.objects.get(username=args.user)
print(f"database {copy} ({Case.objects.count():,} cases), user {user.username} at {user.org.name}", flush=True)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def run(label: str, *, trace: bool, make=lambda: ledger.export(user, QueryDict(""))[1]) -> None:
    before = maxrss_mb()
    if trace:
        tracemalloc.start()
    start_load = load()
    t0 = time.perf_counter()
    c0 = time.process_time()
    export = make()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = ""
    if trace:
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = f"{top / 2**20:.1f}"
    size = os.fstat(export.file.fileno()).st_size
    export.file.close()
    after = maxrss_mb()
    print(
        f"| {label} | {export.count:,} | {wall:.1f} | {cpu:.1f} | {export.count / wall:,.0f} | "
        f"{before:.0f} → {after:.0f} (+{after - before:.0f}) | {peak or '—'} | {size / 2**20:.1f} | "
        f"{start_load} → {load()} |",
        flush=True,
    )


print(
    "| run | rows | wall s | CPU s | rows/s | max RSS MB (before → after) | tracemalloc peak MB | file MB | load avg |"
)
print("|---|---:|---:|---:|---:|---|---:|---:|---|")
if "stats" in exports:
    run("ledger.export", trace=False)
if "stats" in exports and not args.skip_tracemalloc:
    run("ledger.export + tracemalloc", trace=True)
if "stats" in exports and not args.skip_view:
    from django.test import Client

    client = Client()
    client.force_login(user)
    before = maxrss_mb()
    t0 = time.perf_counter()
    response = client.get("/stats/ledger.xlsx")
    size = sum(len(part) for part in response.streaming_content)
    wall = time.perf_counter() - t0
    response.close()
    after = maxrss_mb()
    print(
        f"| GET /stats/ledger.xlsx (view, audit, response read) | — | {wall:.1f} | — | — | "
        f"{before:.0f} → {after:.0f} (+{after - before:.0f}) | — | {size / 2**20:.1f} | {load()} |",
        flush=True,
    )


if "layout" in exports:
    from datetime import timedelta

    from xinfang.core import clock
    from xinfang.ledgers import export as layout_export
    from xinfang.stats.periods import Period
    from xinfang.stats.table import root_for

    today = clock.today()
    root = root_for(user)
    period = Period.range(today - timedelta(days=3650), today)

    def asked(personal: bool) -> layout_export.Asked:
        return layout_export.Asked(layout=None, period=period, unit=root, top=True, personal=personal)

    print(f"layout export: default layout, {period.start} to {period.end}, unit {root.name}", flush=True)
    run("ledgers.export (masked)", trace=False, make=lambda: layout_export.export(user, asked(False)))
    if not args.skip_tracemalloc:
        run("ledgers.export (masked) + tracemalloc", trace=True, make=lambda: layout_export.export(user, asked(False)))
    if args.personal:
        if not user.can_reveal_pii():
            sys.exit(f"{user.username} may not reveal personal data: --personal needs e.g. officer")
        run("ledgers.export (full personal data)", trace=False, make=lambda: layout_export.export(user, asked(True)))
    if not args.skip_view:
        from django.test import Client

        client = Client()
        client.force_login(user)
        before = maxrss_mb()
        t0 = time.perf_counter()
        response = client.post(
            "/ledgers/export/",
            {"start": period.start.isoformat(), "end": period.end.isoformat(), "date_format": "cell"},
        )
        assert response.status_code == 200, response.content[:500]
        size = sum(len(part) for part in response.streaming_content)
        wall = time.perf_counter() - t0
        response.close()
        after = maxrss_mb()
        print(
            f"| POST /ledgers/export/ (view, audit, response read) | — | {wall:.1f} | — | — | "
            f"{before:.0f} → {after:.0f} (+{after - before:.0f}) | — | {size / 2**20:.1f} | {load()} |",
            flush=True,
        )
