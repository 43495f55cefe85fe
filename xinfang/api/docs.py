"""The interactive API docs, served entirely from this server.

django-ninja renders Swagger UI from a CDN unless "ninja" is an installed
app; on an offline intranet under a strict CSP neither a CDN nor the
installed-app route is wanted, so this page uses the Swagger UI files that
ship inside the django-ninja package, served by `asset` below. The page has
no inline script: ninja's swagger-ui-init.js reads its settings from a JSON
<script type="application/json"> block.
"""

import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"})


class BundledSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": False,
        }
        context = {
            "api": api,
            "swagger_settings": settings,
            "assets": reverse(f"{api.urls_namespace}:docs-asset", args=["x"])[:-1],
        }
        return render(request, "api/docs.html", context)


def asset(request, name):
    if name not in ASSETS:
        raise Http404("no such asset")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    patch_cache_control(response, public=True, max_age=86400)
    return response
