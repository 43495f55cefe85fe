import importlib

import pytest
from django.apps import apps

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)


@pytest.fixture(autouse=True)
def _kinds(request):
    """The seeded kinds (a transactional test elsewhere in this process may have flushed them)."""
    names = request.fixturenames
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    importlib.import_module("xinfang.notifications.migrations.0002_seed_notification_kinds").seed(apps, None)


@pytest.fixture
def sms_file(tmp_path, settings):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"
