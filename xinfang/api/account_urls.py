"""/accounts/tokens/: the staff screen of one's own API tokens (a login, not a token, like every page)."""

from django.urls import path

from xinfang.api import views

urlpatterns = [
    path("", views.my_tokens, name="api_tokens"),
    path("<int:pk>/revoke/", views.revoke_token, name="api_token_revoke"),
]
