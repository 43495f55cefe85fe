"""The case page's 正式文书 section, issuing by POST, and the downloads (access layer, audit log)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Kind
from xinfang.documents.actions import do_issue_document
from xinfang.documents.models import Document
from xinfang.documents.tests.helpers import docx_text, pdf_text, squash
from xinfang.orgs.models import AuditAction, AuditEvent


def _reply_event(case):
    return CaseEvent.objects.get(case=case, action="reply")


def test_the_case_page_offers_to_issue_the_reply_opinion(login, cast, flow):
    case = flow.replied()
    page = login(cast.dept_officer).get(f"/cases/{case.pk}/").content.decode()
    assert 'aria-label="正式文书"' in page
    assert f'action="/documents/cases/{case.pk}/events/{_reply_event(case).pk}/issue/"' in page
    assert "印发《处理意见书》" in page


def test_another_org_sees_no_issue_button(login, cast, flow):
    case = flow.replied()
    page = login(cast.officer).get(f"/cases/{case.pk}/").content.decode()
    assert "印发《处理意见书》" not in page
    assert "印发《交办函》" in page  # the bureau assigned it: its letter is the bureau's to issue


def test_issuing_by_post_numbers_it_and_lists_it(login, cast, flow):
    case = flow.replied()
    client = login(cast.dept_officer)
    response = client.post(f"/documents/cases/{case.pk}/events/{_reply_event(case).pk}/issue/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#documents"
    doc = Document.objects.get(case=case)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"已印发《信访事项处理意见书》，文号{doc.number}" in page
    assert doc.number in page and "已印发" in page
    assert f'href="/documents/{doc.pk}/pdf/"' in page and f'href="/documents/{doc.pk}/docx/"' in page
    assert "印发《处理意见书》的送达回证" in page


def test_issuing_twice_shows_the_reason(login, cast, flow):
    case = flow.replied()
    doc = do_issue_document(case, actor=cast.dept_officer, event=_reply_event(case))
    client = login(cast.dept_officer)
    client.post(f"/documents/cases/{case.pk}/events/{_reply_event(case).pk}/issue/")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"《处理意见书》已印发，文号{doc.number}；如需更正，请制作更正文书" in page
    assert Document.objects.filter(case=case).count() == 1


def test_issuing_needs_csrf(cast, flow, client):
    from django.test import Client

    case = flow.replied()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.dept_officer)
    response = strict.post(f"/documents/cases/{case.pk}/events/{_reply_event(case).pk}/issue/")
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_downloads_are_the_document_and_are_audited(login, cast, flow):
    case = flow.replied()
    doc = do_issue_document(case, actor=cast.dept_officer, event=_reply_event(case))
    client = login(cast.handler)
    pdf = client.get(f"/documents/{doc.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert doc.number in squash(pdf_text(pdf.content))
    docx = client.get(f"/documents/{doc.pk}/docx/")
    assert docx.status_code == 200 and doc.number in docx_text(docx.content)
    events = list(AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).order_by("pk"))
    assert [(e.actor, e.target, e.detail) for e in events] == [
        (cast.handler, "正式文书（PDF）", f"{case.number}；《信访事项处理意见书》{doc.number}"),
        (cast.handler, "正式文书（DOCX）", f"{case.number}；《信访事项处理意见书》{doc.number}"),
    ]
    printed = client.get(f"/documents/{doc.pk}/print/").content.decode()
    assert doc.number in printed and "请求支付征地补偿款" in printed


@pytest.mark.parametrize("suffix", ["pdf/", "docx/", "print/"])
def test_the_other_county_gets_a_404_and_nothing_is_logged(login, cast, flow, suffix):
    case = flow.replied()
    doc = do_issue_document(case, actor=cast.dept_officer, event=_reply_event(case))
    assert login(cast.other_officer).get(f"/documents/{doc.pk}/{suffix}").status_code == 404
    assert login(cast.other_officer).get(f"/documents/{doc.pk + 1000}/{suffix}").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()


def test_the_other_county_cannot_issue(login, cast, flow):
    case = flow.replied()
    response = login(cast.other_officer).post(f"/documents/cases/{case.pk}/events/{_reply_event(case).pk}/issue/")
    assert response.status_code == 404
    assert not Document.objects.exists()


def test_the_accused_never_gets_an_accusation_document(login, cast, flow):
    case = flow.register(kind=Kind.ACCUSATION, summary="检举某科长收受好处费", accused_user=cast.supervisor)
    # Registered at the accused's own bureau, it went on by recusal (a 转送函 of the bureau).
    doc = do_issue_document(case, actor=cast.officer, event=CaseEvent.objects.get(case=case, action="forward"))
    assert doc.kind == "forward"
    assert login(cast.supervisor).get(f"/documents/{doc.pk}/pdf/").status_code == 404  # sees the county, not this
    assert login(cast.officer).get(f"/documents/{doc.pk}/pdf/").status_code == 200


def test_the_panel_costs_the_same_queries_with_more_documents(login, cast, flow):
    case = flow.replied()
    do_issue_document(case, actor=cast.dept_officer, event=_reply_event(case))
    client = login(cast.dept_officer)
    client.get(f"/cases/{case.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/cases/{case.pk}/")
    do_issue_document(case, actor=cast.dept_officer, event=_reply_event(case), receipt=True)
    with CaptureQueriesContext(connection) as two:
        client.get(f"/cases/{case.pk}/")
    assert len(two.captured_queries) == len(one.captured_queries)
