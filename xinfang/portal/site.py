"""Which requests belong to the portal, and the portal's own URLconf.

The portal is a separate site inside the same process: on its own host name
(``PORTAL_HOST``) or, without one, under a path prefix (``PORTAL_PREFIX``,
``/portal/`` by default, so ``make run`` shows it). A portal request is
resolved against ``PortalURLConf`` alone, which includes nothing of the
staff site, so no staff route can be reached through the portal's host or
prefix, and the staff URLconf includes nothing of the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import include, path


@dataclass(frozen=True)
class PortalSite:
    prefix: str  # "/" on the portal's own host, else e.g. "/portal/"
    cookie_path: str


def _host(request) -> str:
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


def site_for(request) -> PortalSite | None:
    """The portal site this request is for, or None for the staff site."""
    portal_host = settings.PORTAL_HOST
    if portal_host:
        return PortalSite("/", "/") if _host(request).lower() == portal_host.lower() else None
    prefix = settings.PORTAL_PREFIX
    if prefix and (request.path_info.startswith(prefix) or request.path_info == prefix.rstrip("/")):
        return PortalSite(prefix, prefix)
    return None


class PortalURLConf:
    """The portal's root URLconf for one prefix: the portal's routes and its error pages, nothing else.

    An object rather than a module so the prefix can be a setting; Django
    caches resolvers by URLconf, so there is one instance per prefix
    (``urlconf_for``).
    """

    def __init__(self, prefix: str):
        from xinfang.portal import views

        self.prefix = prefix
        self.urlpatterns = [path(prefix.lstrip("/"), include("xinfang.portal.urls"))]
        self.handler400 = views.bad_request
        self.handler403 = views.forbidden
        self.handler404 = views.not_found
        self.handler500 = views.server_error

    def __repr__(self) -> str:
        return f"<PortalURLConf {self.prefix}>"


@cache
def urlconf_for(prefix: str) -> PortalURLConf:
    return PortalURLConf(prefix)
