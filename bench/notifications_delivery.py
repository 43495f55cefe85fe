#!/usr/bin/env python
"""Benchmark: notifications delivered per second by one worker to the file backends.

    .venv/bin/python bench/notifications_delivery.py                  # SQLite, var/bench_notify.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notify .venv/bin/python bench/notifications_delivery.py

Options: --count N notifications (default 5000), --channels sms|email|both
(default sms). The script migrates, writes N due notifications for one
staff member with the chosen deliveries (``notify``, one transaction), then
starts one real worker (``manage.py worker --batch``: it runs the queued
delivery task and exits) and reports its rate from the first to the last
delivery marked sent (process start-up excluded), and the whole wall time.
SMS go to the file gateway (var/bench_sms.log), e-mail to Django's file
backend (var/bench_mail/).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("DEBUG", "1")  # dev secrets; the benchmark never serves requests
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_notify.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SMS_BACKEND", "file")
os.environ.setdefault("SMS_FILE_PATH", str(ROOT / "var" / "bench_sms.log"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
os.environ.setdefault("EMAIL_FILE_PATH", str(ROOT / "var" / "bench_mail"))
os.environ.setdefault("TASKS_BACKEND", "database")
os.environ.setdefault("TASKS_QUEUE", "bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--channels", choices=["sms", "email", "both"], default="sms")
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        sys.path.insert(0, str(ROOT / "bench"))
        from clock_recompute import ensure_postgres_database

        ensure_postgres_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Max, Min

    call_command("migrate", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    from xinfang.notifications import notify
    from xinfang.notifications.models import ChannelPreference, Delivery, Notification, NotificationKind, StaffContact
    from xinfang.orgs.models import User

    user, _ = User.objects.get_or_create(username="bench_notify", defaults={"email": "bench@example.gov.cn"})
    Notification.objects.filter(user=user).delete()
    DBTaskResult.objects.filter(queue_name=os.environ["TASKS_QUEUE"]).delete()
    StaffContact.objects.update_or_create(user=user, defaults={"mobile": "13912345678"})
    kind = NotificationKind.objects.get(code="case.handler")
    ChannelPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"sms": args.channels in ("sms", "both"), "email": args.channels != "sms"}
    )
    started = time.perf_counter()
    stamp = time.time_ns()
    with transaction.atomic():
        for i in range(args.count):
            notify("case.handler", users=[user], dedupe=f"bench:{stamp}:{i}", context={"case_number": f"XF{i:06d}"})
    written = time.perf_counter() - started
    deliveries = Delivery.objects.filter(notification__user=user).count()

    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "worker", "--batch"], cwd=ROOT, check=True, env=os.environ.copy())
    wall = time.perf_counter() - started
    sent = Delivery.objects.filter(notification__user=user, status="sent")
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    claimed = sent.count()
    # The batches' own span: first batch committed to last batch committed, plus one batch's share.
    batch = int(os.environ.get("NOTIFY_BATCH", 25))
    seconds = (span["last"] - span["first"]).total_seconds() * (1 + batch / max(claimed, 1))
    vendor = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    cells = [vendor, args.channels, args.count, deliveries, claimed, f"{written:.1f}", f"{wall:.1f}"]
    cells += [f"{claimed / seconds:,.0f}", f"{args.count * claimed / deliveries / seconds:,.0f}"]
    print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
