"""Security headers the whole site needs."""

from django.conf import settings

# Strict: nothing from other origins, no inline script or style. htmx's own
# indicator <style> is switched off with a meta tag in base.html.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API's interactive docs page needs its own bundled assets only.
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "CSP", CSP))
        return response
