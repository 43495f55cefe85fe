"""Bearer-token authentication for staff (`Authorization: Bearer xf_...`).

Tokens only: a browser session is not accepted, so the API needs no CSRF
exemption for cookie-authenticated writes.
"""

from ninja.security import HttpBearer

from xinfang.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token.strip())
        if user is None:
            return None
        # The access layer and the actions read the acting user from here.
        request.user = user
        return user
