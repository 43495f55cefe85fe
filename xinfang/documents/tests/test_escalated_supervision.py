"""督办函 of an escalated supervision item (提级督办): the higher bureau's letter, from the item's own data.

An overdue item handed up (``do_escalate_supervision``, by a supervisor or by the system) is a new item
of the bureau one level up; its history event is 提级督办, and the 督办函 is issued from that event in the
higher bureau's name, by its 督查员、受理交办员、负责人或领导 only.
"""

from datetime import date, datetime

import pytest
from django.http import Http404

from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import CaseEvent
from xinfang.documents import rendering
from xinfang.documents.actions import do_issue_document
from xinfang.documents.models import Document, DocumentNumberPrefix
from xinfang.documents.tests.helpers import docx_text, pdf_text, squash
from xinfang.orgs.actors import Actor
from xinfang.supervision.actions import do_continue_supervision, do_escalate_supervision, do_open_supervision

pytestmark = pytest.mark.django_db


def _event(case, action):
    return CaseEvent.objects.filter(case=case, action=action).latest("pk")


@pytest.fixture
def escalated(cast, flow, clock):
    """The county bureau's listed item, overdue on 2026-03-23, handed up to the city bureau by its supervisor."""
    clock.set(datetime(2026, 3, 2, 10, 0))
    case = flow.handling()
    item = do_open_supervision(
        case, actor=cast.supervisor, kind="listed", reason="群众反映强烈", due_on=date(2026, 3, 20), report_every_days=7
    )
    clock.set(datetime(2026, 3, 23, 9, 0))
    new = do_escalate_supervision(case, item.pk, actor=cast.supervisor, note="逾期未办结")
    return case, new


def test_the_city_bureau_issues_the_letter_of_the_item_handed_up_to_it(cast, escalated):
    case, item = escalated
    DocumentNumberPrefix.objects.create(org=cast.city_bureau, kind="supervision", prefix="示信督")
    doc = do_issue_document(case, actor=cast.city_officer, event=_event(case, "supervision_escalate"))
    assert (doc.kind, doc.number, doc.title) == ("supervision", "示信督〔2026〕1号", "信访事项督办函")
    assert (doc.issuing_org, doc.addressee, doc.signer) == (cast.city_bureau, cast.dept.name, "示例市信访局")
    assert doc.body == "\n".join(
        [
            f"张三反映的“{case.summary}”信访事项（{case.number}），现由你单位办理。"
            "该事项原由清河县信访局挂牌督办，现提级由我单位挂牌督办。督办事由：群众反映强烈。提级理由：逾期未办结。",
            "请你单位于2026年3月23日前办结，并将办理结果书面报告我单位。",
            "办理期间，请每七日报告一次进展情况。",
        ]
    )
    text = docx_text(rendering.docx_bytes(doc))
    assert "示信督〔2026〕1号" in text and "二〇二六年三月二十三日" in text and f"{cast.dept.name}：" in text
    assert "现提级由我单位挂牌督办。督办事由：群众反映强烈。提级理由：逾期未办结。" in text
    pdf = squash(pdf_text(rendering.pdf_bytes(doc)))
    assert "示信督〔2026〕1号" in pdf and "2026年3月23日前办结" in pdf and "每七日报告一次进展情况" in pdf
    assert case.events.filter(
        action="document_issued", note="印发《信访事项督办函》，文号示信督〔2026〕1号", actor_org=cast.city_bureau
    ).exists()
    with pytest.raises(Invalid, match=r"^《督办函》已印发，文号示信督〔2026〕1号；如需更正，请制作更正文书$"):
        do_issue_document(case, actor=cast.city_officer, event=_event(case, "supervision_escalate"))


def test_the_county_bureaus_own_letter_stays_its_own_and_numbers_apart(cast, escalated):
    case, _item = escalated
    county = do_issue_document(case, actor=cast.supervisor, event=_event(case, "supervision_open"))
    city = do_issue_document(case, actor=cast.city_officer, event=_event(case, "supervision_escalate"))
    assert (county.issuing_org, county.number) == (cast.bureau, "清河督〔2026〕1号")
    assert "请你单位于2026年3月20日前办结" in county.body and "提级" not in county.body
    assert (city.issuing_org, city.number) == (cast.city_bureau, "示例督〔2026〕1号")


def test_the_letter_keeps_the_due_date_of_the_escalation_when_supervision_continues(cast, escalated, clock):
    case, item = escalated
    do_continue_supervision(case, item.pk, actor=cast.city_officer, due_on=date(2026, 4, 15), note="再给三周")
    doc = do_issue_document(case, actor=cast.city_officer, event=_event(case, "supervision_escalate"))
    assert "请你单位于2026年3月23日前办结" in doc.body


def test_only_the_higher_bureaus_supervising_roles_issue_it(cast, escalated):
    case, _item = escalated
    event = _event(case, "supervision_escalate")
    with pytest.raises(NotAllowed, match="^本单位不是该文书的制发机关$"):
        do_issue_document(case, actor=cast.supervisor, event=event)  # the county bureau handed it up
    for user in (cast.registrar, cast.statistician, cast.handler):
        with pytest.raises(NotAllowed, match="^只有督查员、受理交办员、负责人或领导可以印发催办单、督办函$"):
            do_issue_document(case, actor=user, event=event)
    with pytest.raises(Http404):
        do_issue_document(case, actor=cast.other_officer, event=event)
    assert not Document.objects.filter(case=case).exists()


def test_an_item_the_system_hands_up_gets_its_letter_too(cast, flow, clock):
    clock.set(datetime(2026, 3, 2, 10, 0))
    case = flow.handling()
    item = do_open_supervision(case, actor=cast.supervisor, kind="letter", reason="久拖未决", due_on=date(2026, 3, 9))
    clock.set(datetime(2026, 3, 10, 9, 0))
    do_escalate_supervision(case, item.pk, actor=Actor.system("督办升级"))
    event = _event(case, "supervision_escalate")
    assert event.actor_org_id is None
    doc = do_issue_document(case, actor=cast.city_officer, event=event)
    assert (doc.issuing_org, doc.signer) == (cast.city_bureau, "示例市信访局")
    assert "该事项原由清河县信访局发函督办，现提级由我单位发函督办。督办事由：久拖未决。" in doc.body
    assert "请你单位于2026年3月10日前办结" in doc.body and "报告一次进展情况" not in doc.body


def test_the_case_page_offers_the_letter_of_the_escalation_to_the_city_bureau_only(cast, escalated, login):
    case, _item = escalated
    opened, handed_up = _event(case, "supervision_open"), _event(case, "supervision_escalate")
    city = login(cast.city_officer).get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/cases/{case.pk}/events/{handed_up.pk}/issue/"' in city
    assert f'action="/documents/cases/{case.pk}/events/{opened.pk}/issue/"' not in city
    county = login(cast.supervisor).get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/cases/{case.pk}/events/{opened.pk}/issue/"' in county
    assert f'action="/documents/cases/{case.pk}/events/{handed_up.pk}/issue/"' not in county
    response = login(cast.city_officer).post(f"/documents/cases/{case.pk}/events/{handed_up.pk}/issue/")
    assert response.status_code == 302
    assert Document.objects.get(case=case).issuing_org == cast.city_bureau
