"""/api/v1/: the API authenticates by token itself, so the site-wide
LoginRequiredMiddleware must let every API URL through (it answers 401 JSON,
never a redirect to the login page)."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path, re_path

from xinfang.api import docs, errors
from xinfang.api.api import api

app_name = "api"


def _public(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


def _exempt(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            _exempt(p.url_patterns)
        elif isinstance(p, URLPattern):
            p.callback = _public(p.callback)
    return patterns


_ninja_patterns, _app_name, _namespace = api.urls

urlpatterns = _exempt(
    [
        path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
        *_ninja_patterns,
        # Last: whatever no operation matches (/cases/abc, /nowhere) is a JSON 404 too, not a page.
        re_path(r"^.*$", errors.not_found_view(api), name="not-found"),
    ]
)
