"""The case screens: who sees what, registration, action forms, conflicts, query counts."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Category
from xinfang.cases.states import Kind, Status
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import make_petitioner, register, valid_id_number
from xinfang.orgs.models import AuditAction, AuditEvent

GOOD_ID = valid_id_number(birth="19800101")
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def html(response) -> str:
    return response.content.decode()


def subcategory():
    return Category.objects.filter(parent__isnull=False).order_by("code").first()


def local_now(minutes_ago=60) -> str:
    return timezone.localtime(timezone.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def reg_data(petitioners, **overrides):
    data = {
        "channel": "visit",
        "received_at": local_now(),
        "kind": "claim",
        "category": subcategory().pk,
        "urgency": "normal",
        "importance": "normal",
        "person_count": "1",
        "place_code": "330781",
        "place_name": "清河县",
        "summary": "反映征地补偿款未发放",
        "content": "信访人反映其承包地被征收后补偿款至今未发放到位。",
        "petitioner": [p.pk for p in petitioners],
        "rep": [petitioners[0].pk] if petitioners else [],
        "do": "register",
    }
    data.update(overrides)
    return data


def case_of(user, number):
    return scoped_cases(user).get(number=number)


# ---------------------------------------------------------------- visibility


def test_workbench_shows_registered_case_to_the_bureau_only(cast, login):
    case = register(cast.registrar)
    body = html(login(cast.officer).get("/cases/?tab=registered"))
    assert case.number in body
    assert "待交转办" in body
    other = html(login(cast.other_officer).get("/cases/"))
    assert case.number not in other


def test_home_redirects_to_the_workbench(cast, login):
    response = login(cast.registrar).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"


def test_nav_shows_the_todo_count(cast, login):
    register(cast.registrar)
    register(cast.registrar)
    body = html(login(cast.officer).get("/petitioners/"))
    assert re.search(r'工作台 <span class="badge">2</span>', body)


def test_other_county_gets_404_everywhere(cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = register(cast.registrar)
    client = login(cast.registrar)
    client.post(f"/cases/{case.pk}/act/assign/", {})  # not allowed for a registrar; nothing happens
    from xinfang.cases.attachments import store_attachments

    store_attachments(case, cast.registrar, [(SimpleUploadedFile("a.pdf", PDF), "application/pdf")])
    aid = case.attachments.get().pk
    client = login(cast.other_officer)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/print/",
        f"/cases/{case.pk}/attachments/{aid}/",
        f"/cases/{case.pk}/act/assign/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/cases/{case.pk}/act/forward/", {"version": case.version, "org": cast.other_dept.pk})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_accused_unit_gets_404_and_never_sees_it_in_the_workbench(cast, login):
    case = register(cast.registrar, kind=Kind.ACCUSATION, accused_org=cast.dept, accused_name="某局某科长")
    for user in (cast.dept_officer, cast.unit_head):
        client = login(user)
        assert client.get(f"/cases/{case.pk}/").status_code == 404
        assert client.get(f"/cases/{case.pk}/print/").status_code == 404
        assert case.number not in html(client.get("/cases/"))
    # The bureau may not route it to the accused unit either: the form says why.
    response = login(cast.officer).post(f"/cases/{case.pk}/act/assign/", {"version": case.version, "org": cast.dept.pk})
    assert response.status_code == 422
    assert "检举控告件不得交转给被反映人或被反映单位（清河县自然资源局）" in html(response)
    assert "选择一个有效的选项" not in html(response)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_case_page_shows_facts_masked_petitioners_deadlines_and_buttons(cast, login):
    petitioner = make_petitioner(cast.registrar, name="李四", id_number=GOOD_ID)
    case = register(cast.registrar, petitioners=[(petitioner, True)])
    body = html(login(cast.officer).get(f"/cases/{case.pk}/"))
    assert case.number in body
    assert "李四" in body
    assert GOOD_ID not in body
    assert petitioner.id_masked in body
    assert "交转办" in body  # the routing deadline
    assert f"/cases/{case.pk}/act/assign/" in body
    assert "登记" in body  # the timeline


def test_action_not_allowed_explains_why(cast, login):
    case = register(cast.registrar)
    client = login(cast.registrar)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "/act/assign/" not in page
    assert "只有本单位受理交办员可以办理此项" in page  # the refused-actions list
    response = client.post(f"/cases/{case.pk}/act/assign/", {"version": case.version, "org": cast.dept.pk})
    assert response.status_code == 403
    assert "只有本单位受理交办员可以办理此项" in html(response)


# ---------------------------------------------------------------- registration


def test_registration_happy_path(cast, login):
    p = make_petitioner(cast.registrar, name="王五")
    client = login(cast.registrar)
    assert client.get("/cases/new/").status_code == 200
    response = client.post("/cases/new/", reg_data([p]))
    assert response.status_code == 302, html(response)
    case = scoped_cases(cast.registrar).get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert case.status == Status.REGISTERED
    assert case.case_petitioners.get().is_representative
    assert case.category == subcategory()


def test_registration_errors_keep_everything_typed(cast, login):
    p = make_petitioner(cast.registrar, name="赵六")
    client = login(cast.registrar)
    response = client.post(
        "/cases/new/", reg_data([p], summary="", content="我写了很长的一段内容", channel="referred", kind="accusation")
    )
    assert response.status_code == 422
    body = html(response)
    assert "请填写内容摘要" in body
    assert "上级交办件须选择交办上级" in body
    assert "检举控告类须填写被反映人或单位" in body
    assert "我写了很长的一段内容" in body
    assert f'name="petitioner" value="{p.pk}"' in body
    assert "赵六" in body


def test_registration_without_petitioner_is_refused_at_the_petitioner_field(cast, login):
    response = login(cast.registrar).post("/cases/new/", reg_data([]))
    assert response.status_code == 422
    assert "请至少选择或新建一名信访人" in html(response)


def test_lookup_add_and_quick_create_keep_the_form(cast, login):
    p = make_petitioner(cast.registrar, name="孙七")
    client = login(cast.registrar)
    body = html(client.post("/cases/new/", reg_data([], do="lookup", q="孙七", summary="已填摘要")))
    assert f'name="add_petitioner" value="{p.pk}"' in body
    assert "已填摘要" in body
    body = html(client.post("/cases/new/", reg_data([], add_petitioner=p.pk, summary="已填摘要")))
    assert f'name="petitioner" value="{p.pk}"' in body
    # Quick-create with a bad ID number: the message is at the field, nothing lost.
    data = reg_data([p], create_petitioner="1", new_name="周八", new_id_number=BAD_ID)
    body = html(client.post("/cases/new/", data))
    assert "周八" in body and BAD_ID in body
    assert "身份证号码校验位错误，请核对" in body
    data = reg_data([p], create_petitioner="1", new_name="周八", new_id_number="", new_phone="")
    body = html(client.post("/cases/new/", data))
    assert body.count('name="petitioner"') == 1 and body.count('name="new_petitioner"') == 1  # saved with the case


def test_live_lookup_and_id_check_fragments(cast, login):
    p = make_petitioner(cast.registrar, name="吴九", id_number=GOOD_ID)
    client = login(cast.registrar)
    assert f'value="{p.pk}"' in html(client.post("/cases/new/lookup/", {"q": "吴九"}))
    body = html(client.post("/cases/new/check-id/", {"new_id_number": GOOD_ID}))
    assert "号码有效" in body and "吴九" in body
    assert "error" in html(client.post("/cases/new/check-id/", {"new_id_number": BAD_ID}))


def test_registration_warns_of_a_repeat_and_registers_it_as_one(cast, login):
    p = make_petitioner(cast.registrar, name="郑十")
    first = register(cast.registrar, petitioners=[(p, True)], category=subcategory())
    client = login(cast.registrar)
    response = client.post("/cases/new/", reg_data([p]))
    assert response.status_code == 200
    body = html(response)
    assert first.number in body and "重复" in body
    assert f'name="register_repeat" value="{first.pk}"' in body
    assert "仍然登记" in body
    response = client.post("/cases/new/", reg_data([p], do="", register_repeat=str(first.pk)))
    assert response.status_code == 302
    new = scoped_cases(cast.registrar).exclude(pk=first.pk).get()
    assert new.repeat_of_id == first.pk


def test_registration_warns_of_more_than_five_representatives(cast, login):
    people = [make_petitioner(cast.registrar, name=f"代表{i}") for i in range(6)]
    client = login(cast.registrar)
    data = reg_data(people, rep=[p.pk for p in people], person_count="30", do="check")
    body = html(client.post("/cases/new/", data))
    assert "超过《信访工作条例》第二十条规定的5人" in body
    assert not scoped_cases(cast.registrar).exists()
    data["do"] = "register_anyway"
    assert client.post("/cases/new/", data).status_code == 302
    case = scoped_cases(cast.registrar).get()
    assert case.is_collective and case.person_count == 30


def test_attachment_type_is_sniffed_and_served_through_the_access_layer(cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = make_petitioner(cast.registrar)
    client = login(cast.registrar)
    fake = SimpleUploadedFile("scan.pdf", EXE, content_type="application/pdf")
    response = client.post("/cases/new/", reg_data([p], attachments=[fake]))
    assert response.status_code == 422
    assert "的内容不是有效的PDF文件（文件可能已损坏，或扩展名与内容不符）" in html(response)
    assert not scoped_cases(cast.registrar).exists()

    good = SimpleUploadedFile("信访材料.pdf", PDF, content_type="application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the bytes are written on commit
        response = client.post("/cases/new/", reg_data([p], attachments=[good]))
    assert response.status_code == 302
    case = scoped_cases(cast.registrar).get()
    attachment = case.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert str(tmp_path) in attachment.file.path and "信访材料" not in attachment.file.name
    response = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD, actor=cast.registrar).exists()


def test_attachment_size_limit(cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 10
    p = make_petitioner(cast.registrar)
    response = login(cast.registrar).post("/cases/new/", reg_data([p], attachments=[SimpleUploadedFile("a.pdf", PDF)]))
    assert response.status_code == 422
    assert "大小限制" in html(response)


# ---------------------------------------------------------------- the action forms


def act(client, case, action, **data):
    case.refresh_from_db()
    data.setdefault("version", case.version)
    response = client.post(f"/cases/{case.pk}/act/{action}/", data)
    assert response.status_code == 302, (action, response.status_code, html(response)[:3000])
    case.refresh_from_db()
    return case


def test_full_lifecycle_through_the_screens(cast, login):
    dept2_head = make_user("dept2_head", cast.dept2, "unit_head")
    p = make_petitioner(cast.registrar, name="钱一")
    client = login(cast.registrar)
    response = client.post("/cases/new/", reg_data([p]))
    assert response.status_code == 302
    case = scoped_cases(cast.registrar).get()

    case = act(login(cast.officer), case, "assign", org=cast.dept.pk, co_orgs=[cast.dept2.pk], note="请依法办理")
    assert case.status == Status.ASSIGNED
    case = act(login(cast.dept_officer), case, "sign_for")
    assert case.status == Status.TO_DECIDE
    case = act(login(cast.dept_officer), case, "accept", handler=cast.handler.pk)
    assert case.status == Status.HANDLING and case.handler == cast.handler
    assert case.number in html(login(cast.handler).get("/cases/?tab=handling"))
    case = act(login(dept2_head), case, "co_report", report="已配合核查补偿款发放情况")
    due_before = case.due_date
    case = act(login(cast.handler), case, "request_extension", days="10", reason="需进一步核实补偿标准")
    case = act(login(cast.unit_head), case, "approve_extension")
    assert case.extension_days == 10 and case.due_date > due_before
    case = act(
        login(cast.handler),
        case,
        "draft_reply",
        request="支付补偿款",
        facts="经查补偿款已拨付至镇政府",
        decision="support",
        basis="《土地管理法》第四十八条",
    )
    form = html(login(cast.unit_head).get(f"/cases/{case.pk}/act/reply/"))
    assert "经查补偿款已拨付至镇政府" in form  # prefilled from the draft
    case = act(
        login(cast.unit_head),
        case,
        "reply",
        request="支付补偿款",
        facts="经查补偿款已拨付至镇政府",
        decision="support",
        basis="《土地管理法》第四十八条",
    )
    assert case.status == Status.REPLIED
    case = act(
        login(cast.handler),
        case,
        "record_delivery",
        notice="reply",
        method="in_person",
        delivered_at=local_now(1),
        recipient="钱一",
    )
    assert case.reply_delivered_on is not None
    # Delivered and not yet evaluated: the assigning bureau may record the evaluation too.
    assert case.number in html(login(cast.officer).get("/cases/?tab=to_evaluate"))
    case = act(login(cast.handler), case, "evaluate", evaluation="satisfied", source="follow_up")
    assert case.evaluation == "satisfied"
    case = act(login(cast.handler), case, "report_back")
    assert case.status == Status.REPORTED
    assert case.number in html(login(cast.officer).get("/cases/?tab=to_confirm"))
    case = act(login(cast.officer), case, "confirm_closure")
    assert case.status == Status.CLOSED
    body = html(login(cast.officer).get(f"/cases/{case.pk}/"))
    for label in ("交办", "签收", "受理", "批准延期", "签发答复意见", "记录送达", "评价", "报结", "审核办结"):
        assert label in body
    assert "信访事项处理意见书" in body
    printed = html(login(cast.officer).get(f"/cases/{case.pk}/print/"))
    assert "经查补偿款已拨付至镇政府" in printed and "data-print" in printed

    # The petitioner is dissatisfied and asks the county government (acted for
    # by its petition bureau) for review, then the city for re-examination.
    today = timezone.localdate().isoformat()
    case = act(login(cast.registrar), case, "request_review", received_on=today, note="对处理意见不服")
    assert case.status == Status.REVIEW_REQUESTED and case.current_org == cast.county
    case = act(login(cast.officer), case, "review", decision="uphold", reasons="原处理意见事实清楚、依据正确")
    assert case.status == Status.REVIEWED
    case = act(
        login(cast.officer),
        case,
        "record_delivery",
        notice="review",
        method="post",
        delivered_at=local_now(0),
        recipient="钱一",
    )
    assert case.window_until is not None
    case = act(login(cast.city_officer), case, "request_reexam", received_on=today, note="对复查意见不服")
    assert case.status == Status.REEXAM_REQUESTED
    case = act(login(cast.city_officer), case, "reexamine", decision="uphold", reasons="复查意见正确")
    assert case.status == Status.FINAL
    body = html(login(cast.city_officer).get(f"/cases/{case.pk}/"))
    assert "信访事项复查意见书" in body and "信访事项复核意见书" in body and "已终结" in body


def test_stale_version_shows_a_conflict_and_keeps_what_was_typed(cast, login):
    case = register(cast.registrar)
    stale = case.version
    actions.do_assign(case, actor=cast.officer, lead_org=cast.dept)
    actions.do_return(case, actor=cast.dept_officer, reason="不属于本单位职责")
    response = login(cast.officer).post(
        f"/cases/{case.pk}/act/forward/", {"version": stale, "org": cast.dept2.pk, "note": "我键入的转送说明"}
    )
    assert response.status_code == 409
    body = html(response)
    assert "该信访件已被他人更新，请刷新页面核对后重试（您填写的内容已保留）" in body
    assert "我键入的转送说明" in body
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_htmx_action_form_is_a_fragment_and_redirects_on_success(cast, login):
    case = register(cast.registrar)
    client = login(cast.officer)
    response = client.get(f"/cases/{case.pk}/act/forward/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in html(response) and 'hx-post="/cases/' in html(response)
    response = client.post(
        f"/cases/{case.pk}/act/forward/", {"version": case.version, "org": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["X-Action-Status"] == "422"
    response = client.post(
        f"/cases/{case.pk}/act/forward/", {"version": case.version, "org": cast.dept.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Redirect"] == f"/cases/{case.pk}/"


def test_workbench_filters_and_overdue_rows(cast, login):
    old = register(cast.registrar, summary="很久以前的来访", received_at=timezone.now() - timedelta(days=40))
    fresh = register(cast.registrar, summary="今天的来信", channel="letter")
    client = login(cast.officer)
    body = html(client.get("/cases/?tab=overdue"))
    assert old.number in body and fresh.number not in body
    assert 'class="overdue"' in body and "超期" in body
    body = html(client.get("/cases/?channel=letter"))
    assert fresh.number in body and old.number not in body
    body = html(client.get("/cases/?q=很久以前"))
    assert old.number in body and fresh.number not in body
    body = html(client.get("/cases/?sort=-received"))
    assert body.index(fresh.number) < body.index(old.number)


# ---------------------------------------------------------------- query counts


# The user's org comes with the user (orgs.backends.StaffBackend).
WORKBENCH_QUERIES = 10  # the navigation's unread-message count is one indexed COUNT of the user's own
DETAIL_QUERIES = 18  # the unread count too; includes the repeats merged into the case; the badge comes from the cache
# (and supervision's section: its items, urging slips, instructions, and the deadlines it may propose urging for;
# and the documents section's documents: it reuses the page's events)


def test_workbench_query_count_is_pinned(cast, login):
    for i in range(27):
        register(cast.registrar, summary=f"第{i}件")
    client = login(cast.officer)
    client.get("/cases/")  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/cases/")
    assert response.status_code == 200
    assert html(response).count('href="/cases/') >= 25
    assert len(ctx.captured_queries) == WORKBENCH_QUERIES, "\n".join(q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/cases/?page=2")
    assert len(ctx.captured_queries) == WORKBENCH_QUERIES


def test_detail_query_count_is_pinned(cast, login):
    people = [(make_petitioner(cast.registrar, name=f"人{i}"), i == 0) for i in range(3)]
    case = register(cast.registrar, petitioners=people)
    actions.do_assign(case, actor=cast.officer, lead_org=cast.dept, co_orgs=[cast.dept2])
    actions.do_sign_for(case, actor=cast.dept_officer)
    actions.do_accept(case, actor=cast.dept_officer, handler=cast.handler)
    client = login(cast.officer)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert len(ctx.captured_queries) == DETAIL_QUERIES, "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize(
    "tab",
    [
        "all",
        "registered",
        "to_sign",
        "to_decide",
        "handling",
        "due_soon",
        "overdue",
        "co_report",
        "to_evaluate",
        "to_confirm",
        "review",
        "search",
    ],
)
def test_every_tab_renders(cast, login, tab):
    register(cast.registrar)
    assert login(cast.officer).get(f"/cases/?tab={tab}").status_code == 200
