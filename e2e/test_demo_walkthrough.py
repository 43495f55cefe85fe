"""The README's demo walkthrough ("Demo logins"), done in a real Chromium with the demo county's own accounts.

The demo county (orgs, staff, a few petitioners; not the demo cases, which
take too long) is built in the live server's database with the same builders
``load_demo`` uses, and every step logs in through the login form as the
demo user the README names, with the demo password. The status label is
checked after every step; the final case page goes to
test-results/walkthrough-final.png.
"""

import re
from collections import Counter

import pytest
from django.db import transaction
from playwright.sync_api import expect

from e2e.helpers import act_on_case, case_status, reseed_migration_data, switch_user
from xinfang.devdata.county import DEMO_PASSWORD, DemoContext, build_orgs, build_petitioners, build_staff

pytestmark = pytest.mark.browser

DEMO_PETITIONERS = 20
LEAD_UNIT = "清河县自然资源和规划局"
CO_UNIT = "清河县住房和城乡建设局"


@pytest.fixture
def demo_county(transactional_db):
    """The demo county, committed so the live server's thread sees it."""
    reseed_migration_data()
    ctx = DemoContext(write=lambda *_: None)
    with transaction.atomic():
        build_orgs(ctx)
        build_staff(ctx)
        build_petitioners(ctx, DEMO_PETITIONERS)
    return ctx


def two_petitioners_the_registrar_can_find(ctx):
    """Two demo people in the registrar's scope whose names no other petitioner there starts with or contains."""
    from xinfang.petitioners.access import scoped_petitioners

    visible = list(scoped_petitioners(ctx.users["registrar"]).order_by("pk"))
    names = [p.name for p in visible]
    counts = Counter(names)
    unique = [
        p
        for p in visible
        if p.is_person and counts[p.name] == 1 and not any(p.name in other for other in names if other != p.name)
    ]
    assert len(unique) >= 2, f"the demo county gave the registrar too few distinct petitioners: {names}"
    return unique[0], unique[1]


def pick_petitioner(page, name):
    """Search the registration screen's lookup by name and press the row's 选择 button."""
    page.locator("#id_q").fill(name)
    row = page.locator("#lookup-results tr").filter(has=page.get_by_role("cell", name=name, exact=True))
    row.get_by_role("button", name="选择").click()
    page.wait_for_load_state()
    expect(page.locator("table.chosen")).to_contain_text(name)


def handling_due(page):
    """The 法定期限 of the 办理 row in the case page's deadline table."""
    row = page.locator("table.deadlines tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(r"^\s*办理"))
    )
    expect(row).to_have_count(1)
    return row.locator("td.due").inner_text().split()[0]


def test_readme_demo_walkthrough(page, demo_county, results_dir, console_errors):
    ctx = demo_county
    first, second = two_petitioners_the_registrar_can_find(ctx)
    handler_name = ctx.users["zrzy_handler"].display_name

    def login(username):
        switch_user(page, username, DEMO_PASSWORD)

    # 1. registrar registers a visit by two existing petitioners, the second as 代表.
    login("registrar")
    page.goto("/cases/new/")
    pick_petitioner(page, first.name)
    pick_petitioner(page, second.name)
    chosen = page.locator("table.chosen")
    chosen.locator("tr", has_text=first.name).get_by_label("代表").uncheck()
    chosen.locator("tr", has_text=second.name).get_by_label("代表").check()
    page.get_by_label("来源渠道").select_option(label="来访")
    page.get_by_label("内容分类").select_option(label="征收补偿")
    page.get_by_label("内容摘要").fill("反映宅基地征收补偿标准过低")
    page.get_by_label("信访内容").fill("两位信访人反映其宅基地于今年被征收，补偿标准低于邻村，请求按同一标准补偿。")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    expect(case_status(page)).to_have_text("待交转办")
    case_url = re.sub(r"^https?://[^/]+", "", page.url)
    petitioners = page.locator("section[aria-label='信访人与附件'] table")
    expect(petitioners.locator("tr", has_text=second.name).locator(".tag")).to_have_text("代表")
    expect(petitioners.locator("tr", has_text=first.name).locator(".tag")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text("来访")

    # 2. officer assigns it (交办) to 自然资源和规划局 with 住建局 as co-unit.
    login("officer")

    def assign(form):
        form.get_by_label("主办单位").select_option(label=LEAD_UNIT)
        form.get_by_label(CO_UNIT, exact=True).check()

    act_on_case(page, case_url, "交办", assign)
    expect(case_status(page)).to_have_text("已交办待签收")

    # 3. zrzy_officer signs for it and accepts it, naming zrzy_handler.
    login("zrzy_officer")
    act_on_case(page, case_url, "签收")
    expect(case_status(page)).to_have_text("待受理")
    handler = ctx.users["zrzy_handler"]
    offered = f"{handler_name}（{handler.title}，{handler.username}）"  # name, post and username
    act_on_case(page, case_url, "受理", lambda f: f.get_by_label("承办人").select_option(label=offered))
    expect(case_status(page)).to_have_text("办理中")
    expect(page.locator("dl.facts")).to_contain_text(handler_name)

    # 4. zrzy_handler requests a 15-day extension; zrzy_head approves it and the 办理 deadline moves.
    login("zrzy_handler")
    page.goto(case_url)
    due_before = handling_due(page)

    def extension(form):
        form.get_by_label("延期天数").fill("15")
        form.get_by_label("延期理由").fill("需会同乡镇核实邻村补偿标准")

    act_on_case(page, case_url, "申请延期", extension)
    expect(case_status(page)).to_have_text("办理中")
    login("zrzy_head")
    act_on_case(page, case_url, "批准延期")
    expect(case_status(page)).to_have_text("办理中")
    due_after = handling_due(page)
    assert due_after > due_before, f"办理 deadline did not move: {due_before} → {due_after}"
    expect(page.locator(".page-head")).to_contain_text(f"期限 {due_after}")
    expect(page.locator("dl.facts")).to_contain_text("已延期")

    # 5. zrzy_handler drafts the reply; zrzy_head signs it from the prefilled form.
    login("zrzy_handler")
    facts = "经查，两村征收补偿均执行县政府公布的区片综合地价，标准一致。"

    def draft(form):
        form.get_by_label("二、事实和理由").fill(facts)
        form.get_by_label("三、处理意见").select_option(label="作出解释说明")
        form.get_by_label("四、依据").fill("《中华人民共和国土地管理法》第四十八条")

    act_on_case(page, case_url, "拟写答复意见", draft)
    expect(case_status(page)).to_have_text("办理中")
    login("zrzy_head")

    def sign(form):
        expect(form.get_by_label("一、信访请求")).to_have_value("反映宅基地征收补偿标准过低")
        expect(form.get_by_label("二、事实和理由")).to_have_value(facts)
        expect(form.get_by_label("三、处理意见")).to_have_value("explain")

    act_on_case(page, case_url, "签发答复意见", sign)
    expect(case_status(page)).to_have_text("已答复")

    # 6. zrzy_handler records the delivery of the 处理意见书, then the evaluation 不满意.
    login("zrzy_handler")

    def deliver_reply(form):
        form.get_by_label("送达的文书").select_option(label="信访事项处理意见书")
        form.get_by_label("签收人").fill(second.name)

    act_on_case(page, case_url, "记录送达", deliver_reply)
    expect(case_status(page)).to_have_text("已答复")
    act_on_case(page, case_url, "评价", lambda f: f.get_by_label("不满意", exact=True).check())
    expect(case_status(page)).to_have_text("已答复")
    expect(page.locator("dl.facts")).to_contain_text("不满意")

    # 7. The co-unit reports its part.
    login("zjj_handler")
    act_on_case(page, case_url, "协办反馈", lambda f: f.get_by_label("协办情况").fill("已提供两村房屋评估资料"))
    expect(case_status(page)).to_have_text("已答复")
    expect(page.locator("dl.facts")).to_contain_text("已反馈")

    # 8. zrzy_handler reports back.
    login("zrzy_handler")
    act_on_case(page, case_url, "报结")
    expect(case_status(page)).to_have_text("已报结待审核")

    # 9. officer confirms closure, then, for the county government, records the review and its delivery.
    login("officer")
    act_on_case(page, case_url, "审核办结")
    expect(case_status(page)).to_have_text("已办结")
    act_on_case(page, case_url, "登记复查申请", lambda f: f.get_by_label("申请事项").fill("对处理意见不服，申请复查"))
    expect(case_status(page)).to_have_text("复查中")

    def review(form):
        form.get_by_label("结论").select_option(label="维持原处理意见")
        form.get_by_label("理由").fill("原处理意见认定事实清楚，适用依据正确。")

    act_on_case(page, case_url, "作出复查意见", review)
    expect(case_status(page)).to_have_text("已复查")

    def deliver_review(form):
        form.get_by_label("送达的文书").select_option(label="复查意见书")
        form.get_by_label("送达方式").select_option(label="邮寄送达")
        form.get_by_label("签收人").fill(second.name)

    act_on_case(page, case_url, "记录送达", deliver_review)
    expect(case_status(page)).to_have_text("已复查")

    # 10. city_officer records the re-examination request and the re-examination opinion.
    login("city_officer")
    act_on_case(page, case_url, "登记复核申请", lambda f: f.get_by_label("申请事项").fill("对复查意见不服，申请复核"))
    expect(case_status(page)).to_have_text("复核中")

    def reexamine(form):
        form.get_by_label("结论").select_option(label="维持原处理意见")
        form.get_by_label("理由").fill("复查意见正确，予以维持。")

    act_on_case(page, case_url, "作出复核意见", reexamine)
    expect(case_status(page)).to_have_text("已终结")

    # The record: both opinions in the timeline, every deadline the case ran as a row.
    from xinfang.cases.deadlines import case_deadlines
    from xinfang.cases.models import Case

    timeline = page.locator("ol.timeline")
    expect(timeline.locator("summary", has_text="复查意见书")).to_have_count(1)
    expect(timeline.locator("summary", has_text="复核意见书")).to_have_count(1)
    case = Case.objects.get(pk=int(case_url.strip("/").split("/")[-1]))
    deadlines = list(case_deadlines(case).select_related("org"))
    clocks = {d.get_clock_display() for d in deadlines}
    assert {"交转办", "办理", "复查申请期", "复查决定", "复核申请期", "复核决定"} <= clocks, clocks
    rows = page.locator("table.deadlines tbody tr")
    expect(rows).to_have_count(len(deadlines))
    for d in deadlines:
        row = rows.filter(has=page.locator("td:first-child", has_text=re.compile(rf"^\s*{d.get_clock_display()}")))
        expect(row.filter(has_text=d.org.name)).to_have_count(1)
        expect(row.filter(has_text=d.org.name).locator("td.due")).to_contain_text(f"{d.due_date:%Y-%m-%d}")

    page.screenshot(path=str(results_dir / "walkthrough-final.png"), full_page=True)
    assert not console_errors
