"""What the server answers a request from a lapsed session (no browser needed).

The browser half, keeping and restoring the typed text, is in
e2e/test_session_expiry.py.
"""

import pytest

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
EXPIRED = "登录已过期，请重新登录"
SAVED = "登录已过期，请重新登录，您填写的内容已保存在本机，登录后自动恢复"


def test_it_answers_an_anonymous_htmx_action_form_with_401_and_the_forms_own_page_to_log_in_for(client):
    response = client.post(
        "/cases/5/act/assign/",
        {"note": "请依法办理"},
        headers={**HTMX, "HX-Current-URL": "http://testserver/cases/5/"},
    )

    assert response.status_code == 401
    assert response.content.decode() == EXPIRED
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Login-URL"] == "/accounts/login/?next=/cases/5/act/assign/&expired=1"
    assert "HX-Request" in response["Vary"]


def test_it_sends_a_lapsed_htmx_lookup_back_to_the_page_it_was_made_from(client):
    response = client.post(
        "/cases/new/lookup/", {"q": "张三"}, headers={**HTMX, "HX-Current-URL": "http://testserver/cases/new/"}
    )

    assert response.status_code == 401
    assert response["X-Login-URL"] == "/accounts/login/?next=/cases/new/&expired=1"


def test_it_keeps_the_query_of_the_page_to_come_back_to(client):
    response = client.get(
        "/clock/due/?start=2024-09-27&days=5",
        headers={**HTMX, "HX-Current-URL": "http://testserver/clock/?year=2024"},
    )

    assert response.status_code == 401
    assert response["X-Login-URL"] == "/accounts/login/?next=/clock/%3Fyear%3D2024&expired=1"


def test_it_never_sends_a_lapsed_htmx_request_to_another_site_after_login(client):
    response = client.post(
        "/petitioners/", {"q": "张三"}, headers={**HTMX, "HX-Current-URL": "https://evil.example/petitioners/"}
    )

    assert response.status_code == 401
    assert response["X-Login-URL"] == "/accounts/login/?next=/&expired=1"


def test_it_still_redirects_an_anonymous_page_request_to_the_login_page(client):
    response = client.get("/cases/5/act/assign/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cases/5/act/assign/"
    assert "HX-Request" in response["Vary"]


def test_it_redirects_a_boosted_htmx_navigation_like_a_page_request(client):
    response = client.get("/cases/", headers={**HTMX, "HX-Boosted": "true"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cases/"


def test_it_answers_a_logged_in_htmx_request_as_before(client, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="pw-for-this-test")
    client.force_login(user)

    response = client.get("/cases/5/act/assign/", headers=HTMX)

    assert response.status_code == 404  # no such case: the view answered, not the login requirement


def test_it_says_on_the_login_page_that_the_session_lapsed_and_the_typed_text_is_kept(client):
    assert SAVED in client.get("/accounts/login/?next=/cases/5/act/assign/&expired=1&draft=1").content.decode()
    page = client.get("/accounts/login/?next=/cases/5/&expired=1").content.decode()
    assert EXPIRED in page and SAVED not in page
    assert EXPIRED not in client.get("/accounts/login/?next=/cases/").content.decode()
