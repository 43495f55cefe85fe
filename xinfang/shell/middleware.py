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
