"""With DEBUG on (`make run`), a view's 404 is still the Chinese page inside the shell."""

import re

import pytest

from xinfang.api.models import ApiToken
from xinfang.devdata.flow import register

pytestmark = pytest.mark.django_db

CHINESE_404 = "未找到该页面或信访件"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def _assert_chinese_404(response):
    assert response.status_code == 404
    body = response.content.decode()
    assert CHINESE_404 in body
    assert "所访问的内容不存在，或不在您的数据范围内。" in body
    assert "清河县信访局" in body  # inside the shell: the user's org in the top bar
    assert "Page not found" not in body and "DEBUG = True" not in body
    return body


def _without_csrf(body):
    """The page without its per-response CSRF tokens (masked differently each time)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", body)


def test_it_answers_a_missing_case_with_the_chinese_page_in_debug_mode(debug, login, cast):
    response = login(cast.registrar).get("/cases/999999/")
    _assert_chinese_404(response)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_it_answers_another_orgs_case_exactly_like_a_missing_one_in_debug_mode(debug, login, cast):
    theirs = register(cast.other_registrar)
    client = login(cast.registrar)
    other = _assert_chinese_404(client.get(f"/cases/{theirs.pk}/"))
    missing = _assert_chinese_404(client.get("/cases/999999/"))
    assert theirs.number not in other
    assert _without_csrf(other) == _without_csrf(missing)


def test_it_keeps_the_apis_json_404_in_debug_mode(debug, client, cast):
    token = ApiToken.issue(cast.registrar, "test")[1]
    response = client.get("/api/v1/cases/999999", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_leaves_the_production_404_unchanged(settings, login, cast):
    settings.DEBUG = False
    _assert_chinese_404(login(cast.registrar).get("/cases/999999/"))
