"""The ranking's scoring rules (docs/metrics.md §9), one test each, hand-counted; and the seeded default scheme."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from xinfang.orgs.models import Org
from xinfang.stats import metrics as m
from xinfang.stats.models import SCORABLE, OrgScoringScheme, ScoringItem, ScoringScheme, ScoringVeto
from xinfang.stats.ranking import RankRow, rank, scheme_for
from xinfang.stats.scoring import points, score, vetoed

D = Decimal


def item(metric="timely_acceptance_rate", weight=20, full_at=100, zero_at=80, if_no_data="skip"):
    return ScoringItem(metric=metric, weight=D(weight), full_at=D(full_at), zero_at=D(zero_at), if_no_data=if_no_data)


def veto(op, threshold, metric="supervised_overdue", name="期内有督办事项超期"):
    return ScoringVeto(name=name, metric=metric, op=op, threshold=D(threshold))


CARDS = item("yellow_cards", weight=10, full_at=0, zero_at=5)


# ---------------------------------------------------------------- one item


def test_an_item_earns_its_weight_at_or_beyond_the_full_line():
    assert points(item(), D("100.00")) == D("20.00")
    assert points(item(full_at=95), D("97.50")) == D("20.00")
    assert points(CARDS, 0) == D("10.00")  # lower is better: full marks at or below the line


def test_an_item_earns_nothing_at_or_beyond_the_zero_line():
    assert points(item(), D("80.00")) == D("0.00")
    assert points(item(), D("12.50")) == D("0.00")
    assert points(CARDS, 5) == points(CARDS, 9) == D("0.00")


def test_between_the_lines_the_points_are_linear_and_rounded_half_up():
    assert points(item(), D("90.00")) == D("10.00")  # 20 × (90 − 80) ÷ 20
    assert points(item(weight=25), D("90.35")) == D("12.94")  # 25 × 10.35 ÷ 20 = 12.9375
    assert points(CARDS, 2) == D("6.00")  # 10 × (5 − 2) ÷ 5
    assert points(item("yellow_cards", weight=10, full_at=0, zero_at=3), 1) == D("6.67")  # 6.666…


def test_an_item_without_data_is_left_out_and_the_total_scaled_to_the_full_score():
    items = [item(), item("on_time_rate", weight=25), CARDS]
    got = score(items, [], {"timely_acceptance_rate": D("90.00"), "on_time_rate": None, "yellow_cards": 0})
    assert [s.points for s in got.items] == [D("10.00"), None, D("10.00")]
    assert (got.full_score, got.total) == (D("55"), D("36.67"))  # 20 × 55 ÷ 30


def test_an_item_without_data_may_earn_its_weight_instead():
    items = [item(), item("on_time_rate", weight=25, if_no_data="full"), CARDS]
    got = score(items, [], {"timely_acceptance_rate": D("90.00"), "on_time_rate": None, "yellow_cards": 0})
    assert (got.items[1].points, got.total) == (D("25.00"), D("45.00"))


def test_a_unit_without_any_rate_to_score_is_not_ranked():
    items = [item(if_no_data="full"), CARDS]
    got = score(items, [], {"timely_acceptance_rate": None, "yellow_cards": 0})
    assert got.total is None and not got.is_ranked


# ---------------------------------------------------------------- vetoes


def test_a_veto_applies_when_its_condition_is_met_and_never_without_data():
    assert vetoed(veto("gte", 1), 1) and not vetoed(veto("gte", 1), 0)
    assert vetoed(veto("gt", 1), 2) and not vetoed(veto("gt", 1), 1)
    assert vetoed(veto("lt", 90, "satisfaction_rate"), D("89.99"))
    assert not vetoed(veto("lt", 90, "satisfaction_rate"), D("90.00"))
    assert vetoed(veto("lte", 90, "satisfaction_rate"), D("90.00"))
    assert not vetoed(veto("lt", 90, "satisfaction_rate"), None)


def test_a_vetoed_unit_keeps_its_score_and_is_told_why():
    vetoes = [veto("gte", 1), veto("gte", 1, "red_cards", "期内被记红牌警告")]
    got = score([item()], vetoes, {"timely_acceptance_rate": D("100.00"), "supervised_overdue": 2, "red_cards": 0})
    assert (got.total, got.vetoes) == (D("20.00"), ["期内有督办事项超期"])


def _row(name, path, total, vetoes=()):
    got = score([item()], [veto("gte", 1)], {"timely_acceptance_rate": total, "supervised_overdue": len(vetoes)})
    return RankRow(Org(name=name, path=path), got, {})


def test_vetoed_units_rank_after_the_others_and_equal_totals_share_a_rank():
    rows = rank(
        [
            _row("甲", "a", D("90.00")),  # 10 points
            _row("乙", "b", D("100.00"), vetoes=["x"]),  # 20 points, vetoed
            _row("丙", "c", D("95.00")),  # 15
            _row("丁", "d", None),  # nothing to score
            _row("戊", "e", D("95.00")),  # 15, ties with 丙
        ]
    )
    assert [(r.org.name, r.rank, r.score.total) for r in rows] == [
        ("丙", 1, D("15.00")),
        ("戊", 1, D("15.00")),
        ("甲", 3, D("10.00")),
        ("乙", 4, D("20.00")),
        ("丁", None, None),
    ]


# ---------------------------------------------------------------- what may be scored


def test_only_the_handling_of_petitions_can_be_scored_or_veto():
    codes = {code for code, _label, _unit in SCORABLE}
    never = {"total", "persons", "visit_batches", "collective_batches", "collective_persons", "skip_level"}
    never |= {"repeat", "repeat_rate", "first"}
    assert not codes & never
    assert not codes & {c for c in m.METRICS if c.startswith(("channel_", "kind_", "share_"))}
    for code, label, unit in SCORABLE:  # a rate is the metrics' own definition, under its own name
        if unit == "%":
            assert (m.METRICS[code].label, m.METRICS[code].is_rate) == (label, True)


def test_a_count_of_what_arrived_cannot_be_chosen_to_score_or_veto():
    for never in ("skip_level", "collective_batches", "repeat", "total"):
        with pytest.raises(ValidationError) as refused:
            item(never).clean_fields(exclude=["scheme"])
        assert list(refused.value.message_dict) == ["metric"]
        with pytest.raises(ValidationError):
            veto("gte", 1, never).clean_fields(exclude=["scheme"])


def test_an_item_s_lines_are_checked():
    with pytest.raises(ValidationError) as same:
        item(full_at=80).clean()
    assert same.value.message_dict == {"zero_at": ["满分线与零分线不能相同。"]}
    with pytest.raises(ValidationError) as rate:
        item(full_at=120).clean()
    assert rate.value.message_dict == {"full_at": ["比率指标的界限须在 0 至 100 之间。"]}
    with pytest.raises(ValidationError) as weight:
        item(weight=0).clean()
    assert weight.value.message_dict == {"weight": ["分值须大于 0。"]}


# ---------------------------------------------------------------- the seeded default and which scheme applies


@pytest.mark.django_db
def test_the_default_scheme_scores_handling_and_vetoes_overdue_supervision_and_red_cards():
    scheme = ScoringScheme.objects.get(code="default-ranking")
    assert (scheme.name, scheme.is_default, scheme.effective_from) == (
        "信访工作考核默认评分方案",
        True,
        date(2022, 5, 1),
    )
    got = [(i.metric, i.weight, i.full_at, i.zero_at, i.if_no_data) for i in scheme.items.order_by("sort")]
    assert got == [
        ("timely_acceptance_rate", 20, 100, 80, "skip"),
        ("on_time_rate", 25, 100, 80, "skip"),
        ("satisfaction_rate", 20, 90, 60, "skip"),
        ("evaluation_rate", 10, 90, 50, "skip"),
        ("review_upheld_rate", 15, 100, 50, "skip"),
        ("yellow_cards", 10, 0, 5, "skip"),
    ]
    vetoes = [(v.name, v.describe()) for v in scheme.vetoes.all()]
    assert vetoes == [
        ("期内有督办事项超期", "督办事项超期大于或等于1件"),
        ("期内被记红牌警告", "红牌警告大于或等于1张"),
    ]


@pytest.mark.django_db
def test_seeding_again_leaves_an_edited_scheme_alone():
    seed = importlib.import_module("xinfang.stats.migrations.0002_seed_default_scheme").seed
    ScoringItem.objects.filter(scheme__code="default-ranking", metric="on_time_rate").update(weight=30)
    ScoringVeto.objects.filter(scheme__code="default-ranking", metric="red_cards").delete()
    seed(apps, None)
    scheme = ScoringScheme.objects.get(code="default-ranking")
    assert scheme.items.get(metric="on_time_rate").weight == 30
    assert (scheme.items.count(), scheme.vetoes.count()) == (6, 1)


@pytest.mark.django_db
def test_a_scheme_assigned_to_an_org_applies_below_it_while_in_force(cast):
    default = ScoringScheme.objects.get(code="default-ranking")
    city = ScoringScheme.objects.create(code="city", name="市方案", effective_from=date(2024, 1, 1))
    county = ScoringScheme.objects.create(
        code="county", name="县方案", effective_from=date(2024, 1, 1), effective_to=date(2025, 3, 31)
    )
    OrgScoringScheme.objects.create(org=cast.city, scheme=city, effective_from=date(2024, 1, 1))
    OrgScoringScheme.objects.create(org=cast.county, scheme=county, effective_from=date(2025, 1, 1))
    assert scheme_for(cast.township, date(2025, 3, 31)) == county  # the nearest ancestor's
    assert scheme_for(cast.township, date(2025, 4, 30)) == city  # the county's ended: the city's
    assert scheme_for(cast.county, date(2024, 12, 31)) == city  # not yet assigned to the county
    assert scheme_for(cast.city, date(2023, 12, 31)) == default  # before any assignment


@pytest.mark.django_db
def test_two_default_schemes_in_force_together_are_refused():
    clash = ScoringScheme(code="another", name="另一默认方案", is_default=True, effective_from=date(2025, 1, 1))
    with pytest.raises(ValidationError) as refused:
        clash.clean()
    assert refused.value.messages == ["与默认评分方案“信访工作考核默认评分方案”的施行期间重叠，请先为其填写废止日期。"]


@pytest.mark.django_db
def test_an_administrator_edits_the_scheme_in_the_chinese_admin(cast, client):
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    listing = client.get("/admin/stats/scoringscheme/").content.decode()
    assert "考核评分方案" in listing and "信访工作考核默认评分方案" in listing
    assert '<td class="field-full_score">100.00</td>' in listing
    scheme = ScoringScheme.objects.get(code="default-ranking")
    page = client.get(f"/admin/stats/scoringscheme/{scheme.pk}/change/").content.decode()
    for label in ("评分项", "一票否决条件", "满分线", "零分线", "无数据时", "否决事由", "施行日期", "废止日期"):
        assert label in page, label
    assert '<option value="supervised_overdue"' in page
    for never in ("skip_level", "collective_batches", "repeat", "total"):  # not offered as a metric
        assert f'<option value="{never}"' not in page
