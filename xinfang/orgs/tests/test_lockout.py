"""Login lockout (django-axes): per account and per address, an audited unlock in the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from xinfang.devdata.cast import PASSWORD
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "登录失败次数过多，已暂停登录30分钟。请稍后再试，或请系统管理员解除锁定。"
WRONG = "用户名或密码不正确，请重新输入。"


def _post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _superuser(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(cast, client):
    for attempt in range(1, 31):
        response = _post(client, "registrar", f"wrong-{attempt}")
        if attempt < 5:
            assert response.status_code == 200 and WRONG in response.content.decode(), attempt
        else:
            assert response.status_code == 429 and LOCKED in response.content.decode(), attempt
    response = _post(client, "registrar", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and WRONG not in page
    assert 'name="username"' in page and 'value="registrar"' in page  # still the login form
    assert not _logged_in(client)
    # The account is locked wherever the login comes from.
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert _post(elsewhere, "registrar", PASSWORD).status_code == 429
    assert not _logged_in(elsewhere)


def test_the_lockout_is_in_the_security_audit_log_once_with_every_failure(cast, client):
    for _ in range(30):
        _post(client, "registrar", "wrong")
    _post(client, "registrar", PASSWORD)
    locked = AuditEvent.objects.get(action=AuditAction.LOGIN_LOCKED)
    assert locked.username == "registrar" and locked.target == "registrar"
    assert locked.detail == "账户 registrar 连续登录失败 5 次，暂停登录30分钟"
    assert locked.ip == "127.0.0.1"
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="registrar")
    assert failed.count() == 31
    # From the sixth on, the password was not even checked.
    assert failed.filter(detail="登录已暂停（锁定中），未核对密码").count() == 26
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_an_administrator_unlocks_the_account_in_the_admin(cast, client):
    for _ in range(30):
        _post(client, "registrar", "wrong")
    admin_client = Client()
    admin_client.force_login(_superuser(cast.admin))
    response = admin_client.post(
        "/admin/orgs/user/", {"action": "unlock_login", "_selected_action": [cast.registrar.pk]}, follow=True
    )
    assert "已解除 1 人的登录锁定：registrar" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="registrar").exists()
    response = _post(client, "registrar", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in(client)
    unlocked = AuditEvent.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert unlocked.actor == cast.admin and unlocked.target == "registrar"
    assert unlocked.detail.startswith("解除账户 registrar 的登录锁定，清除失败记录 1 条（共失败 ")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=cast.registrar).exists()


def test_the_admin_lists_failed_logins_in_chinese_and_unlocks_an_address(cast, client):
    for n in range(20):
        _post(client, f"guess{n}", "wrong")
    # Twenty failures from one address (any accounts) pause logins from it, the right password too.
    response = _post(client, "officer", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert _post(Client(REMOTE_ADDR="10.0.0.2"), "officer", PASSWORD).status_code == 302
    locked = AuditEvent.objects.get(action=AuditAction.LOGIN_LOCKED)
    assert locked.target == "127.0.0.1" and locked.detail == "地址 127.0.0.1 登录失败 20 次，暂停登录30分钟"

    admin_client = Client()
    admin_client.force_login(_superuser(cast.admin))
    listing = admin_client.get("/admin/orgs/loginfailure/")
    assert listing.status_code == 200
    page = listing.content.decode()
    for label in ("登录失败与锁定", "最近一次失败", "用户名", "IP 地址", "失败次数", "guess0"):
        assert label in page
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/orgs/loginfailure/", {"action": "unlock", "_selected_action": ids}, follow=True
    )
    assert "已清除 20 条登录失败记录，相应账户和地址可以重新登录" in response.content.decode()
    assert _post(client, "officer", PASSWORD).status_code == 302
    unlocked = AuditEvent.objects.filter(action=AuditAction.LOGIN_UNLOCKED, actor=cast.admin)
    assert unlocked.count() == 20
    assert unlocked.filter(
        detail="解除账户 guess0（地址 127.0.0.1）的登录锁定，清除失败记录 1 条（共失败 1 次）"
    ).exists()


def test_a_good_login_from_an_address_does_not_clear_its_failures(cast, client):
    for n in range(19):
        _post(client, f"guess{n}", "wrong")
    assert _post(client, "officer", PASSWORD).status_code == 302
    client.logout()
    _post(client, "guess-again", "wrong")  # the twentieth from this address
    assert _post(client, "officer", PASSWORD).status_code == 429


def test_staff_who_may_not_change_accounts_do_not_see_the_failed_logins(cast, client):
    client.force_login(cast.registrar)
    cast.registrar.is_staff = True
    cast.registrar.save()
    assert client.get("/admin/orgs/loginfailure/").status_code == 403


def test_other_accounts_from_the_same_address_still_log_in_below_its_limit(cast, client):
    for _ in range(5):
        _post(client, "registrar", "wrong")
    assert _post(client, "registrar", PASSWORD).status_code == 429
    assert _post(client, "officer", PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(cast, client):
    for _ in range(4):
        _post(client, "registrar", "wrong")
    assert _post(client, "registrar", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _post(client, "registrar", "wrong").status_code == 200
    assert _post(client, "registrar", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(cast, client):
    for _ in range(5):
        _post(client, "registrar", "wrong")
    assert _post(client, "registrar", PASSWORD).status_code == 429
    # axes keeps real time (a security record): age its record past the 30 minutes.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    assert _post(client, "registrar", PASSWORD).status_code == 302


def test_the_limits_and_the_pause_are_settings(cast, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 10
    for _ in range(2):
        assert _post(client, "registrar", "wrong").status_code == 200
    response = _post(client, "registrar", "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多，已暂停登录10分钟。请稍后再试，或请系统管理员解除锁定。" in response.content.decode()


def test_no_password_is_kept_with_the_failed_logins(cast, client):
    _post(client, "registrar", "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in attempt.post_data + attempt.get_data
    assert not AuditEvent.objects.filter(detail__contains="my-secret-guess").exists()


def test_the_admin_has_no_login_of_its_own_around_the_lock(cast, client):
    for _ in range(5):
        _post(client, "admin", "wrong")
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not _logged_in(client)
    assert _post(client, "admin", PASSWORD).status_code == 429


def test_an_empty_login_asks_for_both_fields_and_counts_no_failure(cast, client):
    for username, password, message in [
        ("", "", "请输入用户名和密码。"),
        (cast.officer.username, "", "请输入密码。"),
        ("", "x", "请输入用户名。"),
    ]:
        response = _post(client, username, password)
        assert message in response.content.decode()
        assert "用户名或密码不正确" not in response.content.decode()
    assert not AccessAttempt.objects.exists()
