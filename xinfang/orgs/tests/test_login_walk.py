"""Every staff page requires login: walk every URL pattern anonymously."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Pages that are public on purpose, and the API (token auth, answers 401 itself).
PUBLIC = {"/accounts/login/", "/healthz", "/admin/login/"}
PUBLIC_PREFIXES = ("/static/", "/api/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
    route = re.sub(r"<(?:int:)?\w+>", "1", route)
    route = re.sub(r"<(?:slug|str|path|uuid):?\w*>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(r"[\^\$\?\*\+\\]", "", route)
    return "/" + route


def test_every_url_pattern_requires_login(client):
    routes = sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)})
    assert len(routes) > 5
    checked = 0
    for url in routes:
        if url in PUBLIC or url.startswith(PUBLIC_PREFIXES):
            continue
        response = client.get(url)
        if response.status_code == 404:
            continue  # a pattern our substitution did not fit (e.g. admin's regex routes)
        assert response.status_code == 302, url
        assert "/login/" in response.headers["Location"], url
        checked += 1
    assert checked > 5
