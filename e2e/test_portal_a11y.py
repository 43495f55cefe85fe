"""axe-core (vendored, run in the page) on every portal page at phone size: no serious or critical violations.

The public pages, and the pages a petitioner reaches only by doing something: the letter form and
the SMS code with their errors, the last look (also with a file refused), the receipt shown once and
the page after it, the tracking sign-in refused and with the captcha, the case page before and after
registration, with a notice to confirm, the evaluation, 补充材料 and review forms with their errors
(each tied to its field; 补充材料 also with a file refused),
a review window that has closed, the ID+SMS look-up and its list, the busy and closed pages, the 404.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from e2e.helpers import PHONE, reseed_migration_data
from xinfang.core import clock
from xinfang.core.idnumbers import check_digit
from xinfang.devdata.flow import Flow
from xinfang.portal.models import Mailbox, Submission

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text(encoding="utf-8")
PUBLIC = [
    "/portal/",
    "/portal/write/",
    "/portal/track/",
    "/portal/track/by-id/",
    "/portal/guide/",
    "/portal/guide/rights/",
    "/portal/guide/channels/",
    "/portal/guide/routes/",
    "/portal/guide/periods/",
    "/portal/guide/reception/",
    "/portal/no-such-page/",
]
ID_NUMBER = "33078119850615123" + check_digit("33078119850615123")
PHONE_NUMBER = "13812348000"
PASSWORD = "qinghe-2026"


def serious(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not stop it.
    page.evaluate(AXE + "\n;0")
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {passes: r.passes.length, bad: r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))}; }"
    )
    assert result["passes"] > 0, page.url  # axe ran its rules on the page
    return result["bad"]


class Audit:
    def __init__(self, page):
        self.page, self.found, self.seen = page, [], []

    def __call__(self, what: str) -> None:
        self.seen.append(what)
        self.found += [f"{what} ({self.page.url}): {v}" for v in serious(self.page)]


@pytest.fixture
def portal(e2e_cast, tmp_path, settings):
    reseed_migration_data()
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    settings.MEDIA_ROOT = tmp_path / "media"
    Mailbox.objects.create(name="清河县信访局", org=e2e_cast.bureau, description="反映清河县的问题")
    return tmp_path / "sms.log"


def last_code(sms_log) -> str:
    text = json.loads(sms_log.read_text(encoding="utf-8").splitlines()[-1])["text"]
    return re.search(r"验证码是(\d{6})", text).group(1)


def fill_letter(page) -> None:
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("身份证号码").fill(ID_NUMBER)
    page.get_by_label("手机号码").fill(PHONE_NUMBER)
    page.get_by_label("清河县信访局").check()
    page.get_by_label(re.compile("^申诉求决类")).check()
    page.get_by_label("问题分类").select_option(label="物业管理")
    page.get_by_label("问题发生地").fill("清河县东岗镇前村")
    page.get_by_label("标题").fill("小区电梯长期停运无人维修")
    page.get_by_label("信访内容").fill("我住的小区3号楼电梯停运两个月，物业公司一直不修。")
    page.get_by_label("设置查询密码").fill(PASSWORD)
    page.get_by_label("再次输入查询密码").fill(PASSWORD)


def sign_in(page, code: str, password: str = PASSWORD) -> None:
    page.goto("/portal/track/")
    page.get_by_label("查询码").fill(code)
    page.get_by_label("查询密码").fill(password)
    page.get_by_role("button", name="查询").click()


def register(cast, submission) -> None:
    """The clerk registers the letter (the staff form, in this thread)."""
    from xinfang.portal.tests.conftest import registration_post

    staff = Client()
    staff.force_login(cast.registrar)
    response = staff.post(f"/online/{submission.pk}/", registration_post(submission))
    assert response.status_code == 302, response.content.decode()[:500]


def letter_answered_long_ago(cast, sms_log) -> str:
    """A letter written, registered, answered and delivered 70 days ago: its review window has closed."""
    from xinfang.portal.tests.conftest import letter

    with clock.at(clock.now() - timedelta(days=70)):
        c = Client()
        mailbox = Mailbox.objects.get()
        from xinfang.cases.models import Category

        other = "11010519491231002"
        data = letter(  # another person: the clerk is not asked about a repeat of the first letter
            mailbox,
            Category.objects.get(code="0201"),
            title="路灯损坏无人修理",
            id_number=other + check_digit(other),
            phone="13912349000",
        )
        c.post("/portal/write/", {**data, "send_code": "1"})
        c.post("/portal/write/", {**data, "sms_code": last_code(sms_log), "next": "1"})
        c.post("/portal/write/confirm/", {"submit": "1"})
        code = re.search(r'<p class="code">([0-9A-Z-]+)</p>', c.get("/portal/write/done/").content.decode()).group(1)
        submission = Submission.objects.get(title="路灯损坏无人修理")
        register(cast, submission)
        submission.refresh_from_db()
        flow = Flow(cast)
        for step in (flow.assign, flow.sign_for, flow.accept, flow.reply, flow.deliver):
            step(submission.case)
    return code


def test_no_serious_accessibility_violations_on_the_portals_public_pages(page, portal):
    page.set_viewport_size(PHONE)
    audit = Audit(page)
    for path in PUBLIC:
        page.goto(path)
        audit(path)
    assert audit.found == []


def test_no_serious_accessibility_violations_on_the_pages_of_writing_tracking_and_acting(
    page, e2e_cast, portal, settings
):
    sms_log = portal
    page.set_viewport_size(PHONE)
    audit = Audit(page)

    # 我要写信 with every field's error, then the SMS code sent, then a wrong code.
    page.goto("/portal/write/")
    page.get_by_role("button", name="下一步：核对并提交").click()
    expect(page.get_by_role("alert")).to_contain_text("姓名：请填写姓名")
    audit("the letter form with its errors")
    fill_letter(page)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至138****8000")
    audit("the letter form with the code sent")
    page.get_by_label("设置查询密码").fill(PASSWORD)
    page.get_by_label("再次输入查询密码").fill(PASSWORD)
    page.get_by_label("短信验证码").fill("000000" if last_code(sms_log) != "000000" else "111111")
    page.get_by_role("button", name="下一步：核对并提交").click()
    expect(page.get_by_role("alert")).to_contain_text("短信验证码不正确，请核对")
    audit("the letter form with a wrong SMS code")
    page.get_by_label("短信验证码").fill(last_code(sms_log))
    page.get_by_label("设置查询密码").fill(PASSWORD)
    page.get_by_label("再次输入查询密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步：核对并提交").click()

    # The last look, with a file refused, then the receipt (once) and the page after it.
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    audit("the last look")
    page.get_by_label("附件（选填）").set_input_files(
        {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a picture"}
    )
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("#id_files_error")).to_contain_text("照片.jpg")
    audit("the last look with a file refused")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", name="您的来信已提交")).to_be_visible()
    audit("the receipt")
    code = page.locator("p.code").inner_text()
    page.goto("/portal/write/done/")
    audit("the receipt asked for again")

    # Tracking: refused, then the captcha after repeated failures (the same page as a locked code).
    sign_in(page, code, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("查询码或查询密码不正确")
    audit("the tracking sign-in refused")
    for _ in range(2):
        sign_in(page, "2222-3333-4444-5555-6666")
    expect(page.get_by_label("图形验证码")).to_be_visible()
    audit("the tracking sign-in with the captcha")
    from django.core.cache import cache

    cache.clear()  # the address's failures forgotten: the rest signs in without the captcha

    sign_in(page, code)
    expect(page.locator("main")).to_contain_text("已提交，等待信访工作机构登记。")
    audit("the case page before registration")

    # Registered and answered, the reply not yet delivered: a notice to confirm, 补充材料 with an error.
    submission = Submission.objects.get()
    register(e2e_cast, submission)
    submission.refresh_from_db()
    flow = Flow(e2e_cast)
    for step in (flow.assign, flow.sign_for, flow.accept, flow.reply):
        step(submission.case)
    page.reload()
    expect(page.get_by_role("button", name="确认收到《信访事项处理意见书》")).to_be_visible()
    audit("the case page with a notice to confirm")
    page.get_by_role("button", name="提交补充材料").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写补充的内容或选择要上传的文件")
    audit("the case page with a 补充材料 error")
    # The error is the field's: named by its description, reached from the top through the summary.
    text = page.get_by_label("补充的内容")
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(text).to_have_accessible_description(re.compile("请填写补充的内容或选择要上传的文件"))
    page.get_by_role("link", name="转到需要修改的内容").click()
    page.get_by_role("link", name="补充的内容：请填写补充的内容或选择要上传的文件").click()
    expect(text).to_be_focused()
    text.fill("电梯本周又停运三天")
    page.get_by_label("文件（选填）").set_input_files(
        {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a picture"}
    )
    page.get_by_role("button", name="提交补充材料").click()
    expect(page.locator("#materials_files_error")).to_contain_text("照片.jpg")
    expect(page.get_by_label("文件（选填）")).to_have_accessible_description(re.compile("照片.jpg"))
    expect(page.get_by_label("补充的内容")).to_have_value("电梯本周又停运三天")
    audit("the case page with a 补充材料 file refused")
    page.get_by_role("button", name="确认收到《信访事项处理意见书》").click()
    expect(page.get_by_role("status")).to_have_text("已确认收到，送达日期已记录")
    audit("the case page with the evaluation and review forms")

    # The evaluation and the review with their errors (the browser's own required check set aside).
    page.locator("form[action$='/track/evaluate/'] [required]").evaluate_all(
        "els => els.forEach(e => e.removeAttribute('required'))"
    )
    page.get_by_label("意见和建议（选填）").fill("电梯仍常出故障")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择评价结果")
    expect(page.get_by_role("group", name="您对处理意见是否满意")).to_have_accessible_description("请选择评价结果")
    expect(page.get_by_label("意见和建议（选填）")).to_have_value("电梯仍常出故障")
    audit("the case page with an evaluation error")
    page.get_by_label("申请复查的理由").fill("   ")
    page.get_by_role("button", name="提交复查申请").click()
    expect(page.get_by_role("alert")).to_contain_text("请写明申请的理由")
    expect(page.get_by_label("申请复查的理由")).to_have_accessible_description(re.compile("请写明申请的理由"))
    audit("the case page with a review error")
    page.get_by_role("button", name="退出查询").click()

    # A letter answered long ago: the review window has closed.
    old = letter_answered_long_ago(e2e_cast, sms_log)
    sign_in(page, old)
    expect(page.locator("main")).to_contain_text("申请期限已于")
    audit("the case page after the review window closed")
    page.get_by_role("button", name="退出查询").click()

    # The ID+SMS look-up: the code sent, then the list of that person's letters.
    settings.PORTAL_SMS_GAP_SECONDS = 0
    page.goto("/portal/track/by-id/")
    page.get_by_label("身份证号码").fill(ID_NUMBER)
    page.get_by_label("手机号码").fill(PHONE_NUMBER)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送到该手机")
    audit("the ID+SMS look-up with the code sent")
    page.get_by_label("短信验证码").fill(last_code(sms_log))
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("小区电梯长期停运无人维修")
    audit("the ID+SMS list of letters")

    # Too many letters from one person today; then writing closed (no mailbox).
    settings.PORTAL_SUBMITS_PER_ID_DAY = 0
    page.goto("/portal/write/")
    fill_letter(page)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至138****8000")
    page.get_by_label("短信验证码").fill(last_code(sms_log))
    page.get_by_label("设置查询密码").fill(PASSWORD)
    page.get_by_label("再次输入查询密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步：核对并提交").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("main")).to_contain_text("操作过于频繁，请稍后再试")
    audit("the busy page")
    Mailbox.objects.update(is_active=False)
    page.goto("/portal/write/")
    audit("writing closed")

    assert audit.found == []
    assert len(audit.seen) == 21
