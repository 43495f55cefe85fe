import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.api.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db

UNAUTH = {"code": "unauthenticated"}


def test_create_api_token_prints_the_token_last_and_stores_only_its_hash(cast, capsys, client):
    call_command("create_api_token", "registrar", "--name", "热线对接")
    out = capsys.readouterr().out.strip().splitlines()
    token = out[-1]
    assert token.startswith("xf_") and len(token) > 40
    row = ApiToken.objects.get(user=cast.registrar)
    assert row.name == "热线对接"
    assert row.key_hash == hash_token(token) and token not in (row.key_hash, row.prefix)
    assert token.startswith(row.prefix)
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_create_api_token_refuses_unknown_user(cast):
    with pytest.raises(CommandError):
        call_command("create_api_token", "no-such-user")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer xf_not-a-real-token"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}],
)
def test_it_answers_401_json_without_a_valid_token(cast, client, headers):
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message"] and "field" in body


def test_a_revoked_token_or_inactive_user_gets_401(cast, token_for, client):
    token = token_for(cast.registrar)
    ok = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    ApiToken.objects.update(revoked=True)
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    ApiToken.objects.update(revoked=False)
    cast.registrar.is_active = False
    cast.registrar.save()
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_session_login_is_not_enough(cast, client):
    # Tokens only: a browser session would need CSRF protection on writes.
    client.force_login(cast.registrar)
    assert client.get("/api/v1/cases").status_code == 401
    assert client.post("/api/v1/cases", data="{}", content_type="application/json").status_code == 401


def test_writes_need_no_csrf_token_with_a_bearer_token(cast, api_as, settings):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    token = ApiToken.issue(cast.registrar)[1]
    response = csrf_client.post(
        "/api/v1/petitioners",
        data='{"name": "李四"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
