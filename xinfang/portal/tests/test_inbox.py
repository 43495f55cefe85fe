"""The bureau's clerk registers a portal letter through the ordinary registration; duplicates are flagged."""

import re

import pytest

from xinfang.cases.models import CaseEvent
from xinfang.cases.states import Channel, Status
from xinfang.petitioners import crypto
from xinfang.portal.models import Submission, SubmissionStatus
from xinfang.portal.tests.conftest import OTHER_PHONE, id_number, registration_post

pytestmark = pytest.mark.django_db


def test_the_letter_waits_in_its_bureaus_inbox_only(cast, submit, staff):
    submit()
    submission = Submission.objects.get()
    html = staff(cast.registrar).get("/online/").content.decode()
    assert f'<a href="/online/{submission.pk}/">小区电梯长期停运无人维修</a>' in html
    assert "共 1 件" in html
    other = staff(cast.other_registrar)
    assert "小区电梯长期停运无人维修" not in other.get("/online/").content.decode()
    assert other.get(f"/online/{submission.pk}/").status_code == 404
    assert staff(cast.handler).get("/online/").status_code == 403


def test_the_registration_form_is_filled_from_the_letter(cast, submit, staff):
    submit()
    submission = Submission.objects.get()
    html = staff(cast.registrar).get(f"/online/{submission.pk}/").content.decode()
    assert '<option value="online" selected>网上信访</option>' in html
    assert 'value="小区电梯长期停运无人维修"' in html
    assert "物业公司一直不修" in html
    assert submission.id_masked in html and id_number() not in html


def test_registering_the_letter_makes_the_case_and_links_it(cast, submit, staff):
    submit()
    submission = Submission.objects.get()
    response = staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    assert response.status_code == 302
    submission.refresh_from_db()
    case = submission.case
    assert response["Location"] == f"/cases/{case.pk}/"
    assert submission.status == SubmissionStatus.REGISTERED
    assert (case.channel, case.status, case.registered_org) == (Channel.ONLINE, Status.REGISTERED, cast.bureau)
    assert case.summary == "小区电梯长期停运无人维修"
    (link,) = case.case_petitioners.select_related("petitioner")
    assert link.petitioner.id_number_hash == crypto.hash_value(id_number())
    assert link.petitioner.name == "张三"
    event = CaseEvent.objects.get(case=case, action="register")
    assert event.actor_id == cast.registrar.pk
    assert event.data["sms_consent"] == [link.petitioner.pk]
    # Registered once: it leaves the inbox, and a second registration finds nothing.
    again = staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    assert again.status_code == 404


def test_a_letter_duplicating_an_open_case_is_flagged_to_the_clerk_not_dropped(cast, submit, staff):
    submit()
    first = Submission.objects.get()
    clerk = staff(cast.registrar)
    clerk.post(f"/online/{first.pk}/", registration_post(first))
    submit(phone=OTHER_PHONE, title="电梯仍未修好")
    second = Submission.objects.get(status=SubmissionStatus.PENDING)
    inbox = clerk.get("/online/").content.decode()
    assert "该信访人有尚在办理的信访件，请核对是否重复" in inbox
    page = clerk.get(f"/online/{second.pk}/").content.decode()
    assert "尚在办理（待交转办），可关联为重复信访" in page
    held = clerk.post(f"/online/{second.pk}/", registration_post(second))
    assert held.status_code == 200
    assert "仍然登记" in held.content.decode()
    second.refresh_from_db()
    assert second.status == SubmissionStatus.PENDING
    match = re.search(r'name="register_repeat" value="(\d+)"', held.content.decode())
    response = clerk.post(f"/online/{second.pk}/", registration_post(second, register_repeat=match.group(1), do=""))
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.case.repeat_of == first.case


def test_the_inbox_is_a_fixed_number_of_queries(cast, submit, staff, django_assert_num_queries):
    submit()
    submit(phone=OTHER_PHONE, id_number=id_number("11010519491231002"))
    clerk = staff(cast.registrar)
    clerk.get("/online/")
    with django_assert_num_queries(7):
        assert clerk.get("/online/").status_code == 200


def test_the_address_written_goes_to_the_new_petitioner_record(cast, submit, staff):
    submit(address="清河县东岗镇前村3号", division_code="330781101201")
    submission = Submission.objects.get()
    staff(cast.registrar).post(f"/online/{submission.pk}/", registration_post(submission))
    submission.refresh_from_db()
    (link,) = submission.case.case_petitioners.select_related("petitioner")
    assert (link.petitioner.address, link.petitioner.division_code) == ("清河县东岗镇前村3号", "330781101201")


def test_a_letter_signed_with_another_name_than_its_id_numbers_is_held_for_checking(cast, submit, staff):
    submit()
    first = Submission.objects.get()
    clerk = staff(cast.registrar)
    clerk.post(f"/online/{first.pk}/", registration_post(first))
    submit(name="王秀英", phone=OTHER_PHONE, title="建议增设路灯")
    second = Submission.objects.get(status=SubmissionStatus.PENDING)
    differs = "来信署名（王秀英）与该身份证号码已登记信访人的姓名不一致；"
    warning = differs + "登记后将使用已登记的信访人记录，请先与来信人核实身份"
    page = clerk.get(f"/online/{second.pk}/").content.decode()
    assert warning in page and "张三" not in page.split(warning)[0][-200:]
    held = clerk.post(f"/online/{second.pk}/", registration_post(second))
    assert held.status_code == 200 and warning in held.content.decode()
    second.refresh_from_db()
    assert second.status == SubmissionStatus.PENDING


def test_a_letter_signed_with_the_registered_name_raises_no_name_warning(cast, submit, staff):
    submit()
    first = Submission.objects.get()
    clerk = staff(cast.registrar)
    clerk.post(f"/online/{first.pk}/", registration_post(first))
    submit(phone=OTHER_PHONE, title="电梯仍未修好")
    second = Submission.objects.get(status=SubmissionStatus.PENDING)
    assert "来信署名" not in clerk.get(f"/online/{second.pk}/").content.decode()


def test_an_open_case_is_flagged_only_to_the_clerks_who_may_see_it(cast, submit, staff):
    from xinfang.portal.inbox import open_case_hashes

    submit()
    first = Submission.objects.get()
    staff(cast.registrar).post(f"/online/{first.pk}/", registration_post(first))
    person = crypto.hash_value(id_number())
    assert open_case_hashes(cast.registrar, [person, ""]) == {person}
    assert open_case_hashes(cast.other_registrar, [person]) == set()  # the other county's clerk: not in scope
    assert open_case_hashes(cast.registrar, [crypto.hash_value(id_number("33078119900101123"))]) == set()
