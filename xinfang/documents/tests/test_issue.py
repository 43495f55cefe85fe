"""Issuing a document from a history event: kinds, numbers, frozen text, corrections, refusals."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases import actions as A
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.documents import rendering
from xinfang.documents.actions import do_issue_document, do_supersede_document, documents_for_case
from xinfang.documents.models import Document, DocumentCounter, DocumentNumberPrefix, DocumentState
from xinfang.documents.tests.helpers import docx_text, pdf_text, squash


def _event(case, action):
    return CaseEvent.objects.filter(case=case, action=action).latest("pk")


def _replied(flow):
    return flow.replied()


def test_the_reply_opinion_gets_the_prefix_number_title_and_chinese_date(cast, flow, clock):
    clock.set(datetime(2026, 12, 2, 10, 0))
    case = _replied(flow)
    DocumentNumberPrefix.objects.create(org=cast.dept, kind="reply", prefix="清自然资处")
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    assert doc.number == "清自然资处〔2026〕1号"
    assert doc.state == DocumentState.ISSUED
    assert doc.title == "信访事项处理意见书"
    assert doc.addressee == "张三"
    assert doc.signer == "清河县自然资源局"
    text = docx_text(rendering.docx_bytes(doc))
    assert "清自然资处〔2026〕1号" in text
    assert "二〇二六年十二月二日" in text
    assert "张三：" in text
    assert "一、信访请求" in text and "请求支付征地补偿款" in text
    assert "《中华人民共和国土地管理法》第四十八条" in text
    assert "请求复查" in text
    pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
    assert "清自然资处〔2026〕1号" in pdf
    assert "二〇二六年十二月二日" in pdf
    assert "请求支付征地补偿款" in pdf
    note = "印发《信访事项处理意见书》，文号清自然资处〔2026〕1号"
    assert case.events.filter(action="document_issued", note=note).exists()


def _kinds(cast, flow):
    """Each kind of document, from a case the fixed cast drives there: (kind, case, event, issuer, words)."""
    out = []
    assigned = flow.assign(flow.register(), co=True)
    out.append(("assign", assigned, _event(assigned, "assign"), cast.officer, "交由你单位办理"))
    forwarded = flow.forward(flow.register())
    out.append(("forward", forwarded, _event(forwarded, "forward"), cast.officer, "转送你单位依法处理"))
    accepted = flow.accept(flow.sign_for(flow.forward(flow.register())))
    out.append(("acceptance", accepted, _event(accepted, "accept"), cast.dept_officer, "决定予以受理"))
    signed = flow.sign_for(flow.forward(flow.register()))
    declined = A.do_decline(signed, actor=cast.dept_officer, reason="已经依法处理完毕")
    out.append(("decline", declined, _event(declined, "decline"), cast.dept_officer, "已经依法处理完毕"))
    redirected = A.do_redirect(
        flow.sign_for(flow.forward(flow.register())), actor=cast.dept_officer, channel="admin_review"
    )
    out.append(("redirect", redirected, _event(redirected, "redirect"), cast.dept_officer, "行政复议"))
    extended = A.do_request_extension(flow.handling(), actor=cast.handler, days=30, reason="需鉴定")
    extended = A.do_approve_extension(extended, actor=cast.unit_head)
    out.append(("extension", extended, _event(extended, "approve_extension"), cast.dept_officer, "办理期限延长30日"))
    returned = A.do_return(flow.forward(flow.register()), actor=cast.dept_officer, reason="不属我局职责")
    out.append(("return", returned, _event(returned, "return"), cast.dept_officer, "不属我局职责"))
    reviewed = flow.reviewed()
    out.append(("review", reviewed, _event(reviewed, "review"), cast.officer, "原处理意见认定事实清楚"))
    reexamined = flow.reexamine(flow.request_reexam(flow.review_delivered()))
    out.append(("reexam", reexamined, _event(reexamined, "reexamine"), cast.city_officer, "复查意见正确"))
    return out


def test_each_kind_renders_its_number_date_and_text(cast, flow, clock):
    clock.set(datetime(2026, 3, 1, 10, 0))
    for kind, case, event, issuer, words in _kinds(cast, flow):
        doc = do_issue_document(case, actor=issuer, event=event)
        assert doc.kind == kind, kind
        assert doc.number.endswith("〔2026〕1号"), (kind, doc.number)
        text = docx_text(rendering.docx_bytes(doc))
        assert doc.number in text, kind
        assert "二〇二六年三月一日" in text, kind
        assert words in text, kind
        assert doc.title in text, kind
        pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
        assert doc.number in pdf and squash(words) in pdf and "二〇二六年三月一日" in pdf, kind


def test_the_assign_letter_copies_the_co_unit(cast, flow):
    case = flow.assign(flow.register(), co=True)
    doc = do_issue_document(case, actor=cast.officer, event=_event(case, "assign"))
    assert doc.number == "清河交〔2026〕1号"  # no prefix set: the org name's first two characters and 交
    assert doc.cc == cast.dept2.name
    assert f"抄送：{cast.dept2.name}。" in docx_text(rendering.docx_bytes(doc))


def test_the_receipt_names_the_served_document(cast, flow):
    case = _replied(flow)
    event = _event(case, "reply")
    with pytest.raises(Invalid, match="^该文书尚未印发$"):
        do_issue_document(case, actor=cast.dept_officer, event=event, receipt=True)
    main = do_issue_document(case, actor=cast.dept_officer, event=event)
    receipt = do_issue_document(case, actor=cast.dept_officer, event=event, receipt=True)
    assert receipt.kind == "receipt" and receipt.title == "送达回证"
    text = docx_text(rendering.docx_bytes(receipt))
    assert f"送达文书：《信访事项处理意见书》（{main.number}）" in text
    assert "受送达人：张三" in text


def test_two_issues_get_two_consecutive_numbers(cast, flow, clock):
    clock.set(datetime(2026, 5, 1, 10, 0))
    first, second = _replied(flow), _replied(flow)
    a = do_issue_document(first, actor=cast.dept_officer, event=_event(first, "reply"))
    b = do_issue_document(second, actor=cast.dept_officer, event=_event(second, "reply"))
    assert (a.serial, b.serial) == (1, 2)
    assert a.number != b.number
    assert DocumentCounter.objects.get(org=cast.dept, kind="reply", year=2026).last == 2


def test_a_new_year_starts_again_at_one(cast, flow, clock):
    clock.set(datetime(2026, 12, 31, 10, 0))
    first = _replied(flow)
    do_issue_document(first, actor=cast.dept_officer, event=_event(first, "reply"))
    clock.set(datetime(2027, 1, 4, 10, 0))
    second = _replied(flow)
    doc = do_issue_document(second, actor=cast.dept_officer, event=_event(second, "reply"))
    assert doc.year == 2027 and doc.serial == 1


def test_the_serial_is_advanced_by_one_atomic_update(cast, flow):
    first, second = _replied(flow), _replied(flow)
    do_issue_document(first, actor=cast.dept_officer, event=_event(first, "reply"))
    with CaptureQueriesContext(connection) as ctx:
        do_issue_document(second, actor=cast.dept_officer, event=_event(second, "reply"))
    sql = [q["sql"] for q in ctx.captured_queries]
    counter = [i for i, q in enumerate(sql) if "documents_documentcounter" in q]
    assert sql[counter[0]].startswith("UPDATE") and '"last" = (' in sql[counter[0]]
    if connection.vendor == "postgresql":  # under the case's row lock (SQLite locks the whole database)
        locks = [i for i, q in enumerate(sql) if q.endswith('FOR UPDATE OF "cases_case"')]
        assert locks and locks[0] < counter[0]


def test_an_event_gets_one_document(cast, flow):
    case = _replied(flow)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    with pytest.raises(Invalid, match=f"^《处理意见书》已印发，文号{doc.number}；如需更正，请制作更正文书$"):
        do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))


def test_an_issued_document_never_changes(cast, flow):
    case = _replied(flow)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    for field, value in (("body", "改过的正文"), ("number", "清〔2026〕99号"), ("title", "别的标题")):
        stale = Document.objects.get(pk=doc.pk)
        setattr(stale, field, value)
        with pytest.raises(ValueError, match="an issued document never changes"):
            stale.save()
    with pytest.raises(ValueError):
        Document.objects.get(pk=doc.pk).delete()
    stale = Document.objects.get(pk=doc.pk)
    stale.state = DocumentState.DRAFT
    with pytest.raises(ValueError, match="cannot become draft"):
        stale.save()
    assert Document.objects.get(pk=doc.pk).body == doc.body


def test_the_text_is_frozen_from_the_event_not_the_case(cast, flow):
    case = _replied(flow)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    case.summary = "后来改过的摘要"
    case.save(update_fields=["summary"])
    doc.refresh_from_db()
    assert "后来改过的摘要" not in docx_text(rendering.docx_bytes(doc))


def test_a_correction_supersedes_with_a_new_number_and_both_are_kept(cast, flow):
    case = _replied(flow)
    old = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    new = do_supersede_document(old, actor=cast.dept_officer, body="更正后的正文", reason="笔误")
    old.refresh_from_db()
    assert old.state == DocumentState.SUPERSEDED and new.supersedes == old
    assert new.number != old.number and new.serial == old.serial + 1
    assert [d.pk for d in documents_for_case(case)] == [old.pk, new.pk]
    assert "更正后的正文" in docx_text(rendering.docx_bytes(new))
    assert "（本文书已被更正，已作废）" in rendering.html(old)
    event = case.events.get(action="document_superseded")
    assert event.note == f"更正《信访事项处理意见书》{old.number}，更正后文号{new.number}。理由：笔误"
    with pytest.raises(Invalid, match="^该文书已被更正，请更正最新的文书$"):
        do_supersede_document(old, actor=cast.dept_officer, body="再改", reason="又错")
    with pytest.raises(Invalid, match="^请填写更正理由$"):
        do_supersede_document(new, actor=cast.dept_officer, body="再改", reason=" ")


def test_only_the_issuing_org_may_issue(cast, flow):
    case = _replied(flow)
    with pytest.raises(NotAllowed, match="^本单位不是该文书的制发机关$"):
        do_issue_document(case, actor=cast.officer, event=_event(case, "reply"))
    with pytest.raises(NotAllowed, match="^只有登记员、受理交办员、承办人或负责人可以印发文书$"):
        do_issue_document(case, actor=cast.statistician, event=_event(case, "reply"))
    assert not Document.objects.exists()


def test_an_event_without_a_text_or_of_another_case_is_refused(cast, flow):
    case, other = _replied(flow), _replied(flow)
    with pytest.raises(Invalid, match="^该办理记录没有可印发的文书$"):
        do_issue_document(case, actor=cast.dept_officer, event=_event(case, "sign_for"))
    with pytest.raises(Invalid, match="^该办理记录没有可印发的文书$"):
        do_issue_document(case, actor=cast.dept_officer, event=_event(other, "reply"))


def test_the_other_county_gets_a_404(cast, flow):
    from django.http import Http404

    case = _replied(flow)
    with pytest.raises(Http404):
        do_issue_document(case, actor=cast.other_officer, event=_event(case, "reply"))


def test_recording_the_delivery_marks_the_document_delivered(cast, flow):
    case = _replied(flow)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    flow.deliver(case)
    doc.refresh_from_db()
    assert doc.state == DocumentState.DELIVERED
    assert doc.get_state_display() == "已送达"


def test_the_petitioner_gets_only_their_notices_in_their_current_version(cast, flow):
    from xinfang.documents.actions import documents_for_petitioner

    case = _replied(flow)
    letter = do_issue_document(case, actor=cast.officer, event=_event(case, "assign"))
    old = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    new = do_supersede_document(old, actor=cast.dept_officer, body="更正后的正文", reason="笔误")
    assert [d.pk for d in documents_for_case(case)] == [letter.pk, old.pk, new.pk]
    assert [d.pk for d in documents_for_petitioner(case)] == [new.pk]


def test_an_org_s_uploaded_template_prints_the_same_frozen_fields(cast, flow, settings, tmp_path):
    import io

    from django.core.files.base import ContentFile
    from docx import Document as Docx

    from xinfang.documents.models import DocumentTemplate

    settings.MEDIA_ROOT = tmp_path
    custom = Docx()
    custom.add_paragraph("自然资源局专用 {{ number }} {{ date_cn }}")
    out = io.BytesIO()
    custom.save(out)
    template = DocumentTemplate(org=cast.dept, kind="reply")
    template.file.save("reply.docx", ContentFile(out.getvalue()))
    case = _replied(flow)
    doc = do_issue_document(case, actor=cast.dept_officer, event=_event(case, "reply"))
    d = doc.dated
    from xinfang.core.numerals import chinese_date

    assert docx_text(rendering.docx_bytes(doc)) == f"自然资源局专用 {doc.number} {chinese_date(d.year, d.month, d.day)}"
    other = do_issue_document(case, actor=cast.officer, event=_event(case, "assign"))
    assert "自然资源局专用" not in docx_text(rendering.docx_bytes(other))  # another org and kind: the default
