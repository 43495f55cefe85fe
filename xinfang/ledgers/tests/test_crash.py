"""Crash test: an import killed with ``kill -9`` in the middle leaves whole batches; a rerun finishes it.

A real process (``manage.py ledger_import``) imports a 300-row ledger in batches of 10 into a
database of its own (a new file on SQLite, a new database on PostgreSQL), migrated from nothing
by ``manage.py migrate``: a copy of the test database would lack the seeded dictionaries, rule
sets and calendar once any transactional test had flushed it. When about a third of the rows
are in, the process is killed, and the same command is run again. Then every ledger number is
in exactly once, each with one case, and no case exists without its ledger row.
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

ROOT = Path(settings.BASE_DIR)

COUNT = 300

SETUP = f"""
from xinfang.devdata.cast import build_cast
from xinfang.ledgers.models import LedgerImport
from xinfang.ledgers.sample import write
from xinfang.ledgers.importer import validate

cast = build_cast()
write("/tmp/ledger-crash-{os.getpid()}.csv", cast.bureau, {COUNT})
data = open("/tmp/ledger-crash-{os.getpid()}.csv", "rb").read()
imp = LedgerImport.objects.create(org=cast.bureau, created_by=cast.registrar, filename="crash.csv", data=data)
validate(imp)
print(imp.pk, imp.state, imp.total)
"""


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="xinfang.test_settings", DATABASE_URL=database_url, LOG_LEVEL="WARNING")
    return env


def _migrated(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture
def database_of_its_own(tmp_path):
    """A DATABASE_URL for a new database of the test's vendor, migrated, and a function querying it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "crash.sqlite3"

        def query(sql):
            with sqlite3.connect(path, timeout=20) as db:
                return db.execute(sql).fetchall()

        _migrated(f"sqlite:///{path}")
        yield f"sqlite:///{path}", query
        return
    import psycopg

    params = connection.settings_dict
    name = f"ledger_crash_{uuid.uuid4().hex[:8]}"
    conninfo = {"host": params["HOST"] or "127.0.0.1", "port": params["PORT"] or 5432, "user": params["USER"]}
    if params["PASSWORD"]:
        conninfo["password"] = params["PASSWORD"]

    def query(sql):
        with psycopg.connect(dbname=name, **conninfo) as db:
            return db.execute(sql).fetchall()

    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    url = f"postgres://{conninfo['user']}{password}@{conninfo['host']}:{conninfo['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _migrated(url)
        yield url, query
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _crash_and_rerun(database_url, query, tmp_path):
    env = _env(database_url)
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # A failed set-up says why (its output), rather than leaving nothing to unpack.
    assert setup.returncode == 0 and len(setup.stdout.split()) == 3, setup.stdout + setup.stderr[-3000:]
    pk, state, total = setup.stdout.split()
    assert (state, int(total)) == ("validated", COUNT), setup.stderr
    command = [sys.executable, "manage.py", "ledger_import", pk, "--batch", "10"]
    log = (tmp_path / "import.log").open("ab")
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while query("SELECT count(*) FROM ledgers_importedrow")[0][0] < COUNT // 3:
            assert first.poll() is None, (tmp_path / "import.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the import never got a third in"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # kill -9, in the middle of a batch
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = query("SELECT count(*) FROM ledgers_importedrow")[0][0]
    assert at_kill < COUNT, "the import must die with rows still to bring in"
    # Whole batches only: every case written has its ledger row, and the other way round.
    assert at_kill % 10 == 0
    assert query("SELECT count(*) FROM cases_case")[0][0] == at_kill

    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.stdout.strip() == "done", rerun.stderr[-2000:]
    assert query(
        "SELECT count(*), count(DISTINCT ledger_number), count(DISTINCT case_id) FROM ledgers_importedrow"
    ) == [(COUNT, COUNT, COUNT)]
    assert query("SELECT count(*) FROM cases_case")[0][0] == COUNT
    assert query(f"SELECT imported, skipped, state FROM ledgers_ledgerimport WHERE id = {pk}") == [
        (COUNT - at_kill, at_kill, "done")
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_an_import_killed_mid_way_leaves_no_half_row_and_a_rerun_finishes_on_sqlite(database_of_its_own, tmp_path):
    _crash_and_rerun(*database_of_its_own, tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL variant")
def test_an_import_killed_mid_way_leaves_no_half_row_and_a_rerun_finishes_on_postgresql(database_of_its_own, tmp_path):
    _crash_and_rerun(*database_of_its_own, tmp_path)
