"""Cards: the red-card policy, revocation by a supervisor, the register page and API, cards_for."""

from datetime import date as D

import pytest
from django.http import Http404

from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.escalation.cards import cards_for, revoke_card
from xinfang.escalation.models import AccountabilityCard, CardPolicy
from xinfang.escalation.tests.helpers import supervision

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed(flow, cast, clock, sweep_on):
    """Three supervision items on 清河县自然资源局 lapsing on 03-10, 03-11 and 03-12 (2025)."""

    def _make(n=3, start=10):
        clock.set(D(2025, 3, 5))
        case = flow.handling()
        sweep_on(D(2025, 3, 5))
        for i in range(n):
            supervision(case, cast, due=D(2025, 3, start + i))
        return case

    return _make


def test_three_yellow_cards_within_90_days_make_a_red_card(lapsed, cast, sweep_on):
    case = lapsed()
    sweep_on(D(2025, 3, 12))
    assert list(AccountabilityCard.objects.values_list("color", flat=True)) == ["yellow", "yellow"]
    sweep_on(D(2025, 3, 13))
    red = AccountabilityCard.objects.get(color="red")
    assert (red.org, red.case, red.reason, red.policy.name) == (
        cast.dept,
        case,
        "90 天内累计 3 张黄牌警告",
        "黄牌累计记红牌",
    )
    assert set(red.yellow_cards.values_list("color", flat=True)) == {"yellow"} and red.yellow_cards.count() == 3
    sweep_on(D(2025, 3, 14))
    assert AccountabilityCard.objects.filter(color="red").count() == 1  # counted yellows are not counted again


def test_the_policy_is_data_with_effective_dates(lapsed, sweep_on):
    CardPolicy.objects.update(effective_from=D(2025, 4, 1))
    lapsed()
    sweep_on(D(2025, 3, 13))
    assert not AccountabilityCard.objects.filter(color="red").exists()
    CardPolicy.objects.create(name="两张记红牌", yellow_count=2, within_days=30, effective_from=D(2025, 3, 1))
    lapsed(n=2, start=14)
    sweep_on(D(2025, 3, 16))
    # The first new yellow joins the 3 standing ones under the new policy; the second starts a new count.
    assert list(AccountabilityCard.objects.filter(color="red").values_list("reason", flat=True)) == [
        "30 天内累计 4 张黄牌警告"
    ]
    assert AccountabilityCard.objects.filter(color="yellow", red_card__isnull=True).count() == 1


def test_a_supervisor_revokes_a_card_with_a_reason(lapsed, cast, sweep_on):
    lapsed(n=1)
    sweep_on(D(2025, 3, 11))
    card = AccountabilityCard.objects.get()
    with pytest.raises(NotAllowed, match="只有督查员可以撤销黄牌、红牌。"):
        revoke_card(card.pk, actor=cast.unit_head, reason="已办结")
    with pytest.raises(Invalid, match="请填写撤销理由。"):
        revoke_card(card.pk, actor=cast.supervisor, reason="  ")
    with pytest.raises(Http404):
        revoke_card(card.pk, actor=cast.other_officer, reason="x")
    revoke_card(card.pk, actor=cast.supervisor, reason="延期已获批准，系统未及时更新")
    card.refresh_from_db()
    assert (card.revoked_by, card.revoke_reason) == (cast.supervisor, "延期已获批准，系统未及时更新")
    assert list(card.events.values_list("action", "actor")) == [("issued", None), ("revoked", cast.supervisor.pk)]
    with pytest.raises(Invalid, match="该问责记录已经撤销。"):
        revoke_card(card.pk, actor=cast.supervisor, reason="再撤销")
    assert not cards_for(cast.dept, (D(2025, 3, 1), D(2025, 3, 31))).exists()


def test_cards_for_a_unit_and_a_period(lapsed, cast, sweep_on):
    lapsed(n=2)
    sweep_on(D(2025, 3, 11))
    sweep_on(D(2025, 3, 12))
    march = (D(2025, 3, 1), D(2025, 3, 31))
    assert cards_for(cast.dept, march).count() == 2
    assert cards_for(cast.dept, (D(2025, 3, 12), D(2025, 3, 12))).count() == 1
    assert cards_for(cast.county, march).count() == 0
    assert cards_for(cast.county, march, subtree=True, color="yellow").count() == 2


def test_the_register_lists_a_units_cards_and_the_other_county_gets_404(lapsed, cast, login, sweep_on):
    case = lapsed(n=1)
    sweep_on(D(2025, 3, 11))
    client = login(cast.supervisor)
    page = client.get(f"/escalation/units/{cast.dept.pk}/").content.decode()
    assert "清河县自然资源局 · 问责登记簿（黄牌 / 红牌）" in page
    assert "督办事项（期限 2025-03-10）逾期 1 天未办结" in page and case.number in page
    assert "撤销理由" in page
    assert "没有符合条件的问责记录。" in client.get("/escalation/cards/?color=red").content.decode()
    assert client.get(f"/escalation/cards/?unit={cast.dept.pk}").status_code == 302
    other = login(cast.other_officer)
    assert other.get(f"/escalation/units/{cast.dept.pk}/").status_code == 404
    assert "没有符合条件的问责记录。" in other.get("/escalation/cards/").content.decode()
    assert (
        other.post(f"/escalation/cards/{AccountabilityCard.objects.get().pk}/revoke/", {"reason": "x"}).status_code
        == 404
    )


def test_revoking_from_the_register(lapsed, cast, login, sweep_on):
    lapsed(n=1)
    sweep_on(D(2025, 3, 11))
    card = AccountabilityCard.objects.get()
    client = login(cast.supervisor)
    response = client.post(f"/escalation/cards/{card.pk}/revoke/", {"reason": "已核实系统外办结"}, follow=True)
    assert "已撤销清河县自然资源局的黄牌警告。" in response.content.decode()
    page = client.get(f"/escalation/units/{cast.dept.pk}/?status=revoked").content.decode()
    assert "已核实系统外办结" in page


def test_the_accused_unit_sees_its_card_but_not_the_accusation(flow, cast, clock, login, sweep_on):
    from xinfang.cases.states import Kind
    from xinfang.devdata.cast import make_user

    clock.set(D(2025, 3, 5))
    head = make_user("dept2_head", cast.dept2, "unit_head")
    case = flow.handling(kind=Kind.ACCUSATION, accused_org=cast.dept2, accused_name="住建局", summary="检举某局")
    supervision(case, cast, due=D(2025, 3, 10), owed_by=cast.dept2)
    sweep_on(D(2025, 3, 5))
    sweep_on(D(2025, 3, 11))
    page = login(head).get(f"/escalation/units/{cast.dept2.pk}/").content.decode()
    assert "督办事项（期限 2025-03-10）逾期 1 天未办结" in page
    assert case.number not in page and "检举" not in page


def test_the_api_lists_cards_in_scope_and_a_supervisor_revokes(lapsed, cast, client, sweep_on, token_for):
    lapsed(n=1)
    sweep_on(D(2025, 3, 11))
    card = AccountabilityCard.objects.get()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.supervisor)}"}
    body = client.get("/api/v1/cards?color=yellow", **auth).json()
    assert body["count"] == 1
    assert body["items"][0]["org_name"] == "清河县自然资源局" and body["items"][0]["rule"] == "supervision-overdue"
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.other_officer)}"}
    assert client.get("/api/v1/cards", **other).json()["count"] == 0
    assert (
        client.post(
            f"/api/v1/cards/{card.pk}/revoke", {"reason": "x"}, content_type="application/json", **other
        ).status_code
        == 404
    )
    done = client.post(f"/api/v1/cards/{card.pk}/revoke", {"reason": "已核实"}, content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["revoke_reason"] == "已核实"


def test_a_card_and_its_revocation_are_written_into_the_case_history(lapsed, cast, login, sweep_on):
    from xinfang.cases.events import chain_break

    case = lapsed(n=1)
    version = type(case).objects.get(pk=case.pk).version
    sweep_on(D(2025, 3, 11))
    card = AccountabilityCard.objects.get()
    issued = case.events.get(action="card_issued")
    assert (issued.actor_kind, issued.actor_id, issued.note, issued.data) == (
        "system",
        None,
        "黄牌警告：清河县自然资源局（督办事项（期限 2025-03-10）逾期 1 天未办结）",
        {"card": card.pk, "color": "yellow", "org": cast.dept.pk},
    )
    assert type(case).objects.get(pk=case.pk).version == version + 1
    revoke_card(card.pk, actor=cast.supervisor, reason="延期已获批准")
    revoked = case.events.get(action="card_revoked")
    assert (revoked.actor_kind, revoked.actor_id, revoked.note) == (
        "staff",
        cast.supervisor.pk,
        "黄牌警告：清河县自然资源局（撤销理由：延期已获批准）",
    )
    assert chain_break(list(case.events.order_by("seq"))) is None
    page = login(cast.officer).get(f"/cases/{case.pk}/").content.decode()
    assert "记录问责（黄牌/红牌）" in page and "撤销问责记录" in page
    assert "黄牌警告：清河县自然资源局（撤销理由：延期已获批准）" in page


def test_a_red_card_is_written_into_the_history_of_the_case_that_completed_it(lapsed, sweep_on):
    case = lapsed()
    for day in (11, 12, 13):
        sweep_on(D(2025, 3, day))
    notes = list(case.events.filter(action="card_issued").order_by("seq").values_list("note", flat=True))
    assert len(notes) == 4
    assert notes[-1] == "红牌警告：清河县自然资源局（90 天内累计 3 张黄牌警告）"
