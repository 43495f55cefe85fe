import pytest

from xinfang.cases import outbox
from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)


@pytest.fixture
def drain():
    """Run the outbox consumers of supervision and notifications, as the worker would."""

    def _drain():
        outbox.drain("supervision")
        outbox.drain("notifications")

    return _drain


# The API's own client fixtures (a token per user), for test_api.
from xinfang.api.tests.conftest import api_as, token_for  # noqa: E402, F401
