"""办事指南: the bureau's texts in force by date, the periods from the clock's rules, the reception days."""

from datetime import timedelta

import pytest

from xinfang.clock.models import Clock
from xinfang.clock.rules import rule_for
from xinfang.portal.models import GuideSection, ReceptionDay

pytestmark = pytest.mark.django_db


def test_the_home_page_leads_to_the_guides(client):
    home = client.get("/portal/").content.decode()
    assert '<a class="big-button" href="/portal/guide/">办事指南' in home
    index = client.get("/portal/guide/").content.decode()
    for href, label in (
        ("/portal/guide/rights/", "信访人的权利和义务"),
        ("/portal/guide/channels/", "信访渠道"),
        ("/portal/guide/routes/", "依法通过法定途径解决的事项"),
        ("/portal/guide/periods/", "办理期限"),
        ("/portal/guide/reception/", "领导接访日"),
    ):
        assert f'<a class="big-button" href="{href}">{label}</a>' in index


def test_the_default_guides_name_the_legal_routes(client):
    page = client.get("/portal/guide/routes/").content.decode()
    for title in ("诉讼与信访分离", "诉讼", "仲裁", "行政复议和其他行政程序"):
        assert f"<h2>{title}</h2>" in page
    assert "第三十一条第二项" in page
    rights = client.get("/portal/guide/rights/").content.decode()
    assert "<h2>您的权利</h2>" in rights and "<h2>您的义务</h2>" in rights


def test_a_section_shows_only_while_it_is_in_force(client, clock):
    today = clock.today()
    GuideSection.objects.create(
        topic="channels", title="信访接待大厅", body="第一段\n\n第二段", effective_from=today + timedelta(days=1)
    )
    GuideSection.objects.create(
        topic="channels",
        title="旧地址",
        body="已搬迁",
        effective_from=today - timedelta(days=90),
        effective_to=today - timedelta(days=1),
    )
    assert "信访接待大厅" not in client.get("/portal/guide/channels/").content.decode()
    clock.set(today + timedelta(days=1))
    page = client.get("/portal/guide/channels/").content.decode()
    assert "<h2>信访接待大厅</h2>\n  <p>第一段</p><p>第二段</p>" in page
    assert "旧地址" not in page


def test_the_periods_come_from_the_rules_in_force(cast, client, clock, mailbox):
    handling = rule_for(cast.bureau, Clock.HANDLING, clock.today())
    unit = "个工作日" if handling.working else "日"
    page = client.get("/portal/guide/periods/").content.decode()
    assert f"<li>受理后，在{handling.days}{unit}内办结，出具书面答复意见。</li>" in page
    assert "内请求复核。</li>" in page


def test_reception_days_from_today_on(client, clock):
    today = clock.today()
    ReceptionDay.objects.create(on=today - timedelta(days=1), hours="上午", leader="王五（副县长）", place="信访局")
    ReceptionDay.objects.create(
        on=today + timedelta(days=7),
        hours="上午9:00—12:00",
        leader="李明（县长）",
        place="县信访局接待大厅",
        topics="城乡建设",
    )
    page = client.get("/portal/guide/reception/").content.decode()
    assert '李明（县长）<br><span class="help">城乡建设</span>' in page
    assert "王五" not in page


def test_an_unknown_topic_is_the_portals_404(client):
    response = client.get("/portal/guide/secret/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
