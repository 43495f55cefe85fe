"""The issue's "Done means" on a phone (375x812) and at desktop size: a petitioner writes to the county head's
mailbox with the SMS code read from the file gateway, the clerk registers it, the unit answers, the petitioner
tracks it with the query code and password, confirms the reply, evaluates and asks for review in the window.
At phone size every page is also checked for sideways scrolling and touch targets under 44 px."""

import json
import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import PHONE, expect_no_sideways_scroll, login_as, reseed_migration_data
from xinfang.core.idnumbers import check_digit
from xinfang.devdata.flow import Flow
from xinfang.portal.models import Mailbox, Submission

pytestmark = pytest.mark.browser

ID_NUMBER = "33078119850615123" + check_digit("33078119850615123")


@pytest.fixture
def portal(e2e_cast, tmp_path, settings):
    reseed_migration_data()
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    Mailbox.objects.create(name="清河县信访局", org=e2e_cast.bureau, description="反映清河县的问题")
    Mailbox.objects.create(name="县长信箱", org=e2e_cast.bureau, is_leader_mailbox=True, description="写给县长")
    return tmp_path / "sms.log"


def last_sms(path) -> str:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["text"]


# Buttons, fields and the labels of radio buttons and check boxes: what a thumb presses (links inside
# running text are exempt, as WCAG 2.5.5 allows).
_SMALL_TARGETS = """() => {
  const sel = "button, select, textarea, a.button, label.radio, label.check,"
    + " input:not([type=hidden]):not([type=radio]):not([type=checkbox])";
  return [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null).map(el => {
    const box = el.getBoundingClientRect();
    return [el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + (el.innerText || el.name || "").trim()
      .slice(0, 20), Math.round(box.width), Math.round(box.height)];
  }).filter(([, w, h]) => w < 44 || h < 44);
}"""


def expect_touch_targets(page, what: str) -> None:
    small = page.evaluate(_SMALL_TARGETS)
    assert small == [], f"{what}: touch targets under 44x44 px: {small}"


def check_layout(page, what: str) -> None:
    expect_no_sideways_scroll(page, what)
    if page.viewport_size == PHONE:
        expect_touch_targets(page, what)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_petitioner_writes_tracks_evaluates_and_asks_for_review(page, e2e_cast, portal, results_dir, size):
    if size == "phone":
        page.set_viewport_size(PHONE)
    page.goto("/portal/")
    check_layout(page, "the portal's home")
    page.get_by_role("link", name=re.compile("我要写信")).click()

    page.get_by_label("姓名").fill("张三")
    page.get_by_label("身份证号码").fill(ID_NUMBER)
    page.get_by_label("手机号码").fill("13812348000")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_have_text("验证码已发送至138****8000，10分钟内有效")
    code = re.search(r"验证码是(\d{6})", last_sms(portal)).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("县长信箱").check()
    page.get_by_label(re.compile("^申诉求决类")).check()
    page.get_by_label("问题分类").select_option(label="物业管理")
    page.get_by_label("问题发生地").fill("清河县东岗镇前村")
    page.get_by_label("标题").fill("小区电梯长期停运无人维修")
    page.get_by_label("信访内容").fill("我住的小区3号楼电梯停运两个月，物业公司一直不修。")
    page.get_by_label("设置查询密码").fill("qinghe-2026")
    page.get_by_label("再次输入查询密码").fill("qinghe-2026")
    page.screenshot(path=str(results_dir / f"portal-write-{size}.png"), full_page=True)
    check_layout(page, "the portal's letter form")
    page.get_by_role("button", name="下一步：核对并提交").click()

    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    expect(page.locator("section.note")).to_contain_text("内转送、交办给有权处理的机关")
    check_layout(page, "the last look")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", name="您的来信已提交")).to_be_visible()
    query_code = page.locator("p.code").inner_text()
    assert query_code in last_sms(portal)
    page.screenshot(path=str(results_dir / f"portal-receipt-{size}.png"), full_page=True)
    check_layout(page, "the portal's receipt")

    # The clerk registers it on the staff site, in another browser context.
    staff = page.context.browser.new_context(base_url=page.url.split("/portal/")[0], locale="zh-CN")
    clerk = staff.new_page()
    login_as(clerk, "registrar")
    clerk.goto("/online/")
    clerk.get_by_role("link", name="小区电梯长期停运无人维修").click()
    expect(clerk.get_by_label("来源渠道")).to_have_value("mailbox")
    clerk.get_by_role("button", name="登记").click()
    expect(clerk.locator(".messages")).to_contain_text("已登记")
    staff.close()
    case = Submission.objects.get().case
    assert case is not None

    page.goto("/portal/track/")
    page.get_by_label("查询码").fill(query_code)
    page.get_by_label("查询密码").fill("qinghe-2026")
    page.get_by_role("button", name="查询").click()
    main = page.locator("main")
    expect(main).to_contain_text(case.number)
    expect(main).to_contain_text("已登记，正在转送或交办有权处理的机关")
    check_layout(page, "the portal's tracking page")

    # The department accepts and answers it (through the actions); the petitioner reads the reply.
    flow = Flow(e2e_cast)
    for step in (flow.assign, flow.sign_for, flow.accept, flow.reply):
        step(case)
    page.reload()
    expect(main).to_contain_text("已作出处理意见")
    expect(page.get_by_role("heading", name="信访事项处理意见书")).to_be_visible()
    check_layout(page, "the case page with notices to confirm")
    # The petitioner confirms the reply on the portal (电子送达): that opens the evaluation and the window.
    page.get_by_role("button", name="确认收到《信访事项处理意见书》").click()
    expect(page.get_by_role("status")).to_have_text("已确认收到，送达日期已记录")
    page.get_by_label("基本满意").check()
    page.get_by_label("意见和建议（选填）").fill("处理及时")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_have_text("已提交您的评价，谢谢")
    expect(main).to_contain_text("您的评价：基本满意")
    page.get_by_label("申请复查的理由").fill("电梯仍未修好，处理意见没有落实")
    expect(main).to_contain_text("申请复查")
    page.screenshot(path=str(results_dir / f"portal-track-{size}.png"), full_page=True)
    check_layout(page, "the portal's case page with its forms")
    page.get_by_role("button", name="提交复查申请").click()
    expect(page.get_by_role("status")).to_have_text("已提交复查申请")
    expect(main).to_contain_text("正在复查")
    case.refresh_from_db()
    assert case.status == "review_requested"


def test_the_portal_at_desktop_size_keys_through_the_form_with_visible_focus(page, portal):
    page.goto("/portal/write/")
    expect(page.get_by_role("heading", name="我要写信")).to_be_visible()
    expect_no_sideways_scroll(page, "the portal's letter form at desktop size")
    page.keyboard.press("Tab")  # the skip link first
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    name = page.get_by_label("姓名")
    expect(name).to_be_focused()
    outline = name.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    # A field error is tied to its field and named in the summary at the top.
    page.get_by_role("button", name="下一步：核对并提交").click()
    expect(page.get_by_role("alert")).to_contain_text("姓名：请填写姓名")
    expect(page.get_by_label("姓名")).to_have_attribute("aria-invalid", "true")
