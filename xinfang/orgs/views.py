"""Logging in: the password step, the lockout page."""

from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from xinfang.orgs.lockout import locked_message


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying the login is paused (django-axes' AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked": locked_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
