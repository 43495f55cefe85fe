"""The portal is a site of its own: its prefix or host, its pages, its cookie, and nothing of the staff site."""

import re

import pytest
from django.test import override_settings
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from xinfang.middleware import CSP
from xinfang.portal.site import urlconf_for

pytestmark = pytest.mark.django_db

PORTAL_HOST = "xinfang-portal.example.test"
STAFF_LINKS = ('href="/"', 'href="/cases', 'href="/accounts', 'href="/admin', 'href="/api', 'action="/accounts')


def _sample(pattern) -> str | None:
    """A path that the pattern matches, with every parameter 1 (None for a regex we cannot fill)."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", "1", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text.removeprefix("^").removesuffix("$").removesuffix("\\Z"))
    return None if re.search(r"[\\()\[\]*+?|^$]", text) else text


def sample_paths(patterns, prefix=""):
    for p in patterns:
        route = _sample(p.pattern)
        if route is None:
            continue
        if isinstance(p, URLResolver):
            yield from sample_paths(p.url_patterns, prefix + route)
        else:
            yield prefix + route


def staff_paths() -> list[str]:
    return sorted(set(sample_paths(get_resolver("xinfang.urls").url_patterns)))


def assert_no_staff_links(html: str) -> None:
    for link in STAFF_LINKS:
        assert link not in html, link


def test_the_portal_home_is_served_under_its_prefix_with_no_link_to_the_staff_site(client):
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>网上信访</title>" in html
    assert 'href="/portal/"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html  # the portal needs no JavaScript
    assert_no_staff_links(html)


def test_the_prefix_without_its_slash_leads_to_the_portal(client):
    response = client.get("/portal")
    assert response.status_code == 301
    assert response["Location"] == "/portal/"


def test_portal_pages_carry_the_staff_sites_content_security_policy(client):
    portal = client.get("/portal/")
    staff = client.get("/accounts/login/")
    assert portal["Content-Security-Policy"] == staff["Content-Security-Policy"] == CSP
    assert portal["X-Frame-Options"] == "DENY"
    assert "no-cache" in portal["Cache-Control"]


def test_a_portal_url_that_does_not_exist_is_the_portals_own_404(client):
    response = client.get("/portal/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>页面不存在</h1>" in html
    assert '<a class="button" href="/portal/">返回首页</a>' in html
    assert_no_staff_links(html)


def test_no_staff_route_is_reachable_through_the_portal_prefix(client):
    paths = staff_paths()
    assert {"accounts/login/", "cases/1/", "admin/", "api/v1/cases", "cases/new/"} <= set(paths)
    assert len(paths) > 50
    for path in paths:
        if path == "":
            continue  # the staff home; /portal/ is the portal's own home
        for method in (client.get, client.post):
            response = method(f"/portal/{path}")
            assert response.status_code == 404, path
            assert [t.name for t in response.templates][:1] == ["portal/error.html"], path


@override_settings(PORTAL_HOST=PORTAL_HOST, ALLOWED_HOSTS=["testserver", PORTAL_HOST])
def test_no_staff_route_is_reachable_on_the_portals_own_host(client):
    home = client.get("/", headers={"host": PORTAL_HOST})
    assert home.status_code == 200
    assert 'href="/"' in home.content.decode()  # the portal's home is its host's root
    for path in staff_paths():
        if path == "":
            continue
        response = client.get(f"/{path}", headers={"host": PORTAL_HOST})
        assert response.status_code == 404, path
        assert "<h1>页面不存在</h1>" in response.content.decode(), path


@override_settings(PORTAL_HOST=PORTAL_HOST, ALLOWED_HOSTS=["testserver", PORTAL_HOST])
def test_with_its_own_host_the_portal_is_not_under_the_staff_sites_prefix(client):
    assert client.get("/portal/").status_code == 404


def test_every_portal_url_is_a_portal_view():
    for prefix in ("/portal/", "/"):
        conf = urlconf_for(prefix)
        resolver = get_resolver(conf)
        paths = list(sample_paths(resolver.url_patterns))
        assert paths
        for path in paths:
            match = resolver.resolve("/" + path)
            assert match.func.__module__.startswith("xinfang.portal."), path
            assert match.namespace == "portal", path


def test_a_staff_login_is_not_seen_on_the_portal(cast, login):
    client = login(cast.registrar)
    staff = client.get("/cases/")
    assert staff.status_code == 200
    response = client.get("/portal/")
    assert response.context["user"].is_authenticated is False
    assert "registrar" not in response.content.decode()
    # Nor is the staff session touched: no cookie is set for it.
    assert "sessionid" not in response.cookies
