"""load_demo: a complete, valid, idempotent demo county, then the demo steps in order."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinfang.core.idnumbers import normalize_id_number
from xinfang.core.uscc import validate_uscc
from xinfang.devdata import county as demo
from xinfang.devdata import loader
from xinfang.orgs.models import Org, OrgLevel, Role, RoleGrant, User
from xinfang.petitioners.models import Petitioner, PetitionerPhone

pytestmark = pytest.mark.django_db

SMALL = 40  # petitioners: enough to cover every branch, fast enough for the suite


@pytest.fixture
def isolated_steps(monkeypatch):
    """Only the steps a test registers run (not other apps' real demo modules)."""
    steps: list = []
    monkeypatch.setattr(loader, "STEPS", steps)
    return steps


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", petitioners=SMALL, force=True, stdout=out, **options)
    return out.getvalue()


def counts():
    return (
        Org.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        Petitioner.objects.count(),
        PetitionerPhone.objects.count(),
    )


def test_it_is_idempotent(isolated_steps):
    first = load()
    after_first = counts()
    assert after_first[3] == SMALL
    second = load()
    assert counts() == after_first
    assert "已载入演示县" in first and "演示县已存在，未作改动" in second


def test_it_refuses_to_run_without_debug_unless_forced(settings, isolated_steps):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("load_demo", stdout=StringIO())
    assert not Org.objects.exists()


def test_every_role_is_staffed_at_the_bureau_and_elsewhere(isolated_steps):
    load()
    bureau = Org.objects.get(name="清河县信访局")
    at_bureau = set(RoleGrant.objects.filter(user__org=bureau).values_list("role", flat=True))
    assert at_bureau == set(Role.values)
    for org_name in ("清河县自然资源和规划局", "清河县白沙镇人民政府", "示例市信访局"):
        assert len(set(RoleGrant.objects.filter(user__org__name=org_name).values_list("role", flat=True))) >= 3


def test_the_documented_accounts_exist_with_the_demo_password(isolated_steps):
    output = load()
    for username in (
        "registrar",
        "officer",
        "zrzy_officer",
        "zrzy_handler",
        "zrzy_head",
        "leader",
        "supervisor",
        "statistician",
        "admin",
        "city_officer",
    ):
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD), username
        assert re.search(rf"^\s+{username}\s", output, re.MULTILINE), username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="leader").org.name == "清河县人民政府"
    assert f"密码均为 {demo.DEMO_PASSWORD}" in output


def test_the_org_tree_is_complete_with_valid_division_codes(isolated_steps):
    load()
    names = set(Org.objects.values_list("name", flat=True))
    for required in (
        "清河县信访局",
        "清河县自然资源和规划局",
        "清河县住房和城乡建设局",
        "清河县人力资源和社会保障局",
        "清河县教育局",
        "示例市生态环境局清河分局",
        "清河县民政局",
        "清河县农业农村局",
        "清河县公安局",
        "清河县人民法院",
        "清河县人民检察院",
        "清河县人大常委会办公室",
        "示例市信访局",
        "示例市人民政府",
    ):
        assert required in names, required
    assert Org.objects.filter(kind="discipline").exists()
    townships = Org.objects.filter(level=OrgLevel.TOWNSHIP)
    assert townships.count() >= 5
    expected_length = {"province": 6, "city": 6, "county": 6, "township": 9, "village": 12}
    for org in Org.objects.select_related("parent"):
        assert re.fullmatch(r"\d+", org.division_code) and len(org.division_code) == expected_length[org.level]
        if org.level in ("township", "village"):
            assert org.division_code.startswith(org.parent.division_code[: 6 if org.level == "township" else 9])
    for township in townships:
        assert 2 <= township.children.count() <= 4


def test_petitioners_have_valid_synthetic_identifiers(isolated_steps):
    load()
    people = Petitioner.objects.filter(kind="person").exclude(id_number_enc="")
    assert people.count() > SMALL // 2
    for p in people:
        number = p.decrypt_id_number()
        assert normalize_id_number(number) == number and number.startswith(demo.COUNTY_CODE)
        assert p.sex == ("M" if int(number[16]) % 2 else "F")
    organisations = Petitioner.objects.filter(kind="organisation")
    assert organisations.exists()
    for org in organisations:
        assert validate_uscc(org.uscc).checksum_ok == org.uscc_checksum_ok
    assert organisations.filter(uscc_checksum_ok=False).exists()  # shows the warning in the demo
    assert PetitionerPhone.objects.filter(kind="mobile").exists()


def test_demo_petitioners_are_scoped_like_real_ones(isolated_steps, client):
    load()
    registrar = User.objects.get(username="registrar")
    client.force_login(registrar)
    response = client.get("/petitioners/")
    assert response.status_code == 200 and "data-petitioner-id" in response.content.decode()
    city_only = Petitioner.objects.filter(org__name="示例市信访局")
    if city_only.exists():
        assert client.get(f"/petitioners/{city_only.first().pk}/").status_code == 404


def test_the_steps_run_after_the_county_in_order(isolated_steps):
    calls = []

    def first(ctx):
        calls.append(("first", ctx.users["registrar"].username, ctx.orgs["zrzy"].name, ctx.county.name))

    def second(ctx):
        calls.append(("second", ctx.petitioners().count()))

    isolated_steps.extend([("first", first), ("second", second)])
    load()
    assert calls == [("first", "registrar", "清河县自然资源和规划局", "清河县人民政府"), ("second", SMALL)]


def test_a_demo_administrator_can_manage_orgs_and_staff_in_the_admin(client):
    from xinfang.devdata import county as demo

    ctx = demo.DemoContext(write=lambda *_: None)
    demo.build_orgs(ctx)
    demo.build_staff(ctx)
    client.force_login(ctx.users["city_admin"])
    assert client.get("/admin/orgs/org/").status_code == 200
    assert client.get("/admin/clock/calendarday/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 403  # cases change only through actions


def test_the_admin_link_is_shown_only_to_staff_who_can_use_it(login, cast):
    assert 'href="/admin/"' not in login(cast.admin).get("/clock/").content.decode()
    cast.admin.is_staff = True
    cast.admin.save()
    assert 'href="/admin/"' in login(cast.admin).get("/clock/").content.decode()


def test_the_demo_staff_get_work_mobiles_and_the_portal_its_mailboxes_once(isolated_steps):
    from xinfang.notifications.models import StaffContact
    from xinfang.portal.models import Mailbox

    isolated_steps.extend([("contacts", demo.build_staff_contacts), ("mailboxes", demo.build_mailboxes)])
    load()
    load()
    assert StaffContact.objects.count() == User.objects.count()
    assert all(m.startswith("19900") and len(m) == 11 for m in StaffContact.objects.values_list("mobile", flat=True))
    assert list(Mailbox.objects.values_list("name", "org__name", "is_leader_mailbox")) == [
        ("清河县信访局", "清河县信访局", False),
        ("县长信箱", "清河县信访局", True),
    ]
