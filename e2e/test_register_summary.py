"""内容摘要 in a real Chromium: a live count, nothing cut, and the server's message keeps the whole text."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import login_as, reseed_migration_data
from xinfang.devdata.flow import make_petitioner

pytestmark = pytest.mark.browser


def test_it_counts_the_summary_live_and_refuses_an_over_long_one_keeping_all_of_it(page, e2e_cast):
    reseed_migration_data()
    petitioner = make_petitioner(e2e_cast.registrar, name="蒋秀英")
    login_as(page, "registrar")
    page.goto("/cases/new/")
    counter = page.locator("#summary-count")
    summary = page.get_by_label("内容摘要")
    summary.fill("反映小区物业服务")
    expect(counter).to_have_text("已输入 8 / 200 字")
    typed = "征" * 201
    summary.fill(typed)
    expect(summary).to_have_value(typed)  # not cut at 200
    expect(counter).to_have_text("已输入 201 字，超出 1 字，请精简到 200 字以内")
    expect(counter).to_have_class("error")

    page.get_by_label("查找已登记的信访人（姓名 / 身份证号码 / 电话）").fill("蒋秀英")
    page.locator("#lookup-results").get_by_role("button", name="选择").click()
    expect(page.locator("table.chosen")).to_contain_text(petitioner.name)
    page.get_by_label("内容分类").select_option(label="征收补偿")
    page.get_by_label("信访内容").fill("信访人反映其承包地被征收后补偿款至今未发放。")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".field.has-error")).to_contain_text("内容摘要不能超过 200 字（现为 201 字），请精简")
    expect(page.get_by_label("内容摘要")).to_have_value(typed)
    expect(page.locator("#summary-count")).to_have_text("已输入 201 字，超出 1 字，请精简到 200 字以内")
