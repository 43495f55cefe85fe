"""Start-up refuses a trivial SECRET_KEY; HSTS follows SECURE_COOKIES; the API docs need a login or a token."""

import importlib.util
from pathlib import Path

import pytest

from xinfang.api.models import ApiToken
from xinfang.env import ConfigError, check_secret_key

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "settings.py"
GOOD_KEY = "k3Jd9-fQ2xLw8ZpR4tYv6NmB1cHs7GaE0uIo5WqT"
FIELD_KEY = "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA="


def load_settings(monkeypatch, **env):
    """Run settings.py afresh with this environment (the running settings are not touched)."""
    base = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "FIELD_ENCRYPTION_KEYS": FIELD_KEY, "FIELD_HASH_KEY": "hash-key"}
    for name, value in {**base, **env}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("fresh_settings", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("short-key", "is too short (9 characters)"),
        ("x" * 40, "is trivial (fewer than 5 distinct characters)"),
        ("dev-only-insecure-secret-key-do-not-deploy", "is the built-in development key"),
    ],
)
def test_start_up_refuses_a_trivial_secret_key_without_debug(monkeypatch, key, why):
    with pytest.raises(ConfigError) as refused:
        load_settings(monkeypatch, SECRET_KEY=key)
    message = str(refused.value)
    assert message.startswith(f"environment variable SECRET_KEY {why}; set SECRET_KEY to a random value")
    assert "at least 32 characters" in message and "secrets.token_urlsafe(48)" in message


def test_a_missing_secret_key_is_refused_and_a_good_one_starts(monkeypatch):
    with pytest.raises(ConfigError, match="environment variable SECRET_KEY is required"):
        load_settings(monkeypatch, SECRET_KEY=None)
    assert load_settings(monkeypatch).SECRET_KEY == GOOD_KEY


def test_debug_keeps_its_development_key(monkeypatch):
    loaded = load_settings(monkeypatch, DEBUG="1", SECRET_KEY=None)
    assert loaded.SECRET_KEY == "dev-only-insecure-secret-key-do-not-deploy"


def test_the_test_settings_key_passes_the_check():
    from django.conf import settings

    assert check_secret_key(settings.SECRET_KEY) == settings.SECRET_KEY


def test_hsts_follows_secure_cookies(monkeypatch):
    secure = load_settings(monkeypatch, SECURE_COOKIES="1")
    assert secure.SECURE_HSTS_SECONDS == 31536000
    assert secure.SECURE_HSTS_INCLUDE_SUBDOMAINS is False and secure.SECURE_HSTS_PRELOAD is False
    assert not hasattr(secure, "SECURE_PROXY_SSL_HEADER")
    assert load_settings(monkeypatch, SECURE_COOKIES="1", HSTS_SECONDS="600").SECURE_HSTS_SECONDS == 600
    assert load_settings(monkeypatch, SECURE_COOKIES="0").SECURE_HSTS_SECONDS == 0
    proxied = load_settings(monkeypatch, BEHIND_TLS_PROXY="1")
    assert proxied.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert load_settings(monkeypatch).API_DOCS_PUBLIC is False


@pytest.mark.django_db
def test_an_https_response_carries_hsts_when_cookies_are_secure(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")  # never over plain HTTP


# --- the API's docs --------------------------------------------------------------------------

DOCS_401 = {
    "code": "unauthenticated",
    "message": "接口文档须登录后查看：请先登录系统，或在 Authorization 头中提供有效的接口令牌（Bearer）",
    "field": None,
}


@pytest.mark.django_db
def test_the_api_docs_need_a_login_or_a_token(cast, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.json() == DOCS_401
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fapi%2Fv1%2Fdocs"
    # An API token reads the document (a script), a staff session both (a browser).
    _, token = ApiToken.issue(cast.statistician)
    with_token = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 200 and "paths" in with_token.json()
    bad = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer xf_not-a-token"})
    assert bad.status_code == 401
    client.force_login(cast.statistician)
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    # The docs' own assets are plain files, public like the rest of /static/.
    assert client.get("/api/v1/docs/assets/swagger-ui.css").status_code == 200


@pytest.mark.django_db
def test_the_api_docs_may_be_made_public(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_the_cache_is_per_process_unless_a_redis_is_named(monkeypatch):
    assert load_settings(monkeypatch).CACHES["default"]["BACKEND"].endswith("LocMemCache")
    shared = load_settings(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/1")
    assert shared.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(ConfigError, match="CACHE_URL must be empty"):
        load_settings(monkeypatch, CACHE_URL="memcached://x")


def test_two_processes_share_a_limit_through_the_redis_cache():
    import os

    from django.core.cache.backends.redis import RedisCache

    from xinfang.background.tests.test_redis import _redis_answers

    if not _redis_answers():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis required but nothing answers at 127.0.0.1:6379")
        pytest.skip("Redis not reachable")

    first, second = (RedisCache("redis://127.0.0.1:6379/1", {"KEY_PREFIX": "xinfang-test"}) for _ in range(2))
    first.delete("portal:limit")
    first.add("portal:limit", 0, 60)
    first.incr("portal:limit")
    assert second.incr("portal:limit") == 2  # a second connection (another process) sees the same count
    first.delete("portal:limit")
