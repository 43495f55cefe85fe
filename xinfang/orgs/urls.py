"""/accounts/: logging in and out, the two-factor step, the account's security page."""

from django.contrib.auth import views as auth_views
from django.urls import path

from xinfang.orgs import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.verify, name="two_factor_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="account_security"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
