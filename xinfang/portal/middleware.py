"""The portal's request routing and its own session cookie.

Placed right after Django's SessionMiddleware. For a portal request it
swaps in the portal's URLconf and a session read from the portal's own
cookie (``PORTAL_SESSION_COOKIE_NAME``, limited to the portal's path), so a
staff login is never read on the portal and a portal session never reaches
the staff site: the authentication middleware after this one finds no staff
user in the portal session, and a petitioner is never a staff user. On the
way out the portal session is saved under the portal's cookie and the
staff session, untouched, is put back, so the staff session middleware
writes nothing.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from xinfang.portal.site import PortalSite, site_for, urlconf_for


class PortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        site = site_for(request)
        if site is None:
            return self.get_response(request)
        request.urlconf = urlconf_for(site.prefix)
        request.portal = site
        staff_session = getattr(request, "session", None)
        portal_session = self.store(request.COOKIES.get(settings.PORTAL_SESSION_COOKIE_NAME))
        request.session = portal_session
        try:
            response = self.get_response(request)
            self._save(request, response, portal_session, site)
        finally:
            request.session = staff_session
            # The access log reads the user after this: never the staff session's user.
            request.user = AnonymousUser()
        return response

    def _save(self, request, response, session, site: PortalSite) -> None:
        """Django's SessionMiddleware.process_response, with the portal's cookie name, path and age."""
        name = settings.PORTAL_SESSION_COOKIE_NAME
        if name in request.COOKIES and session.is_empty():
            response.delete_cookie(name, path=site.cookie_path, samesite="Lax")
            patch_vary_headers(response, ("Cookie",))
            return
        if session.accessed:
            patch_vary_headers(response, ("Cookie",))
        if not session.modified or session.is_empty() or response.status_code >= 500:
            return
        age = settings.PORTAL_SESSION_AGE
        session.set_expiry(age)
        try:
            session.save()
        except UpdateError:
            raise SessionInterrupted("The portal session was deleted before the request completed.") from None
        response.set_cookie(
            name,
            session.session_key,
            max_age=age,
            expires=http_date(time.time() + age),
            path=site.cookie_path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
