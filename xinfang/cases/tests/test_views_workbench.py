"""The workbench: 全部信访件, 待协办反馈, ordering, filters that keep working."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.cases.tests.test_views import html
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import Flow, register

# With the navigation's unread-message count and the capped count's two look-ups of the scope
# (access.count_up_to); the user's org comes with the user.
SEARCH_QUERIES = 12


def test_oversight_roles_land_on_overdue_and_due_soon_cases_across_their_scope(cast, login):
    closed = Flow(cast).closed(summary="已经办结的事项")
    late = register(cast.registrar, summary="超期的来访", received_at=timezone.now() - timedelta(days=40))
    fresh = register(cast.registrar, summary="刚登记的来访")
    # A case the township registered itself: the bureau's oversight roles cover the whole county.
    township_staff = make_user("township_officer", cast.township, "petition_officer")
    township_late = register(township_staff, summary="镇里超期的事项", received_at=timezone.now() - timedelta(days=40))
    for user in (cast.leader, cast.supervisor, cast.statistician):
        body = html(login(user).get("/cases/"))
        assert 'href="?tab=attention" title="本人可查看的已超期和3日内到期的在办信访件" aria-current="page"' in body
        assert late.number in body and township_late.number in body
        assert fresh.number not in body and closed.number not in body
        assert 'class="tab tab-bad">已超期 <span class="count">2</span>' in body
        # The search tab lists newest first, and its sort box says so.
        body = html(login(user).get("/cases/?tab=search"))
        assert closed.number in body and late.number in body
        assert body.index(fresh.number) < body.index(late.number)
        assert '<option value="-received" selected>按收件时间（新→旧）</option>' in body
    # The officer keeps the to-do list by default and finds cases on the search tab.
    client = login(cast.officer)
    assert 'href="?tab=all" title="需要本人或本单位处理的信访件" aria-current="page"' in html(client.get("/cases/"))
    body = html(client.get(f"/cases/?tab=search&q={closed.number[-5:]}"))
    assert closed.number in body and late.number not in body
    body = html(client.get("/cases/?tab=search&q=已经办结"))
    assert closed.number in body and late.number not in body
    # Never a case outside the scope.
    assert closed.number not in html(login(cast.other_officer).get("/cases/?tab=search"))


def test_due_filter_over_open_cases(cast, login):
    overdue = register(cast.registrar, summary="超期件", received_at=timezone.now() - timedelta(days=40))
    fresh = register(cast.registrar, summary="新件")
    soon = register(cast.registrar, summary="将到期件")
    Case.objects.filter(pk=soon.pk).update(due_date=timezone.localdate() + timedelta(days=2))
    provisional = register(cast.registrar, summary="暂定件")
    Case.objects.filter(pk=provisional.pk).update(due_provisional=True)
    client = login(cast.leader)
    body = html(client.get("/cases/?tab=search&due=overdue"))
    assert overdue.number in body and fresh.number not in body and soon.number not in body
    body = html(client.get("/cases/?tab=search&due=due_soon"))
    assert soon.number in body and overdue.number not in body and fresh.number not in body
    body = html(client.get("/cases/?tab=search&due=provisional"))
    assert provisional.number in body and fresh.number not in body


def test_search_tab_query_count_is_pinned(cast, login):
    for i in range(27):
        register(cast.registrar, summary=f"第{i}件")
    client = login(cast.leader)
    client.get("/cases/")  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/cases/?tab=search")
    assert html(response).count('href="/cases/') >= 25
    assert 'href="?tab=search&amp;page=2">下一页</a>' in html(response)  # the pager keeps the list's query
    assert len(ctx.captured_queries) == SEARCH_QUERIES, "\n".join(q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/cases/?tab=search&page=2&channel=visit")
    assert len(ctx.captured_queries) == SEARCH_QUERIES


def test_co_unit_has_a_to_do_entry_for_its_feedback(cast, login):
    flow = Flow(cast)
    case = flow.handling(co=True, summary="需要协办的事项")
    plain = flow.handling(summary="无协办的事项")
    client = login(cast.handler2)  # 住建局: the co-unit
    response = client.get("/cases/")
    body = html(response)
    assert 'href="?tab=co_report"' in body
    assert response.context["request"]._cases_todo_count == 1  # in the nav total
    body = html(client.get("/cases/?tab=co_report"))
    assert case.number in body and plain.number not in body
    flow.co_report(case)
    body = html(client.get("/cases/?tab=co_report"))
    assert case.number not in body
    assert client.get("/cases/").context["request"]._cases_todo_count == 0
    # The lead unit does not owe it.
    assert case.number not in html(login(cast.handler).get("/cases/?tab=co_report"))


def test_default_order_is_the_due_order_with_no_deadline_last(cast, login):
    undated = register(cast.registrar, summary="无期限件", received_at=timezone.now() - timedelta(days=3))
    dated = register(cast.registrar, summary="有期限件")
    Case.objects.filter(pk=undated.pk).update(due_date=None)
    Case.objects.filter(pk=dated.pk).update(due_date=timezone.localdate() + timedelta(days=10))
    client = login(cast.officer)
    for url in ("/cases/", "/cases/?tab=all", "/cases/?sort=due"):
        body = html(client.get(url))
        assert body.index(dated.number) < body.index(undated.number), url


def test_a_bad_filter_value_is_reported_and_the_other_filters_still_apply(cast, login):
    letter = register(cast.registrar, summary="来信件", channel="letter")
    visit = register(cast.registrar, summary="来访件")
    client = login(cast.officer)
    for bad in ("received_from=garbage", "urgency=nonsense", "category=abc"):
        response = client.get(f"/cases/?channel=letter&{bad}")
        assert response.status_code == 200
        body = html(response)
        assert letter.number in body and visit.number not in body, bad
        assert 'class="error"' in body, bad
    body = html(client.get("/cases/?channel=letter&received_from=garbage"))
    assert "日期无效" in body


def test_a_paused_deadline_is_not_shown_as_due(cast, login):
    case = Flow(cast).handling(summary="听证中的事项")
    Case.objects.filter(pk=case.pk).update(hearing_open=True, due_date=timezone.localdate() - timedelta(days=1))
    client = login(cast.handler)
    response = client.get("/cases/")
    body = html(response)
    row = body[body.index(case.number) :]
    row = row[: row.index("</tr>")]
    assert "已中止计时" in row and "超期" not in row
    assert '<tr class="">' in body and 'class="overdue"' not in body
    assert "tab-bad" not in body
    assert case.number not in html(client.get("/cases/?tab=overdue"))


def test_reported_rows_do_not_show_the_lead_units_handler_under_the_bureau(cast, login):
    flow = Flow(cast)
    case = flow.report_back(flow.deliver(flow.reply(flow.handling(summary="已报结的事项"))))
    case.refresh_from_db()
    assert case.status == "reported" and case.current_org == cast.bureau
    body = html(login(cast.officer).get("/cases/?tab=to_confirm"))
    assert case.number in body and "承办：handler" not in body
    other = flow.handling(summary="办理中的事项")
    body = html(login(cast.unit_head).get("/cases/?tab=handling"))
    assert other.number in body and "承办：handler" in body


def test_the_badge_counts_once_a_minute_not_on_every_page(cast, login, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register(cast.registrar)
    client = login(cast.officer)
    first = client.get("/clock/").content.decode()
    assert '工作台 <span class="badge">1</span>' in first
    register(cast.registrar)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/clock/").content.decode()
    assert '工作台 <span class="badge">1</span>' in again  # a minute's staleness at most
    assert not any("COUNT(" in q["sql"] and "cases_case" in q["sql"] for q in ctx.captured_queries)
    # The workbench counts exactly and the badge follows it.
    assert '工作台 <span class="badge">2</span>' in client.get("/cases/").content.decode()
    assert '工作台 <span class="badge">2</span>' in client.get("/clock/").content.decode()


def test_the_search_tab_counts_up_to_its_cap_and_says_so(cast, login, monkeypatch):
    from xinfang.cases import workbench as wb

    cases = [register(cast.registrar, summary=f"第{i}件") for i in range(4)]
    client = login(cast.officer)
    body = html(client.get("/cases/?tab=search"))
    assert "全部信访件：本人可查看的全部信访件（含已办结），共 4 件。" in body
    # Past the cap the count stops (one bounded index walk instead of the county's whole history).
    monkeypatch.setattr(wb, "SEARCH_COUNT_CAP", 3)
    body = html(client.get("/cases/?tab=search"))
    assert "全部信访件：本人可查看的全部信访件（含已办结），超过 3 件，只列出前 3 件（请用上方条件缩小范围）。" in body
    assert cases[-1].number in body  # newest first
    # A filter that narrows below the cap counts exactly again.
    body = html(client.get(f"/cases/?tab=search&q={cases[0].number[-5:]}"))
    assert "共 1 件。" in body
    # The to-do tabs are never capped.
    assert "共 4 件。" in html(client.get("/cases/?tab=all"))
    assert cases[0].number not in html(login(cast.other_officer).get("/cases/?tab=search"))


def test_a_reversed_date_range_says_so_and_applies_only_its_start(cast, login):
    case = register(cast.registrar, summary="近日来访件")
    start = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = html(login(cast.officer).get(f"/cases/?tab=search&received_from={start}&received_to=2020-01-01"))
    assert "收件日期的截止日早于起始日，请检查；本条件未生效" in body
    assert case.number in body


def test_the_unit_filter_takes_the_cases_handled_anywhere_in_a_units_subtree(cast, login, flow):
    at_dept = flow.handling(summary="交办自然资源局")
    at_bureau = flow.register(summary="尚在信访局")
    client = login(cast.leader)
    body = html(client.get(f"/cases/?tab=search&unit={cast.county.pk}"))
    assert at_dept.number in body and at_bureau.number in body
    body = html(client.get(f"/cases/?tab=search&unit={cast.dept.pk}"))
    assert at_dept.number in body and at_bureau.number not in body
    assert f'<option value="{cast.dept.pk}" selected>' in body
    # Another county's unit is not a choice: reported at the field, the same as a unit that does not exist.
    other = html(client.get(f"/cases/?tab=search&unit={cast.other_county.pk}"))
    missing = html(client.get("/cases/?tab=search&unit=999999"))
    for body in (other, missing):
        assert "选择一个有效的选项" in body and at_dept.number in body and at_bureau.number in body


def test_a_unit_beyond_the_listed_options_can_still_be_chosen(cast, login, flow, monkeypatch):
    from xinfang.cases import forms_workbench

    at_dept = flow.handling(summary="交办自然资源局")
    monkeypatch.setattr(forms_workbench, "ORG_OPTIONS", 1)
    body = html(login(cast.leader).get(f"/cases/?tab=search&org={cast.dept.pk}"))
    assert at_dept.number in body and "选择一个有效的选项" not in body
    assert f'<option value="{cast.dept.pk}" selected>' in body


def test_a_first_level_category_can_be_chosen_as_a_whole(cast, login):
    from xinfang.cases.models import Category

    first, second = (
        Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent").order_by("pk")[:2]
    )
    parent = first.parent
    in_group = register(cast.registrar, summary="本类件", category=first)
    body = html(login(cast.leader).get(f"/cases/?tab=search&category={parent.pk}"))
    assert f'<option value="{parent.pk}" selected>{parent.name}（全部）</option>' in body
    assert in_group.number in body and "选择一个有效的选项" not in body
    if second.parent_id != parent.pk:
        other = register(cast.registrar, summary="他类件", category=second)
        body = html(login(cast.leader).get(f"/cases/?tab=search&category={parent.pk}"))
        assert other.number not in body


def test_a_handler_s_to_evaluate_tab_holds_their_own_delivered_replies(cast, login):
    flow = Flow(cast)
    own = flow.delivered(summary="本人承办的已送达事项")
    colleague = make_user("handler_b", cast.dept, "handler")
    theirs = flow.delivered(summary="同事承办的已送达事项")
    Case.objects.filter(pk=theirs.pk).update(handler=colleague)
    body = html(login(cast.handler).get("/cases/?tab=to_evaluate"))
    assert own.number in body and theirs.number not in body
    body = html(login(colleague).get("/cases/?tab=to_evaluate"))
    assert theirs.number in body and own.number not in body
    # The unit's officer owes both.
    body = html(login(cast.dept_officer).get("/cases/?tab=to_evaluate"))
    assert own.number in body and theirs.number in body
