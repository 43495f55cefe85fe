"""Two-factor login (TOTP): optional enrolment, the step after the password, required roles, audit."""

import time

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.devdata.cast import PASSWORD
from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.orgs.views import PENDING

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SECURITY = "/accounts/security/"


def code_for(device, *, steps_ahead=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    right = {code_for(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def _password(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_without_the_setting_a_password_alone_logs_in(cast, client):
    response = _password(client, "officer")
    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in_as(client) == str(cast.officer.pk)


def test_a_staff_member_enrols_on_the_security_page(cast, client):
    client.force_login(cast.handler)
    page = client.get(SECURITY).content.decode()
    assert "两步验证" in page and "未启用" in page and "启用两步验证" in page
    response = client.post(SECURITY, {"step": "start"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg role="img" aria-label="两步验证二维码"' in html and "<script" not in html.split("<svg", 1)[1]
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg and "http" not in svg
    device = TOTPDevice.objects.get(user=cast.handler, confirmed=False)
    key = html.split('<code class="manual-key">', 1)[1].split("</code>", 1)[0]
    assert key.replace(" ", "") and len(key.replace(" ", "")) == 32
    response = client.post(SECURITY, {"step": "confirm", "code": wrong_code(device)})
    assert "验证码不正确，请重新输入。" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(SECURITY, {"step": "confirm", "code": code_for(device)}, follow=True)
    assert "已启用两步验证：今后登录时，输入密码后还须输入验证器上的验证码。" in response.content.decode()
    assert TOTPDevice.objects.get(user=cast.handler).confirmed
    enabled = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_ENABLED)
    assert enabled.actor == cast.handler and enabled.target == "handler" and enabled.detail == "启用两步验证（验证器）"
    failed = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_FAILED)
    assert failed.detail == "启用时验证码不正确，请重新输入"


def test_an_enrolled_staff_member_gives_the_code_after_the_password(cast, client):
    device = enrolled(cast.handler)
    response = _password(client, "handler", next_url="/cases/")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert _logged_in_as(client) is None  # not logged in until the code
    assert client.get("/cases/").status_code == 302
    page = client.get(VERIFY).content.decode()
    assert "请打开手机上的验证器，输入账户 handler 当前显示的6位验证码。" in page and "<svg" not in page
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200 and "验证码不正确，请重新输入。" in response.content.decode()
    assert _logged_in_as(client) is None
    response = client.post(VERIFY, {"code": "12ab"})
    assert "请输入验证器上显示的6位数字验证码。" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    code = code_for(device)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert _logged_in_as(client) == str(cast.handler.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor == cast.handler and login.detail == "密码和两步验证码"
    failures = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=cast.handler)
    assert list(failures.order_by("pk").values_list("detail", flat=True)) == [
        "登录时验证码不正确，请重新输入",
        "登录时请输入验证器上显示的6位数字验证码",
    ]
    # The same code is not accepted twice (the one given, not the current one: a 30-second
    # step may have begun since, and its new code is rightly accepted).
    client.logout()
    _password(client, "handler")
    assert "验证码不正确，请重新输入。" in client.post(VERIFY, {"code": code}).content.decode()


def test_wrong_codes_slow_further_tries(cast, client):
    device = enrolled(cast.handler)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    _password(client, "handler")
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "验证码错误次数过多，请稍等片刻再试。" in response.content.decode()
    assert _logged_in_as(client) is None


def test_the_second_step_times_out(cast, client):
    enrolled(cast.handler)
    _password(client, "handler")
    session = client.session
    session[PENDING] = {**session[PENDING], "since": time.time() - 301}
    session.save()
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?timeout=1"
    assert "两步验证已超时，请重新登录。" in client.get(response["Location"]).content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN


def test_the_verify_page_without_a_password_goes_back_to_the_login(cast, client):
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_setting_makes_administrators_and_reveal_roles_enrol_at_login(cast, client, settings):
    settings.TWO_FACTOR_REQUIRED = True
    response = _password(client, "officer")
    assert response["Location"] == VERIFY
    page = client.get(VERIFY).content.decode()
    assert "按规定，您的账户（officer）须使用两步验证。" in page and '<svg role="img"' in page
    assert "启用并登录" in page
    device = TOTPDevice.objects.get(user=cast.officer, confirmed=False)
    # Reloading keeps the same key (the person may be scanning it).
    client.get(VERIFY)
    assert TOTPDevice.objects.get(user=cast.officer).pk == device.pk
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in_as(client) == str(cast.officer.pk)
    assert TOTPDevice.objects.get(user=cast.officer).confirmed
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=cast.officer).exists()
    assert client.get("/cases/").status_code == 200  # the verified session goes on

    admin_client = Client()
    assert _password(admin_client, "admin")["Location"] == VERIFY  # the administrator role
    other = Client()
    response = _password(other, "statistician")  # may not reveal personal data: optional
    assert response["Location"] == "/" and _logged_in_as(other) == str(cast.statistician.pk)


def test_with_the_setting_an_unverified_session_of_a_required_role_is_ended(cast, client, settings):
    client.force_login(cast.registrar)
    assert client.get("/cases/").status_code == 200
    settings.TWO_FACTOR_REQUIRED = True
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert _logged_in_as(client) is None
    client.force_login(cast.supervisor)  # not a required role
    assert client.get("/cases/").status_code == 200


def test_a_staff_member_removes_their_device_with_a_code(cast, client):
    device = enrolled(cast.handler)
    client.force_login(cast.handler)
    page = client.get(SECURITY).content.decode()
    assert "已启用：登录时输入密码后，还须输入手机验证器上的6位验证码。" in page
    response = client.post(SECURITY, {"step": "remove", "code": wrong_code(device)})
    assert "验证码不正确，请重新输入。" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(SECURITY, {"step": "remove", "code": code_for(device)}, follow=True)
    assert "已停用两步验证。" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.handler).exists()
    removed = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_DISABLED)
    assert removed.actor == cast.handler and removed.detail == "本人停用两步验证"
    client.logout()
    assert _password(client, "handler")["Location"] == "/"


def test_a_required_role_may_not_remove_its_device(cast, client, settings):
    settings.TWO_FACTOR_REQUIRED = True
    device = enrolled(cast.handler)
    _password(client, "handler")
    client.post(VERIFY, {"code": code_for(device)})
    page = client.get(SECURITY).content.decode()
    assert "按规定您的账户须使用两步验证，不能停用；更换手机时请系统管理员重置。" in page
    response = client.post(SECURITY, {"step": "remove", "code": code_for(device, steps_ahead=1)})
    assert "按规定您的账户须使用两步验证，不能停用；更换手机时请系统管理员重置。" in response.content.decode()
    assert TOTPDevice.objects.filter(user=cast.handler).exists()


def test_an_administrator_resets_a_lost_device_in_the_admin(cast, client):
    enrolled(cast.handler)
    admin = cast.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    listing = client.get("/admin/orgs/user/").content.decode()
    assert "两步验证" in listing
    response = client.post(
        "/admin/orgs/user/", {"action": "reset_two_factor", "_selected_action": [cast.handler.pk]}, follow=True
    )
    assert "已重置 1 人的两步验证：handler" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.handler).exists()
    reset = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_DISABLED)
    assert reset.actor == admin and reset.target == "handler" and reset.detail == "系统管理员重置两步验证"
    # The keys themselves are not in the admin.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_the_admin_logs_in_through_the_same_login_page(cast, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.get("/admin/login/?next=https://elsewhere.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_security_page_title_is_its_name_only(cast, login):
    page = login(cast.officer).get("/accounts/security/").content.decode()
    assert "<title>账户安全 - 信访业务管理系统</title>" in page
    assert page.count('id="tokens-title"') == 1
