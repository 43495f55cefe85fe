import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)


@pytest.fixture(autouse=True)
def _seeds(request):
    """The seeded kinds and the national ladder (a transactional test elsewhere may have flushed them)."""
    names = request.fixturenames
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)
    importlib.import_module("xinfang.escalation.migrations.0002_seed_national_ladder").seed(apps, None)
    importlib.import_module("xinfang.escalation.migrations.0003_sms_for_lapses").forward(apps, None)


@pytest.fixture
def sweep_on(clock):
    """Move the clock to a date and run the sweep there; returns the SweepResult."""
    from xinfang.escalation.sweep import run_sweep

    def _sweep(day: date):
        clock.set(day)
        return run_sweep()

    return _sweep


def days(d: date, n: int) -> date:
    return d + timedelta(days=n)


@pytest.fixture
def token_for():
    from xinfang.api.models import ApiToken

    def _token(user, name="test"):
        return ApiToken.issue(user, name)[1]

    return _token
