#!/usr/bin/env python
"""The navigation badge query and the to-do volume per user, on a bench database.

    DATABASE_URL=sqlite:////work/bench-data/cases_1000000.sqlite3 \\
        .venv/bin/python bench/todo_cost.py registrar,officer,handler

For each user: the median of 3 runs of workbench.todo_count (one COUNT over the to-do
union), the to-do count and the non-empty tabs (bench/README.md, "Not flat yet").
"""

import os
import statistics
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.test_settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC1kZXBsb3k=")
os.environ.setdefault("FIELD_HASH_KEY", "dev-only-lookup-hash-key")
import django

django.setup()
from xinfang.cases import workbench as wb  # noqa: E402
from xinfang.orgs.models import User  # noqa: E402

for name in sys.argv[1].split(","):
    u = User.objects.get(username=name)
    c = wb.counts(u)
    ts = []
    for _ in range(3):
        t = time.perf_counter()
        wb.todo_count(u)
        ts.append((time.perf_counter() - t) * 1000)
    big = {k: v for k, v in c.items() if v}
    print(f"{name}: badge query median {statistics.median(ts):.0f} ms, todo {c.get('todo')}, tabs {big}", flush=True)
