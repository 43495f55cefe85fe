"""Action forms on the case page."""

import pytest

from xinfang.cases.states import Kind, Status
from xinfang.cases.tests.test_views import html
from xinfang.devdata.flow import register


@pytest.mark.parametrize("action", ["assign", "forward"])
def test_accusation_routing_form_says_why_the_accused_unit_is_missing(cast, login, action):
    case = register(cast.registrar, kind=Kind.ACCUSATION, accused_org=cast.township, accused_name="某镇某干部")
    client = login(cast.officer)
    body = html(client.get(f"/cases/{case.pk}/act/{action}/"))
    assert "被反映单位（清河县东岗镇人民政府）及其下级单位不在可选范围内（检举控告件不得交转被反映单位）" in body
    assert f'value="{cast.township.pk}"' not in body and f'value="{cast.village.pk}"' not in body
    assert f'value="{cast.dept.pk}"' in body
    # A stale form naming the accused unit gets the action's reason, not "invalid choice".
    response = client.post(f"/cases/{case.pk}/act/{action}/", {"version": case.version, "org": cast.village.pk})
    assert response.status_code == 422
    body = html(response)
    assert "检举控告件不得交转给被反映人或被反映单位（东岗镇前村村民委员会）" in body
    assert "有效的选项" not in body
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_accusation_co_unit_naming_the_accused_is_refused_with_the_reason(cast, login):
    case = register(cast.registrar, kind=Kind.ACCUSATION, accused_org=cast.township, accused_name="某镇某干部")
    response = login(cast.officer).post(
        f"/cases/{case.pk}/act/assign/",
        {
            "version": case.version,
            "org": cast.dept.pk,
            "co_orgs": [cast.township.pk],
        },
    )
    assert response.status_code == 422
    assert "检举控告件不得交转给被反映人或被反映单位（清河县东岗镇人民政府）" in html(response)


def test_routing_form_of_a_claim_has_no_accused_note(cast, login):
    case = register(cast.registrar)
    body = html(login(cast.officer).get(f"/cases/{case.pk}/act/assign/"))
    assert "不在可选范围内" not in body and f'value="{cast.township.pk}"' in body


def test_evaluation_radio_group_is_a_fieldset_with_a_legend(cast, login):
    from xinfang.devdata.flow import Flow

    case = Flow(cast).delivered()
    body = html(login(cast.officer).get(f"/cases/{case.pk}/act/evaluate/"))
    assert '<fieldset class="field choice-group">' in body
    assert "<legend>评价结果" in body
    assert 'for=""' not in body
