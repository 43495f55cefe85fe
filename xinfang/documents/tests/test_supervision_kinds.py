"""催办单 and 督办函: issued from the supervision app's events, numbered like every kind, DOCX and PDF."""

from datetime import date, datetime

import pytest

from xinfang.cases.errors import NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.documents import rendering
from xinfang.documents.actions import do_issue_document
from xinfang.documents.models import DocumentNumberPrefix
from xinfang.documents.tests.helpers import docx_text, pdf_text, squash
from xinfang.supervision.actions import do_continue_supervision, do_issue_urging, do_open_supervision


def _event(case, action):
    return CaseEvent.objects.filter(case=case, action=action).latest("pk")


def test_the_urging_slip_is_issued_with_its_number_matter_and_reply_date(cast, flow, clock):
    clock.set(datetime(2026, 12, 2, 10, 0))
    case = flow.handling()
    do_issue_urging(case, actor=cast.officer, subject="办理期限将满，请抓紧办理", reply_by=date(2026, 12, 7))
    DocumentNumberPrefix.objects.create(org=cast.bureau, kind="urging", prefix="清信催")
    doc = do_issue_document(case, actor=cast.officer, event=_event(case, "urging_issue"))
    assert (doc.kind, doc.number, doc.title) == ("urging", "清信催〔2026〕1号", "信访事项催办单")
    assert (doc.addressee, doc.signer) == (cast.dept.name, cast.bureau.name)
    text = docx_text(rendering.docx_bytes(doc))
    assert "清信催〔2026〕1号" in text and "二〇二六年十二月二日" in text
    assert f"{cast.dept.name}：" in text
    assert f"张三反映的“{case.summary}”信访事项（{case.number}），办理期限将满，请抓紧办理。" in text
    assert "请你单位抓紧办理，并于2026年12月7日前将办理情况书面答复我单位。" in text
    pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
    assert "清信催〔2026〕1号" in pdf and "2026年12月7日前" in pdf and "二〇二六年十二月二日" in pdf
    assert case.events.filter(action="document_issued", note="印发《信访事项催办单》，文号清信催〔2026〕1号").exists()


def test_the_supervision_letter_is_issued_by_the_supervisor_with_way_reason_due_date_and_cadence(cast, flow, clock):
    clock.set(datetime(2026, 3, 2, 10, 0))
    case = flow.handling()
    do_open_supervision(
        case, actor=cast.supervisor, kind="letter", reason="群众反映强烈", due_on=date(2026, 3, 20), report_every_days=7
    )
    doc = do_issue_document(case, actor=cast.supervisor, event=_event(case, "supervision_open"))
    assert (doc.kind, doc.number, doc.title) == ("supervision", "清河督〔2026〕1号", "信访事项督办函")
    assert (doc.addressee, doc.signer) == (cast.dept.name, cast.bureau.name)
    text = docx_text(rendering.docx_bytes(doc))
    assert "清河督〔2026〕1号" in text and "二〇二六年三月二日" in text
    assert "经研究，决定对该事项发函督办。督办事由：群众反映强烈。" in text
    assert "请你单位于2026年3月20日前办结，并将办理结果书面报告我单位。" in text
    assert "办理期间，请每七日报告一次进展情况。" in text
    pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
    assert "清河督〔2026〕1号" in pdf and "发函督办" in pdf and "每七日报告一次进展情况" in pdf


def test_a_second_letter_of_the_year_gets_the_next_number(cast, flow, clock):
    clock.set(datetime(2026, 3, 2, 10, 0))
    first, second = flow.handling(), flow.handling()
    for case in (first, second):
        do_issue_urging(case, actor=cast.officer, subject="请抓紧办理", reply_by=date(2026, 3, 9))
    a = do_issue_document(first, actor=cast.officer, event=_event(first, "urging_issue"))
    b = do_issue_document(second, actor=cast.officer, event=_event(second, "urging_issue"))
    assert (a.number, b.number) == ("清河催〔2026〕1号", "清河催〔2026〕2号")


def test_only_the_urging_org_issues_its_slip_and_a_statistician_none(cast, flow):
    case = flow.handling()
    do_issue_urging(case, actor=cast.officer, subject="请抓紧办理", reply_by=date(2099, 1, 1))
    event = _event(case, "urging_issue")
    with pytest.raises(NotAllowed, match="^本单位不是该文书的制发机关$"):
        do_issue_document(case, actor=cast.dept_officer, event=event)
    with pytest.raises(NotAllowed, match="^只有督查员、受理交办员、负责人或领导可以印发催办单、督办函$"):
        do_issue_document(case, actor=cast.statistician, event=event)


def test_the_case_page_offers_the_supervisor_to_issue_the_letter(cast, flow, login):
    case = flow.handling()
    do_open_supervision(case, actor=cast.supervisor, kind="listed", reason="重复信访", due_on=date(2099, 1, 1))
    page = login(cast.supervisor).get(f"/cases/{case.pk}/").content.decode()
    event = _event(case, "supervision_open")
    assert f'action="/documents/cases/{case.pk}/events/{event.pk}/issue/"' in page
    assert "印发《督办函》" in page
    assert "印发《督办函》" not in login(cast.dept_officer).get(f"/cases/{case.pk}/").content.decode()


def test_the_other_county_cannot_issue_a_slip(cast, flow):
    from django.http import Http404

    case = flow.handling()
    do_issue_urging(case, actor=cast.officer, subject="请抓紧办理", reply_by=date(2099, 1, 1))
    with pytest.raises(Http404):
        do_issue_document(case, actor=cast.other_officer, event=_event(case, "urging_issue"))


def test_continuing_supervision_gives_a_letter_of_its_own_with_the_new_due_date(cast, flow, clock, login):
    clock.set(datetime(2026, 3, 2, 10, 0))
    case = flow.handling()
    item = do_open_supervision(
        case, actor=cast.supervisor, kind="letter", reason="群众反映强烈", due_on=date(2026, 3, 20), report_every_days=7
    )
    first = do_issue_document(case, actor=cast.supervisor, event=_event(case, "supervision_open"))
    clock.set(datetime(2026, 3, 19, 15, 0))
    do_continue_supervision(case, item.pk, actor=cast.supervisor, due_on=date(2026, 4, 10), note="需会同住建部门核实")
    continued = _event(case, "supervision_continue")
    page = login(cast.supervisor).get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/cases/{case.pk}/events/{continued.pk}/issue/"' in page
    doc = do_issue_document(case, actor=cast.supervisor, event=continued)
    assert (first.number, doc.number, doc.title) == ("清河督〔2026〕1号", "清河督〔2026〕2号", "信访事项督办函")
    assert (doc.addressee, doc.signer, doc.dated) == (cast.dept.name, cast.bureau.name, date(2026, 3, 19))
    assert doc.body == "\n".join(
        [
            f"张三反映的“{case.summary}”信访事项（{case.number}），现由你单位办理。"
            "我单位已于2026年3月2日对该事项发函督办，督办事由：群众反映强烈，要求于2026年3月20日前办结。"
            "该事项至今未办结，经研究，决定继续督办。继续督办意见：需会同住建部门核实。",
            "请你单位于2026年4月10日前办结，并将办理结果书面报告我单位。",
            "办理期间，请每七日报告一次进展情况。",
        ]
    )
    # The first letter keeps the date it was issued with.
    first.refresh_from_db()
    assert "请你单位于2026年3月20日前办结" in first.body
    pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
    assert "清河督〔2026〕2号" in pdf and "决定继续督办" in pdf and "2026年4月10日前办结" in pdf
    with pytest.raises(NotAllowed, match="^只有督查员、受理交办员、负责人或领导可以印发催办单、督办函$"):
        do_issue_document(case, actor=cast.registrar, event=continued)
