"""Crash test: a real worker killed with SIGKILL in the middle of delivery loses and doubles nothing.

200 due notifications with an SMS each; the worker (``manage.py worker``, a
separate process on a file database) sends them to a fake gateway on
127.0.0.1 that takes 10 ms a message; when the gateway has received about a
third, the worker is killed with ``kill -9`` and started again. Then every
delivery is sent, and the gateway has received each delivery's key, with
repeats (the killed batch, sent again after its lease) only ever of the
same key: exactly once in effect for a gateway that honours the key.

On SQLite the test database is copied to a file; on PostgreSQL it is cloned
as a template into a database of its own. The worker and the set-up script
run as processes against that copy; the test only reads it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from xinfang.notifications.tests.fakegateway import FakeGateway

ROOT = Path(settings.BASE_DIR)
COUNT = 200

SETUP = f"""
import importlib
from django.apps import apps
from django.db import transaction
from xinfang.notifications import notify
from xinfang.notifications.models import ChannelPreference, NotificationKind, StaffContact
from xinfang.orgs.models import User

importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)
user = User.objects.create_user(username="crash", password="x", full_name="承办人")
StaffContact.objects.create(user=user, mobile="13912345678")
ChannelPreference.objects.create(user=user, kind=NotificationKind.objects.get(code="case.handler"), sms=True)
with transaction.atomic():
    for i in range({COUNT}):
        notify("case.handler", users=[user], dedupe=f"crash:{{i}}", context={{"case_number": f"XF-{{i}}"}})
print("ok")
"""


@pytest.fixture
def copy_of_the_test_database(tmp_path, transactional_db):
    """A DATABASE_URL for a fresh copy of the migrated test database (no test's rows), and a query function."""
    if True:
        if connection.vendor == "sqlite":
            path = tmp_path / "crash.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()

            def query(sql):
                with sqlite3.connect(path, timeout=20) as db:
                    return db.execute(sql).fetchall()

            yield f"sqlite:///{path}", query
            return
        import psycopg

        params = connection.settings_dict
        name = f"crash_{uuid.uuid4().hex[:8]}"
        template = params["NAME"]
        connection.close()
        conninfo = dict(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"])
        if params["PASSWORD"]:
            conninfo["password"] = params["PASSWORD"]
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

        def query(sql):
            with psycopg.connect(dbname=name, **conninfo) as db:
                return db.execute(sql).fetchall()

        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        try:
            yield f"postgres://{conninfo['user']}{password}@{conninfo['host']}:{conninfo['port']}/{name}", query
        finally:
            with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, gateway_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.test_settings",
        DATABASE_URL=database_url,
        TASKS_BACKEND="database",
        TASKS_QUEUE="crash",
        SMS_BACKEND="http",
        SMS_HTTP_URL=gateway_url,
        NOTIFY_BATCH="10",
        NOTIFY_LEASE_SECONDS="3",  # a killed worker's batch comes back after 3 s
        NOTIFY_SWEEP_SECONDS="2",
        SCHEDULER_TICK_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return env


def _start_worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(predicate, *, timeout: float, what: str):
    """Poll the other process's progress (real time passes there; nothing here is simulated)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _crash_and_recover(copy_of_the_test_database, tmp_path):
    database_url, query = copy_of_the_test_database
    log = tmp_path / "worker.log"
    with FakeGateway(delay=0.01) as gateway:
        env = _env(database_url, gateway.url)
        setup = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", SETUP],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert setup.stdout.strip() == "ok", setup.stderr
        keys = {k for (k,) in query("SELECT key FROM notifications_delivery")}
        assert len(keys) == COUNT

        worker = _start_worker(env, log)
        try:
            _wait(lambda: len(gateway.requests) >= COUNT // 3, timeout=90, what="the first deliveries")
            os.kill(worker.pid, signal.SIGKILL)  # kill -9, in the middle of a batch
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        at_kill = len(gateway.requests)
        unsent = query("SELECT count(*) FROM notifications_delivery WHERE status = 'pending'")[0][0]
        assert 0 < unsent < COUNT, "the worker must die with deliveries still to send"

        worker = _start_worker(env, log)
        try:
            _wait(
                lambda: query("SELECT count(*) FROM notifications_delivery WHERE status = 'sent'")[0][0] == COUNT,
                timeout=120,
                what=f"every delivery to be sent (log: {log.read_text(errors='replace')[-2000:]})",
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()

        received = gateway.keys()
        assert set(received) == keys  # every key reached the gateway
        assert len(received) >= COUNT  # duplicates allowed, but only of a key it already had
        assert all(k in keys for k in received)
        assert query("SELECT status, count(*) FROM notifications_delivery GROUP BY status") == [("sent", COUNT)]
        return at_kill, len(received) - COUNT


def test_a_worker_killed_mid_delivery_loses_and_doubles_nothing_on_sqlite(copy_of_the_test_database, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    _crash_and_recover(copy_of_the_test_database, tmp_path)


@pytest.mark.postgres
def test_a_worker_killed_mid_delivery_loses_and_doubles_nothing_on_postgresql(copy_of_the_test_database, tmp_path):
    _crash_and_recover(copy_of_the_test_database, tmp_path)
