import pytest

from xinfang.devdata.cast import build_cast


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def login(client):
    """Log the test client in as one of the cast and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
