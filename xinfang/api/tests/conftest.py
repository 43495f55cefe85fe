import json

import pytest

from xinfang.api.models import ApiToken


class ApiClient:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self._headers())

    def post(self, url, data=None):
        return self.client.post(
            url, data=json.dumps(data or {}, default=str), content_type="application/json", headers=self._headers()
        )


@pytest.fixture
def token_for():
    def _token(user, name="test"):
        return ApiToken.issue(user, name)[1]

    return _token


@pytest.fixture
def api_as(client, token_for):
    """api_as(user) -> a JSON client authenticated with a fresh token for that user."""

    def _as(user):
        return ApiClient(client, token_for(user))

    return _as
