import pytest

from xinfang.devdata.cast import shared_cast


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are skipped at collection on another database (not inside each test)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL (this run uses {connection.vendor})")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def cast(db):
    """The fixed cast (xinfang/devdata/cast.py), built once per test process and restored for each test."""
    return shared_cast()


@pytest.fixture
def login(client):
    """Log the test client in as one of the cast and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def clock():
    """The clock seam (xinfang.core.clock) under the test's control: set(when), advance(days=...)."""
    from xinfang.core.clock import TestClock

    test_clock = TestClock()
    yield test_clock
    test_clock.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the cast reuses primary keys, so cached values would leak)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
