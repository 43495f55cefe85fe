"""A petition carried through the staff screens in a real Chromium, each step as the right person.

register (creating the petitioner) → assign → sign for → accept → reply →
record delivery → evaluate; the status label is checked after every step.
Screenshots of the workbench and the case page go to test-results/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import act_on_case, case_status, login_as, reseed_migration_data, switch_user
from xinfang.devdata.flow import register, valid_id_number

pytestmark = pytest.mark.browser


def test_register_to_evaluation_in_the_browser(page, e2e_cast, results_dir, console_errors):
    reseed_migration_data()
    cast = e2e_cast
    # Some other work in the bureau's queue, so the workbench shows every row style.
    register(cast.registrar, summary="反映小区物业服务不到位", received_at=timezone.now() - timedelta(days=40))
    register(
        cast.registrar, summary="反映拖欠农民工工资", channel="letter", received_at=timezone.now() - timedelta(days=13)
    )
    register(cast.registrar, summary="反映道路施工夜间扰民", channel="phone", urgency="urgent")

    # 1. The registrar registers a visit, creating the petitioner inline.
    login_as(page, "registrar")
    page.goto("/cases/new/")
    page.locator("summary", has_text="新建信访人").click()
    page.get_by_label("姓名", exact=True).fill("陈秀兰")
    page.get_by_label("身份证号码", exact=True).fill(valid_id_number(birth="19650312"))
    expect(page.locator("#id-check")).to_contain_text("号码有效")
    page.get_by_label("联系电话", exact=True).fill("13812345678")
    page.get_by_role("button", name="新建并选择").click()
    expect(page.locator("table.chosen")).to_contain_text("陈秀兰")
    page.get_by_label("内容分类").select_option(label="征收补偿")
    page.get_by_label("内容摘要").fill("反映承包地征收补偿款未发放")
    page.get_by_label("信访内容").fill("信访人反映其承包地于去年被征收，补偿款至今未发放到位，请求依法支付。")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/cases/*/")
    expect(case_status(page)).to_have_text("待交转办")
    case_url = page.url.replace(page.url.split("/cases/")[0], "")

    # 2. The bureau's petition officer assigns it to the natural-resources bureau, housing as co-unit.
    switch_user(page, "officer")
    page.goto("/cases/")
    expect(page.locator("table.cases")).to_contain_text("反映承包地征收补偿款未发放")
    page.screenshot(path=str(results_dir / "workbench.png"))

    def assign(form):
        form.get_by_label("主办单位").select_option(label="清河县自然资源局")
        form.get_by_label("清河县住房和城乡建设局").check()

    act_on_case(page, case_url, "交办", assign)
    expect(case_status(page)).to_have_text("已交办待签收")

    # 3-4. The department's petition officer signs for it and accepts it, naming the handler.
    switch_user(page, "dept_officer")
    act_on_case(page, case_url, "签收")
    expect(case_status(page)).to_have_text("待受理")
    act_on_case(page, case_url, "受理", lambda f: f.get_by_label("承办人").select_option(label="handler"))
    expect(case_status(page)).to_have_text("办理中")

    # 5. The unit head signs the written reply.
    switch_user(page, "unit_head")

    def reply(form):
        form.get_by_label("一、信访请求").fill("请求支付承包地征收补偿款")
        form.get_by_label("二、事实和理由").fill("经查，该地块补偿款已拨付至镇政府，因账户信息有误未能发放。")
        form.get_by_label("三、处理意见").select_option(label="予以支持")
        form.get_by_label("四、依据").fill("《中华人民共和国土地管理法》第四十八条")

    act_on_case(page, case_url, "签发答复意见", reply)
    expect(case_status(page)).to_have_text("已答复")

    # 6-7. The handler records the delivery and the follow-up call's evaluation.
    switch_user(page, "handler")
    act_on_case(page, case_url, "记录送达", lambda f: f.get_by_label("签收人").fill("陈秀兰"))
    expect(case_status(page)).to_have_text("已答复")
    expect(page.locator("body")).to_contain_text("直接送达")
    act_on_case(page, case_url, "评价", lambda f: f.get_by_label("满意", exact=True).check())
    expect(case_status(page)).to_have_text("已答复")
    expect(page.locator("dl.facts")).to_contain_text("满意（回访记录）")

    page.goto(case_url)
    page.screenshot(path=str(results_dir / "case-detail.png"))
    page.locator("details", has_text="信访事项处理意见书").first.locator("summary").click()
    expect(page.locator(".document").last).to_contain_text("予以支持")
    page.screenshot(path=str(results_dir / "case-detail-full.png"), full_page=True)
    assert not console_errors
