#!/usr/bin/env python
"""Benchmark the petitioners' portal: the case page at scale, and letters submitted per second over HTTP.

    # the case page (查询办理进度, signed in) on a database filled by `load_demo --cases N`:
    DEBUG=1 DATABASE_URL=sqlite:////tmp/h_portal/cases_1000000.sqlite3 \\
        .venv/bin/python bench/portal_bench.py case-page --letters 40 --rounds 10
    # letters per second through the whole 我要写信 flow, against gunicorn (2 sync workers):
    .venv/bin/python bench/portal_bench.py submit --seconds 20 --clients 1,8

case-page: links --letters portal letters (Submission rows, marked 压测, removed at the end
unless --keep) to randomly chosen registered cases of a person petitioner, as a registered
letter is linked, signs in once per letter through the real tracking form (query code and
password), then GETs /portal/track/case/ --rounds times per letter with Django's test client
in this process (no network, the whole view, template and middleware). Printed: median / p95
/ p99 in ms and the queries of one page.

submit: a fresh SQLite database (--db, default var/bench_portal_submit.sqlite3; removed first)
with the fixed cast and the bureau's mailbox; gunicorn serves the production settings (DEBUG
off) with the SMS file gateway. Each of --clients threads writes letters for --seconds as a
browser would: GET 我要写信, POST 获取验证码, read the code from the SMS file, POST 下一步 with
the code, POST 确认提交, GET the receipt (5 requests, a new person and mobile number each
time). The portal's limits are raised by environment (one address sends everything). Printed:
letters/s, per-letter median / p95 in ms, errors, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def id_number(i: int) -> str:
    from datetime import date, timedelta

    from xinfang.core.idnumbers import check_digit

    birth = date(1950, 1, 1) + timedelta(days=i // 900)
    first17 = f"330781{birth:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + check_digit(first17)


# --- the case page at scale ----------------------------------------------------------------------


def case_page(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from xinfang.cases.models import Case, CasePetitioner, Category
    from xinfang.portal import credentials
    from xinfang.portal.models import Mailbox, Submission, SubmissionStatus

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PORTAL_TRACK_PER_IP_HOUR = 10**6
    total = Case.objects.count()
    mailbox = Mailbox.objects.filter(is_active=True).first()
    if mailbox is None:
        raise SystemExit("no portal mailbox: fill the database with `manage.py load_demo --cases N` first")
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    import random

    rng = random.Random(13)
    taken = set(Submission.objects.exclude(case=None).values_list("case_id", flat=True))
    links = []
    while len(links) < args.letters:
        pk = rng.randrange(1, top + 1)
        if pk in taken:
            continue
        link = (
            CasePetitioner.objects.filter(case_id=pk, petitioner__kind="person")
            .exclude(petitioner__id_number_hash="")
            .select_related("petitioner", "case")
            .first()
        )
        if link is not None:
            taken.add(pk)
            links.append(link)
    password = make_password("bench-portal-pw")
    fallback_category = Category.objects.filter(parent__isnull=False).values_list("pk", flat=True).first()
    made, codes = [], []
    for i, link in enumerate(links):
        code = credentials.new_query_code()
        s = Submission(
            mailbox=mailbox,
            status=SubmissionStatus.REGISTERED,
            name=link.petitioner.name,
            kind=link.case.kind,
            category_id=link.case.category_id or fallback_category,
            place_name="压测",
            title="压测：门户办理进度页",
            content="压测",
            query_code_hash=credentials.query_code_hash(code),
            password=password,
            case=link.case,
        )
        s.set_identity(id_number(i), "13800000000")
        s.id_number_hash = link.petitioner.id_number_hash  # the case's petitioner, as registration links them
        s.save()
        made.append(s.pk)
        codes.append(code)
    times, queries = [], None
    try:
        for code in codes:
            client = Client()
            r = client.post("/portal/track/", {"query_code": code, "password": "bench-portal-pw"})
            assert r.status_code == 302, r.status_code
            client.get("/portal/track/case/")  # warm this letter's first read
            for _ in range(args.rounds):
                t = time.perf_counter()
                r = client.get("/portal/track/case/")
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200 and "办理情况" in r.content.decode()
            if queries is None:
                with CaptureQueriesContext(connection) as ctx:
                    client.get("/portal/track/case/")
                queries = len(ctx.captured_queries)
    finally:
        if not args.keep:
            Submission.objects.filter(pk__in=made).delete()
    vendor = connection.vendor
    print(
        f"portal case page, {vendor}, {total:,} cases, {len(codes)} letters x {args.rounds} GETs: "
        f"median {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms, p99 {pct(times, 99):.1f} ms, "
        f"max {max(times):.1f} ms, {queries} queries; load {os.getloadavg()[0]:.1f}"
    )


# --- letters per second over HTTP ----------------------------------------------------------------

ENV = {
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "xinfang.settings",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleS0=",
    "FIELD_HASH_KEY": "bench-only-lookup-hash-key",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_COOKIES": "0",
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG_LEVEL": "WARNING",
    "DB_CONN_MAX_AGE": "60",
    "SMS_BACKEND": "file",
    # One address sends every letter here: the per-address limits would stop it at once.
    "PORTAL_SMS_GAP_SECONDS": "0",
    "PORTAL_SMS_PER_PHONE_HOUR": "1000000",
    "PORTAL_SMS_PER_IP_HOUR": "1000000",
    "PORTAL_SUBMITS_PER_IP_DAY": "1000000",
    "PORTAL_SUBMITS_PER_ID_DAY": "1000000",
}


def prepare_submit_db(args) -> dict[str, str]:
    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    sms = Path(args.sms)
    sms.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["SMS_FILE_PATH"] = str(sms)
    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.core.management import call_command

    from xinfang.devdata.cast import build_cast
    from xinfang.portal.models import Mailbox

    call_command("migrate", verbosity=0)
    # DEBUG off serves the pages' CSS from the collected, hashed static files (the production set-up).
    call_command("collectstatic", interactive=False, verbosity=0)
    cast = build_cast()
    Mailbox.objects.create(name="县长信箱", org=cast.bureau, is_leader_mailbox=True, description="压测")
    from xinfang.cases.models import Category

    args.mailbox = Mailbox.objects.get().pk
    args.category = Category.objects.get(code="0201").pk
    return {k: os.environ[k] for k in [*ENV, "DATABASE_URL", "SMS_FILE_PATH"]}


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "xinfang.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--log-level=warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})  # noqa: S603 — our own command line
    deadline = time.monotonic() + 120  # a loaded machine takes long to import Django in each worker
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


class Browser:
    """One petitioner's browser: cookies kept, a new connection per request (sync workers close them)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location") or "", text


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SubmitRun:
    def __init__(self, args, counter):
        self.args, self.counter, self.lock = args, counter, threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def sms_code(self, masked: str) -> str:
        for _ in range(100):
            lines = Path(self.args.sms).read_text(encoding="utf-8").splitlines()
            for line in reversed(lines):
                record = json.loads(line)
                if record["to"] == masked:
                    found = re.search(r"验证码是(\d{6})", record["text"])
                    if found:
                        return found.group(1)
            time.sleep(0.01)
        raise RuntimeError(f"no SMS code for {masked}")

    def one(self) -> None:
        with self.lock:
            i = next(self.counter)
        phone = f"13{i // 10000 % 10}0000{i % 10000:04d}"
        masked = f"{phone[:3]}****{phone[-4:]}"
        b = Browser(self.args.port)
        t = time.perf_counter()
        try:
            status, _, html = b.request("GET", "/portal/write/")
            assert status == 200, f"write {status}"
            data = {
                "csrfmiddlewaretoken": CSRF.search(html).group(1),
                "name": "压测",
                "id_number": id_number(i),
                "phone": phone,
                "sms_code": "",
                "mailbox": str(self.args.mailbox),
                "kind": "claim",
                "category": str(self.args.category),
                "place_name": "清河县东岗镇前村",
                "accused_name": "",
                "title": "压测：小区电梯长期停运",
                "content": "压测：小区3号楼电梯停运两个月，物业公司一直不修，请有关部门督促解决。",
                "sms_consent": "on",
                "address": "",
                "division_code": "",
                "password1": "qinghe-2026",
                "password2": "qinghe-2026",
            }
            status, _, html = b.request("POST", "/portal/write/", {**data, "send_code": "1"})
            assert status == 200 and "验证码已发送" in html, f"send_code {status}"
            data["sms_code"] = self.sms_code(masked)
            status, where, _ = b.request("POST", "/portal/write/", {**data, "next": "1"})
            assert status == 302 and where.endswith("/write/confirm/"), f"next {status} {where}"
            status, _, html = b.request("GET", "/portal/write/confirm/")
            token = CSRF.search(html).group(1)
            status, where, _ = b.request(
                "POST", "/portal/write/confirm/", {"csrfmiddlewaretoken": token, "submit": "1"}
            )
            assert status == 302 and where.endswith("/write/done/"), f"submit {status} {where}"
            status, _, html = b.request("GET", "/portal/write/done/")
            assert status == 200 and 'class="code"' in html, f"receipt {status}"
        except (AssertionError, OSError, RuntimeError, AttributeError) as exc:
            with self.lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        with self.lock:
            self.latencies.append((time.perf_counter() - t) * 1000)


def submit(args) -> None:
    env = prepare_submit_db(args)
    proc = start_gunicorn(env, args.port, args.workers)
    counter = itertools.count(1)
    try:
        for clients in [int(c) for c in args.clients.split(",")]:
            run = SubmitRun(args, counter)
            load_before = os.getloadavg()[0]
            stop = time.monotonic() + args.seconds

            def loop(run=run, stop=stop):
                while time.monotonic() < stop:
                    run.one()

            threads = [threading.Thread(target=loop) for _ in range(clients)]
            start = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - start
            n = len(run.latencies)
            print(
                f"portal submit over HTTP, gunicorn {args.workers} sync workers, SQLite, {clients} client(s), "
                f"{wall:.1f} s: {n} letters, {n / wall:.2f} letters/s, per letter (5 requests) median "
                f"{statistics.median(run.latencies) if n else float('nan'):.0f} ms, p95 "
                f"{pct(run.latencies, 95) if n else float('nan'):.0f} ms, errors {len(run.errors)}"
                f"{' (' + run.errors[0] + ')' if run.errors else ''}; "
                f"load {load_before:.1f} → {os.getloadavg()[0]:.1f}"
            )
        from xinfang.portal.models import Submission

        print(f"letters stored: {Submission.objects.count()}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("case-page")
    p.add_argument("--letters", type=int, default=40)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--keep", action="store_true")
    s = sub.add_parser("submit")
    s.add_argument("--seconds", type=float, default=20)
    s.add_argument("--clients", default="1,8")
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--port", type=int, default=8137)
    s.add_argument("--db", default=str(ROOT / "var" / "bench_portal_submit.sqlite3"))
    s.add_argument("--sms", default=str(ROOT / "var" / "bench_portal_sms.log"))
    args = parser.parse_args()
    case_page(args) if args.what == "case-page" else submit(args)


if __name__ == "__main__":
    main()
