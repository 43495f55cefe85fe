"""``load_demo``: the demo county, then the demo data of each app, in order.

Each step is idempotent and runs in its own transaction after the county has
been committed, so a failing step does not undo the county. A later app's
demo data (supervision items, documents, ...) is one more entry in STEPS.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import transaction

from xinfang.devdata import cases, county
from xinfang.devdata.county import DEFAULT_PETITIONERS, DemoContext

STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("工作人员短信联系方式", county.build_staff_contacts),
    ("网上信访收信人（县信访局、县长信箱）", county.build_mailboxes),
    ("信访件（各状态）", cases.load),
]


def load_demo(*, petitioners: int = DEFAULT_PETITIONERS, write: Callable[[str], None] = print) -> DemoContext:
    """Build (or find) the demo county, then run the demo steps."""
    ctx = DemoContext(write=write)
    started = time.monotonic()
    with transaction.atomic():
        county.build_orgs(ctx)
        county.build_staff(ctx)
        county.build_petitioners(ctx, petitioners)
    ctx.seconds["演示县（机构、人员、信访人）"] = time.monotonic() - started
    for name, step in STEPS:
        write(f"演示数据：{name} …")
        started = time.monotonic()
        with transaction.atomic():
            step(ctx)
        ctx.seconds[name] = time.monotonic() - started
    return ctx
