"""The staff sign-in backend: Django's ``ModelBackend``, with the user's org read in the same query.

Every staff page uses ``request.user.org`` (the scope, the navigation, the actor of every
action), so reading it with the user saves a round trip on each request.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from xinfang.orgs.models import User


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("org").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
