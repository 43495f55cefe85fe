"""POST /api/v1/cases records each petitioner's consent to SMS notices (sms_consent on the petitioner link)."""

import pytest

pytestmark = pytest.mark.django_db


def test_registration_through_the_api_records_sms_consent(cast, api_as, make_petitioner_for_api):
    from xinfang.cases import outbox
    from xinfang.notifications.models import SmsConsent

    yes, no = make_petitioner_for_api("李四"), make_petitioner_for_api("王五")
    response = api_as(cast.registrar).post(
        "/api/v1/cases",
        {
            "petitioners": [{"id": yes.pk, "is_representative": True, "sms_consent": True}, {"id": no.pk}],
            "channel": "visit",
            "received_at": "2026-01-05T09:00:00",
            "kind": "claim",
            "summary": "反映征地补偿款未发放",
            "content": "信访人反映其承包地被征收后补偿款至今未发放到位。",
            "category": "0101",
        },
    )
    assert response.status_code == 201, response.json()
    outbox.drain("notifications")
    assert list(SmsConsent.objects.values_list("petitioner_id", flat=True)) == [yes.pk]


@pytest.fixture
def make_petitioner_for_api(cast):
    from xinfang.devdata.flow import make_petitioner

    return lambda name: make_petitioner(cast.registrar, name=name)
