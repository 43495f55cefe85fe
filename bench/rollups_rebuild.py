#!/usr/bin/env python
"""Time ``recompute_rollups`` (``rollups.recompute_all``) on a generated database, and fingerprint its result.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/rollups-fast/c1e5.sqlite3 .venv/bin/python bench/rollups_rebuild.py
    ... bench/rollups_rebuild.py --profile /tmp/rollups-fast/rebuild.prof   # cProfile, top 25 by cumulative time
    ... bench/rollups_rebuild.py --dump /tmp/rollups-fast/facts-before.txt  # every fact row, sorted, for a diff

Prints the cases, the rollup and fact rows written, the seconds, and a SHA-256 of the sorted fact and
rollup rows (ids left out), so that two versions of the rebuild can be shown to write the same figures.
"""

import argparse
import cProfile
import hashlib
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from xinfang.cases.models import Case  # noqa: E402
from xinfang.stats import rollups  # noqa: E402
from xinfang.stats.models import ROLLUP_COUNTS, CaseFact, Rollup  # noqa: E402


def rows(model, *extra) -> list[str]:
    fields = [*extra, *rollups.KEY, *ROLLUP_COUNTS]
    return sorted(repr(r) for r in model.objects.values_list(*fields).iterator(chunk_size=20000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", help="write a cProfile of the rebuild here and print its top 25")
    parser.add_argument("--dump", help="write the sorted fact rows to this file")
    args = parser.parse_args()
    cases = Case.objects.count()
    started = time.perf_counter()
    if args.profile:
        prof = cProfile.Profile()
        n = prof.runcall(rollups.recompute_all)
        prof.dump_stats(args.profile)
    else:
        n = rollups.recompute_all()
    seconds = time.perf_counter() - started
    facts = rows(CaseFact, "case_id", "multi", "done_on", "late_span")
    sums = rows(Rollup)
    digest = hashlib.sha256("\n".join(facts + ["--"] + sums).encode()).hexdigest()
    print(f"cases {cases:,}  rollup rows {n:,}  fact rows {len(facts):,}  {seconds:.1f} s  sha256 {digest[:16]}")
    if args.dump:
        Path(args.dump).write_text("\n".join(facts) + "\n")
    if args.profile:
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
