"""With TWO_FACTOR_REQUIRED on, a session that skipped the two-factor step is ended."""

from django.conf import settings
from django.contrib.auth import logout

from xinfang.orgs.two_factor import requires_two_factor


class TwoFactorRequiredMiddleware:
    """After django-otp's OTPMiddleware, before the login requirement.

    A login through the login page always passes the second step when it is
    owed; a session of an administrator or a reveal role that was not
    verified (opened before the setting was turned on, or by other means) is
    logged out here, and the login requirement then sends the person to the
    login page like any lapsed session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            logout(request)
        return self.get_response(request)
