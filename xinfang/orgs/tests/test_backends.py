"""Signing in: the user's org comes with the user, and sessions signed in before still work."""

from django.contrib.auth import BACKEND_SESSION_KEY, get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext


def test_a_signed_in_users_org_is_read_with_the_user(cast, client):
    client.force_login(cast.registrar, backend="xinfang.orgs.backends.StaffBackend")
    request = RequestFactory().get("/")
    request.session = client.session
    with CaptureQueriesContext(connection) as queries:
        user = get_user(request)
        assert user.org.name == "清河县信访局"
    session, users = (q["sql"] for q in queries.captured_queries)  # the org: no query of its own
    assert '"django_session"' in session and 'FROM "orgs_user" LEFT OUTER JOIN "orgs_org"' in users


def test_a_session_signed_in_through_model_backend_keeps_working(cast, client):
    client.force_login(cast.registrar, backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/cases/").status_code == 200


def test_the_sign_in_form_signs_in_through_staff_backend(cast, client):
    cast.registrar.set_password("qinghe-test-2026")
    cast.registrar.save()
    client.post("/accounts/login/", {"username": cast.registrar.username, "password": "qinghe-test-2026"})
    assert client.session[BACKEND_SESSION_KEY] == "xinfang.orgs.backends.StaffBackend"
