"""The case ledger (信访件台账): the list's cases as a streamed XLSX, one row per case, audited."""

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from xinfang.cases.access import scoped_cases
from xinfang.cases.filters import CaseFilter, apply
from xinfang.cases.states import Channel, Kind, Status
from xinfang.devdata.flow import make_petitioner, register
from xinfang.orgs.models import AuditAction, AuditEvent
from xinfang.stats import ledger

pytestmark = pytest.mark.django_db

URL = "/stats/ledger.xlsx"
TODAY = date(2025, 4, 10)
HEAD = 3  # the title, the conditions, then the header row


@pytest.fixture
def county(cast, flow, clock):
    """March 2025 in 清河县: a closed visit of 张三丰, a collective visit of 6 at 自然资源局, a letter from
    a company still at the bureau, an accusation against 住建局; April: one more visit. And one case in 远山县."""
    clock.set(date(2025, 3, 3))
    closed = flow.closed(petitioners=[(make_petitioner(cast.registrar, name="张三丰"), True)])
    clock.set(date(2025, 3, 4))
    group = [(make_petitioner(cast.registrar, name=f"李群{n}"), n == 0) for n in range(6)]
    collective = flow.forward(flow.register(petitioners=group, person_count=6))
    clock.set(date(2025, 3, 5))
    from xinfang.petitioners.services import register_petitioner

    company = register_petitioner(
        actor=cast.registrar, kind="organisation", name="清河县某建材有限公司", uscc="91330781MA2A0B1C2D"
    )
    letter = flow.register(channel=Channel.LETTER, petitioners=[(company, True)], summary="反映货款拖欠问题")
    accusation = flow.register(kind=Kind.ACCUSATION, accused_org=cast.dept2, summary="检举某科长收受好处费")
    register(cast.other_registrar, summary="远山县的信访件")
    clock.set(date(2025, 4, 2))
    april = flow.register(summary="四月来访")
    clock.set(TODAY)
    return {"closed": closed, "collective": collective, "letter": letter, "accusation": accusation, "april": april}


def sheet(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def body(ws):
    """The data rows as dicts by header."""
    headers = [c.value for c in ws[HEAD]]
    return [dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=HEAD + 1, values_only=True)]


def numbers(ws):
    return sorted(r["登记编号"] for r in body(ws))


def test_the_ledger_has_chinese_headers_a_frozen_header_and_the_cases_values(login, cast, county):
    response = login(cast.officer).get(URL)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="xinfang-ledger-20250410.xlsx"')
    assert int(response["Content-Length"]) > 0  # a file of known size, not a stream of unknown length
    ws = sheet(response)
    assert ws["A1"].value == "清河县信访局信访件台账"
    assert ws["A2"].value == "筛选条件：全部；制表日期：2025-04-10；个人姓名已隐去（仅显示姓氏）"
    assert [c.value for c in ws[HEAD]] == ledger.HEADERS
    assert ws.freeze_panes == "C4"
    assert ws.column_dimensions["K"].width == 40  # 内容摘要
    rows = {r["登记编号"]: r for r in body(ws)}
    closed = rows[county["closed"].number]
    assert closed["信访人"] == "张**"
    assert [closed[h] for h in ("来源渠道", "信访形式", "人数", "信访性质")] == ["来访", "个体", 1, "申诉求决类"]
    assert [closed[h] for h in ("当前办理单位", "主办单位", "状态")] == ["清河县自然资源局"] * 2 + ["已办结"]
    assert closed["收件时间"] == datetime(2025, 3, 3, 9, 0)  # 01:00 UTC, in local (Beijing) time
    march_3 = datetime(2025, 3, 3)  # openpyxl reads a date cell back as a datetime at midnight
    assert [closed[h] for h in ("受理日期", "办结日期", "评价")] == [march_3, march_3, None]
    assert (closed["是否超期"], closed["处理意见"]) == ("否", "不予支持")
    assert closed["内容分类"] == str(county["closed"].category)
    group = rows[county["collective"].number]
    assert group["信访人"] == "李**、李**、李**、李**、李**、李**"
    assert (group["信访形式"], group["人数"], group["状态"]) == ("集体", 6, "已转送待签收")
    letter = rows[county["letter"].number]
    company = "清河县某建材有限公司"  # an organisation's name is public: not masked
    assert [letter[h] for h in ("信访人", "来源渠道", "当前办理单位")] == [company, "来信", "清河县信访局"]


def test_dates_are_date_cells_with_a_date_format(login, cast, county):
    ws = sheet(login(cast.officer).get(URL))
    headers = [c.value for c in ws[HEAD]]
    row = next(r for r in ws.iter_rows(min_row=HEAD + 1) if r[1].value == county["closed"].number)
    accepted = row[headers.index("受理日期")]
    received = row[headers.index("收件时间")]
    assert (accepted.is_date, accepted.number_format) == (True, "yyyy-mm-dd")
    assert (received.is_date, received.number_format) == (True, "yyyy-mm-dd hh:mm")


def test_no_id_or_phone_number_and_no_full_name_is_written(login, cast, county):
    raw = b"".join(login(cast.officer).get(URL).streaming_content)
    ws = load_workbook(BytesIO(raw)).active
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "张三丰" not in text and "李群0" not in text
    assert not re.search(r"\d{17}[\dX]|1381234\d{4}", text)


def test_the_other_county_s_cases_never_appear(login, cast, county):
    ws = sheet(login(cast.officer).get(URL))
    assert "远山县的信访件" not in [r["内容摘要"] for r in body(ws)]
    theirs = sheet(login(cast.other_officer).get(URL))
    assert [r["内容摘要"] for r in body(theirs)] == ["远山县的信访件"]


def test_an_accusation_is_in_the_officer_s_ledger_but_not_the_statistician_s(login, cast, county):
    number = county["accusation"].number
    assert number in numbers(sheet(login(cast.officer).get(URL)))
    assert number not in numbers(sheet(login(cast.statistician).get(URL)))


def test_the_ledger_has_the_list_s_count_for_the_same_date_range(login, cast, county):
    client = login(cast.officer)
    query = {"tab": "search", "received_from": "2025-03-01", "received_to": "2025-03-31"}
    listing = client.get("/cases/", query).content.decode()
    assert "共 4 件" in listing
    ws = sheet(client.get(URL, query))
    assert len(body(ws)) == 4
    assert "四月来访" not in [r["内容摘要"] for r in body(ws)]
    assert ws["A2"].value.startswith("筛选条件：收件日期自：2025-03-01；至：2025-03-31；")


def test_the_list_s_order_and_channel_filter_carry_over(login, cast, county):
    client = login(cast.officer)
    query = {"tab": "search", "channel": "visit"}
    listing = client.get("/cases/", query).content.decode()
    listed = re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', listing)
    ws = sheet(client.get(URL, query))
    assert [r["登记编号"] for r in body(ws)] == listed
    assert len(listed) == 4  # three March visits (one an accusation) and April's
    assert ws["A2"].value.startswith("筛选条件：来源渠道：来访；")


def test_a_status_filter_counts_as_the_one_case_filter_does(login, cast, county):
    ws = sheet(login(cast.officer).get(URL, {"status": [Status.CLOSED, Status.REGISTERED]}))
    expected = apply(scoped_cases(cast.officer), CaseFilter(status=[Status.CLOSED, Status.REGISTERED]))
    assert sorted(expected.values_list("number", flat=True)) == numbers(ws)
    assert len(numbers(ws)) == 4  # the closed one, the accusation, the letter and April's
    assert "状态：待交转办、已办结" in ws["A2"].value


def test_a_bad_filter_value_is_ignored_as_the_list_ignores_it(login, cast, county):
    ws = sheet(login(cast.officer).get(URL, {"received_from": "2025-13-01", "status": "nonsense"}))
    assert len(body(ws)) == 5


def test_the_export_is_recorded_in_the_security_audit_log(login, cast, county):
    login(cast.officer).get(URL, {"received_from": "2025-03-01", "received_to": "2025-03-31"})
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT)
    assert (event.actor, event.target, event.detail) == (
        cast.officer,
        "信访件台账（XLSX）",
        "4件；收件日期自：2025-03-01；至：2025-03-31",
    )


@pytest.mark.parametrize("who", ["registrar", "handler", "admin", "nobody"])
def test_others_may_not_export_the_ledger(login, cast, who):
    response = login(getattr(cast, who)).get(URL)
    assert response.status_code == 403
    assert ledger.NOT_ALLOWED in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()


def test_the_export_costs_the_same_queries_however_many_cases(login, cast, county, flow, clock):
    """Names come through joins and one petitioner query per chunk: more cases add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.officer)
    client.get(URL)  # warm the per-process caches (content types, calendar)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            sheet(client.get(URL))
        return len(captured.captured_queries)

    before = queries()
    clock.set(date(2025, 4, 5))
    for _ in range(3):
        flow.forward(flow.register())
    clock.set(TODAY)
    after = queries()
    assert after == before <= 14


def test_rows_are_read_in_chunks_with_one_petitioner_query_each(cast, county, django_assert_num_queries):
    qs = ledger.queryset(cast.officer, CaseFilter(sort="-received"), TODAY)
    with django_assert_num_queries(1 + 3):  # the cases (one cursor), then the petitioners of each chunk of 2
        out = list(ledger.rows(qs, TODAY, chunk=2))
    assert [r[0] for r in out] == [1, 2, 3, 4, 5]
    assert out[0][1] == county["april"].number  # newest first, as 全部信访件 lists them


def test_the_list_links_to_the_ledger_of_its_own_filters(login, cast, county):
    client = login(cast.officer)
    html = client.get("/cases/", {"tab": "search", "channel": "letter", "page": "1"}).content.decode()
    link = re.search(r'<a class="button" href="(/stats/ledger\.xlsx\?[^"]*)">导出台账（Excel）</a>', html)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert "channel=letter" in url and "page=" not in url
    assert numbers(sheet(client.get(url))) == [county["letter"].number]


def test_the_link_is_only_on_the_whole_list_and_only_for_those_who_may_export(login, cast, county):
    assert "导出台账（Excel）" not in login(cast.officer).get("/cases/", {"tab": "all"}).content.decode()
    assert "导出台账（Excel）" not in login(cast.registrar).get("/cases/", {"tab": "search"}).content.decode()


def test_overdue_is_the_list_s_overdue_and_a_late_closure_is_said(login, cast, county, flow, clock):
    clock.set(date(2025, 3, 6))
    late = flow.handling(assign=False, summary="逾期办结的信访件")
    clock.set(date(2025, 7, 1))  # past the 60-day handling period
    from xinfang.cases.actions import do_close

    late = do_close(flow.deliver(flow.reply(late)), actor=cast.handler)
    client = login(cast.officer)
    overdue_list = client.get("/cases/", {"tab": "search", "due": "overdue"}).content.decode()
    listed = sorted(re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', overdue_list))
    rows = body(sheet(client.get(URL)))
    assert listed and sorted(r["登记编号"] for r in rows if r["是否超期"] == "已超期") == listed
    assert [r["是否超期"] for r in rows if r["登记编号"] == late.number] == ["超期办结"]
    assert {r["是否超期"] for r in rows} == {"已超期", "超期办结", "否"}


def test_the_conditions_name_the_chosen_category_and_org(login, cast, county):
    category = county["closed"].category
    query = {"category": str(category.pk), "org": str(cast.dept.pk)}
    ws = sheet(login(cast.leader).get(URL, query))  # the org box offers the orgs the user may see
    named = f"内容分类：{category.parent.name} / {category.name}；当前办理单位：清河县自然资源局"
    assert ws["A2"].value.startswith(f"筛选条件：{named}；")
    assert numbers(ws) == sorted([county["closed"].number, county["collective"].number])


def test_a_summary_that_looks_like_a_formula_is_written_as_text(login, cast, county, flow):
    case = flow.register(summary='=HYPERLINK("http://example.invalid","点此")\x07')
    ws = sheet(login(cast.officer).get(URL))
    headers = [c.value for c in ws[HEAD]]
    row = next(r for r in ws.iter_rows(min_row=HEAD + 1) if r[1].value == case.number)
    summary = row[headers.index("内容摘要")]
    assert (summary.data_type, summary.value) == ("s", '=HYPERLINK("http://example.invalid","点此")')
