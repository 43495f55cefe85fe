"""Logging in (the password, then the two-factor step), the lockout page, and the account's security page."""

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from xinfang.orgs import two_factor
from xinfang.orgs.acting import acting
from xinfang.orgs.lockout import locked_message

# The password was right; the second step is owed (the user is not logged in yet).
PENDING = "xf_two_factor_pending"
PENDING_SECONDS = 300
# A device being enrolled from the security page.
SETUP = "xf_two_factor_setup"

TIMED_OUT = "两步验证已超时，请重新登录。"


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying the login is paused (django-axes' AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked": locked_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


class LoginView(auth_views.LoginView):
    """Django's login, with a second step for those who enrolled a device or must enrol one."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.needs_second_step(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),  # real time: a security deadline
        }
        return redirect("two_factor_verify")


@login_not_required
def admin_login(request):
    """The admin logs in through the same page (lockout, two-factor step) as everyone else."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending:
        return None, None
    if time.time() - pending.get("since", 0) > PENDING_SECONDS:
        del request.session[PENDING]
        return None, TIMED_OUT
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[PENDING]
    return user, None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step: the authenticator's code (or, for someone who must enrol, enrolment first)."""
    user, problem = _pending_user(request)
    if user is None:
        login_url = reverse("login")
        return redirect(f"{login_url}?timeout=1" if problem else login_url)
    pending = request.session[PENDING]
    device = two_factor.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = two_factor.setup_device(user, pending.get("device"))
        pending["device"] = device.pk
        request.session.modified = True
    error = None
    if request.method == "POST":
        error = two_factor.check_code(device, request.POST.get("code", ""))
        if error is None:
            if enrolling:
                two_factor.confirm(device, request=request)
            del request.session[PENDING]
            request.xf_two_factor = True  # the login audit record says so (xinfang.orgs.signals)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        two_factor.record_failure(user, request, "登录时" + error.rstrip("。"))
    context = {
        "enrolling": enrolling,
        "error": error,
        "username": user.get_username(),
    }
    if enrolling:
        context.update(qr=two_factor.qr_svg(device), key=two_factor.manual_key(device))
    return render(request, "registration/two_factor.html", context, status=200)


@never_cache
@require_http_methods(["GET", "POST"])
def security(request):
    """账户安全: two-factor login (enrol, remove), with links to the password and the API tokens."""
    user = request.user
    device = two_factor.confirmed_device(user)
    required = two_factor.requires_two_factor(user)
    context = {"device": device, "required": required, "error": None}
    step = request.POST.get("step", "")
    if request.method == "POST" and step == "start" and device is None:
        setup = two_factor.setup_device(user)
        request.session[SETUP] = setup.pk
        return _setup_page(request, setup, context)
    if request.method == "POST" and step == "confirm" and device is None:
        setup = two_factor.setup_device(user, request.session.get(SETUP))
        request.session[SETUP] = setup.pk
        error = two_factor.check_code(setup, request.POST.get("code", ""))
        if error:
            two_factor.record_failure(user, request, "启用时" + error.rstrip("。"))
            context["error"] = error
            return _setup_page(request, setup, context)
        two_factor.confirm(setup, request=request)
        request.session.pop(SETUP, None)
        otp_login(request, setup)
        messages.success(request, "已启用两步验证：今后登录时，输入密码后还须输入验证器上的验证码。")
        return redirect("account_security")
    if request.method == "POST" and step == "remove" and device is not None:
        if required:
            context["error"] = "按规定您的账户须使用两步验证，不能停用；更换手机时请系统管理员重置。"
        else:
            error = two_factor.check_code(device, request.POST.get("code", ""))
            if error is None:
                two_factor.remove(user, actor=user, request=request, detail="本人停用两步验证")
                messages.success(request, "已停用两步验证。")
                return redirect("account_security")
            two_factor.record_failure(user, request, "停用时" + error.rstrip("。"))
            context["error"] = error
    return render(request, "orgs/security.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The person's own password (audited as 本人修改密码); other sessions of theirs end."""

    success_url = reverse_lazy("account_security")

    def form_valid(self, form):
        with acting(self.request):
            response = super().form_valid(form)
        messages.success(self.request, "密码已修改。")
        return response


def _setup_page(request, setup, context):
    context.update(setup=True, qr=two_factor.qr_svg(setup), key=two_factor.manual_key(setup))
    return render(request, "orgs/security.html", context)
