"""Consent to SMS notices is recorded at registration, per petitioner, on the screen (and kept through its steps)."""

import re

import pytest

from xinfang.cases import outbox
from xinfang.cases.access import scoped_cases
from xinfang.cases.tests.test_views import html, reg_data
from xinfang.cases.tests.test_views_register import with_pending
from xinfang.devdata.flow import make_petitioner, valid_id_number
from xinfang.notifications.models import SmsConsent

pytestmark = pytest.mark.django_db


def test_the_screen_records_consent_for_the_petitioners_ticked(cast, login):
    yes = make_petitioner(cast.registrar, name="李四")
    no = make_petitioner(cast.registrar, name="王五")
    client = login(cast.registrar)
    checked = html(client.post("/cases/new/", reg_data([yes, no], do="check", sms=[str(yes.pk)])))
    assert f'name="sms" value="{yes.pk}" checked' in checked and f'name="sms" value="{no.pk}">' in checked
    response = client.post("/cases/new/", reg_data([yes, no], sms=[str(yes.pk)]))
    assert response.status_code == 302
    case = scoped_cases(cast.registrar).get(case_petitioners__petitioner=no)
    assert case.events.get().data["sms_consent"] == [yes.pk]
    outbox.drain("notifications")
    assert list(SmsConsent.objects.values_list("petitioner_id", flat=True)) == [yes.pk]


def test_a_quick_created_petitioner_consents_too_and_the_tick_survives_each_step(cast, login):
    client = login(cast.registrar)
    data = reg_data(
        [], do="", create_petitioner="1", new_name="钱一一", new_id_number=valid_id_number(birth="19900101")
    )
    body = html(client.post("/cases/new/", data))
    (key,) = re.findall(r'name="sms" value="(new-[^"]*)"', body)
    assert "短信告知" in body and "同意" in body
    checked = html(client.post("/cases/new/", {**with_pending(body, reg_data([], do="check")), "sms": [key]}))
    assert f'name="sms" value="{key}" checked' in checked
    response = client.post("/cases/new/", {**with_pending(checked, reg_data([])), "sms": [key]})
    assert response.status_code == 302
    from xinfang.petitioners.models import Petitioner

    person = Petitioner.objects.get(name="钱一一")
    outbox.drain("notifications")
    assert SmsConsent.objects.get().petitioner == person


def test_no_tick_no_consent(cast, login):
    p = make_petitioner(cast.registrar)
    assert login(cast.registrar).post("/cases/new/", reg_data([p])).status_code == 302
    outbox.drain("notifications")
    assert not SmsConsent.objects.exists()
