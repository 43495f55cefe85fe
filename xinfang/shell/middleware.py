"""Middleware of the site shell."""

from django.conf import settings
from django.http import Http404
from django.urls import get_resolver, get_urlconf


class ChineseNotFoundMiddleware:
    """Answer a view's ``Http404`` with the shell's Chinese 404 page when DEBUG is on, too.

    With DEBUG off Django already renders ``templates/404.html`` through the
    404 handler. With DEBUG on (``make run``) it shows its English technical
    page instead, so a developer never sees what users see, and a case
    outside the user's scope looks different from a missing one. Here the
    same handler answers in both modes.

    Only exceptions raised by views reach ``process_exception``: a URL that
    matches no pattern still gets Django's technical page in DEBUG mode,
    whose list of URL patterns is what a developer needs there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG or not isinstance(exception, Http404):
            return None  # production: Django's own 404 handling renders the same page
        handler = get_resolver(get_urlconf()).resolve_error_handler(404)
        return handler(request, exception=exception)


class AccessLogMiddleware:
    """The access log: one line per request, without its query string.

    A query string may carry personal data (a number typed into a GET form,
    a name); an access log keeps every URL for months. So the line is the
    method, the path, the status, the time taken and the staff user's id,
    and nothing of the query or the body. Production servers should write
    this logger ("xinfang.access") and turn their own access log off, or use
    a format without the query string (gunicorn: ``%(U)s``, not ``%(r)s``;
    see the README's deployment notes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import logging
        import time

        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        who = f"user={user.pk}" if user is not None and user.is_authenticated else "anonymous"
        logging.getLogger("xinfang.access").info(
            "%s %s %s %.0fms %s",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            who,
        )
        return response
