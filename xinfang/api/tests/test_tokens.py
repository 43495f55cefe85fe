"""API tokens: expiry, last use, integration tokens acting as another system, the audited screens."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xinfang.api.models import ApiToken
from xinfang.api.tests.conftest import ApiClient
from xinfang.cases.models import CaseEvent
from xinfang.devdata.flow import Flow, make_petitioner, valid_id_number
from xinfang.orgs.actors import ActorKind
from xinfang.orgs.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _superuser(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user


# --- expiry and last use --------------------------------------------------------------------


def test_an_expired_token_answers_401_saying_so_in_chinese(cast, client):
    row, token = ApiToken.issue(cast.registrar, "统计脚本", expires_at=timezone.now() + timedelta(days=1))
    api = ApiClient(client, token)
    assert api.get("/api/v1/cases").status_code == 200
    expired_at = timezone.now() - timedelta(minutes=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=expired_at)
    response = api.get("/api/v1/cases")
    assert response.status_code == 401
    until = timezone.localtime(expired_at).strftime("%Y-%m-%d %H:%M")
    assert response.json() == {
        "code": "unauthenticated",
        "message": f"接口令牌已过期（有效期至 {until}），请联系系统管理员重新创建",
        "field": None,
    }
    assert api.post("/api/v1/petitioners", {"name": "李四"}).status_code == 401


def test_the_last_use_is_kept_at_most_minutes_behind(cast, client):
    row, token = ApiToken.issue(cast.registrar)
    assert row.last_used_at is None
    api = ApiClient(client, token)
    api.get("/api/v1/cases")
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None and timezone.now() - first < timedelta(minutes=1)
    api.get("/api/v1/cases")
    row.refresh_from_db()
    assert row.last_used_at == first  # no write per request
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - timedelta(minutes=6))
    api.get("/api/v1/cases")
    row.refresh_from_db()
    assert row.last_used_at > first


# --- integration tokens -------------------------------------------------------------------


def test_an_integration_token_acts_as_the_other_system(cast, client):
    flow = Flow(cast)
    case = flow.register()
    _, token = ApiToken.issue(cast.officer, "12345热线", integration=True)
    api = ApiClient(client, token)
    assert api.get("/api/v1/cases").json()["count"] == 1
    detail = api.get(f"/api/v1/cases/{case.pk}").json()
    assert "assign" in [a["action"] for a in detail["available_actions"]]
    response = api.post(
        f"/api/v1/cases/{case.pk}/assign",
        {"lead_org_id": cast.dept.pk, "note": "请依法办理", "expected_version": detail["version"]},
    )
    assert response.status_code == 200, response.content
    event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert event.actor_kind == ActorKind.INTEGRATION
    assert event.actor_name == "12345热线" and event.actor == cast.officer
    history = api.get(f"/api/v1/cases/{case.pk}/events").json()
    assert history[-1]["actor_kind"] == "integration"
    assert history[-1]["actor_label"] == f"12345热线（{cast.officer.display_name}）"
    assert api.get(f"/api/v1/cases/{case.pk}/attachments").status_code == 200
    assert api.get(f"/api/v1/cases/{case.pk}/deadlines").status_code == 200
    looked_up = api.post("/api/v1/cases/lookup", {"number": valid_id_number()})
    assert looked_up.status_code == 200, looked_up.content
    # The other county's case is the same 404 as a missing one.
    assert api.get("/api/v1/cases/999999").status_code == 404


def test_an_integration_token_registers_cases_and_petitioners(cast, client):
    _, token = ApiToken.issue(cast.registrar, "12345热线", integration=True)
    api = ApiClient(client, token)
    created = api.post("/api/v1/petitioners", {"name": "王五", "id_number": valid_id_number()})
    assert created.status_code == 201, created.content
    assert api.get("/api/v1/petitioners", {"q": "王五"}).json()["count"] == 1
    response = api.post(
        "/api/v1/cases",
        {
            "channel": "phone",
            "kind": "claim",
            "received_at": timezone.now().isoformat(),
            "summary": "反映小区噪声扰民",
            "content": "夜间施工噪声扰民。",
            "category": "0803",
            "petitioners": [{"id": created.json()["id"], "is_representative": False}],
        },
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["case"]["id"]
    event = CaseEvent.objects.get(case_id=case_id)
    assert event.actor_kind == ActorKind.INTEGRATION and event.actor_name == "12345热线"


def test_an_ordinary_token_acts_as_the_staff_member(cast, client):
    case = Flow(cast).register()
    _, token = ApiToken.issue(cast.officer, "脚本")
    api = ApiClient(client, token)
    version = api.get(f"/api/v1/cases/{case.pk}").json()["version"]
    api.post(f"/api/v1/cases/{case.pk}/assign", {"lead_org_id": cast.dept.pk, "expected_version": version})
    assert CaseEvent.objects.filter(case=case).order_by("-pk").first().actor_kind == ActorKind.STAFF


def test_an_integration_token_needs_the_systems_name(cast):
    with pytest.raises(CommandError, match="外部系统令牌须填写用途"):
        call_command("create_api_token", "registrar", "--integration")


# --- creation and revocation in the audit log --------------------------------------------------


def test_the_command_creates_expiring_and_integration_tokens_and_audits_them(cast, capsys):
    call_command("create_api_token", "officer", "--name", "12345热线", "--integration", "--expires-days", "30")
    out = capsys.readouterr().out.strip().splitlines()
    row = ApiToken.objects.get(user=cast.officer)
    assert row.is_integration and row.name == "12345热线"
    assert timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= timedelta(days=30)
    until = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")
    assert out[0] == (
        f"已为 officer（officer）创建外部系统“12345热线”的接口令牌 {row.prefix}…，有效期至 {until}；"
        "只显示这一次，请妥善保存："
    )
    created = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert created.actor is None and created.target == "officer"
    assert created.detail == (
        f"为 officer（officer）创建接口令牌（命令行）：令牌 {row.prefix}…，外部系统：12345热线，有效期至 {until}"
    )
    with pytest.raises(CommandError, match="--expires-days 须为正整数"):
        call_command("create_api_token", "officer", "--expires-days", "0")


def test_a_staff_member_lists_and_revokes_their_own_tokens(cast, client):
    mine, token = ApiToken.issue(cast.registrar, "统计脚本")
    ApiToken.issue(cast.registrar, "12345热线", integration=True, expires_at=timezone.now() - timedelta(days=1))
    theirs, _ = ApiToken.issue(cast.officer, "别人的")
    client.force_login(cast.registrar)
    page = client.get("/accounts/tokens/").content.decode()
    assert "我的接口令牌" in page and f"{mine.prefix}…" in page and "统计脚本" in page
    assert "外部系统" in page and "已过期" in page and "从未使用" in page and "长期有效" in page
    assert theirs.prefix not in page
    assert "查看和吊销我的接口令牌" in client.get("/accounts/security/").content.decode()
    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/", follow=True)
    assert f"已吊销接口令牌 {mine.prefix}…（统计脚本）" in response.content.decode()
    mine.refresh_from_db()
    assert mine.revoked and mine.revoked_at is not None
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert revoked.actor == cast.registrar and revoked.target == "registrar"
    assert revoked.detail == f"吊销 registrar（registrar）的接口令牌：令牌 {mine.prefix}…，用途：统计脚本"
    # Another person's token is the same 404 as a missing one, and stays valid.
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 405
    theirs.refresh_from_db()
    assert not theirs.revoked


def test_the_token_screen_needs_a_login(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_administrator_creates_and_revokes_any_token_in_the_admin(cast, client):
    admin = _superuser(cast.admin)
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": cast.handler.pk, "name": "12345热线", "is_integration": "on", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "接口令牌已创建，请立即复制保存（只显示这一次）：xf_" in page
    row = ApiToken.objects.get(user=cast.handler)
    assert row.is_integration and row.expires_at is None
    created = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert created.actor == admin and created.target == "handler"
    assert created.detail == f"为 handler（handler）创建接口令牌：令牌 {row.prefix}…，外部系统：12345热线"
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert row.prefix in listing and "有效" in listing
    response = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True)
    assert "已吊销 1 个令牌" in response.content.decode()
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert revoked.actor == admin and revoked.target == "handler"
    # Revoking again changes nothing and records nothing.
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).count() == 1


def test_the_admin_refuses_an_integration_token_without_a_name(cast, client):
    client.force_login(_superuser(cast.admin))
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": cast.handler.pk, "name": "", "is_integration": "on", "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200
    assert "外部系统令牌须填写用途（该系统的名称，如“12345热线”）" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_make_petitioner_still_works_with_the_flow(cast):
    # The fixtures these tests use build petitioners through the real services.
    assert make_petitioner(cast.registrar).pk
