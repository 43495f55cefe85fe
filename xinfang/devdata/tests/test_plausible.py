"""The demo and scale cases read like real ones: places, categories and accused units fit together.

Checked over every case made: a place names one township and only its own
villages (and a township handles only cases in its own area); the category
is the one a clerk would file the summary under; an accusation accuses the
unit it is about, never a court or the discipline commission.
"""

import pytest
from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.states import Kind
from xinfang.devdata.cases import _ensure_discipline_staff, build_demo_cases
from xinfang.devdata.county import TOWNSHIPS, DemoContext, build_orgs, build_petitioners, build_staff
from xinfang.devdata.scale import generate
from xinfang.orgs.models import Org, OrgKind

TOWNS = {town: villages for _key, town, _code, villages in TOWNSHIPS}
TOWN_OF = {village: town for town, villages in TOWNS.items() for village in villages}

# What a clerk files a summary under: (words in the summary, category group, subcategory). First match wins.
ACCUSATIONS = [
    ("优亲厚友", "违规违纪"),
    ("收受礼金", "违规违纪"),
    ("吃拿卡要", "违规违纪"),
    ("作风粗暴", "作风问题"),
    ("不作为", "失职渎职"),
]
CLAIMS = [
    ("征地补偿", "征地拆迁", "征收补偿"),
    ("安置房", "征地拆迁", "安置房建设与分配"),
    ("占用耕地", "征地拆迁", "违法用地"),
    ("宅基地", "征地拆迁", "宅基地纠纷"),
    ("物业", "城乡建设", "物业管理"),
    ("商品房", "城乡建设", "房屋质量"),
    ("市政道路施工", "城乡建设", "市政设施"),
    ("违章搭建", "城乡建设", "违章建筑"),
    ("工资", "劳动和社会保障", "拖欠工资"),
    ("社会保险", "劳动和社会保障", "社会保险"),
    ("工伤", "劳动和社会保障", "工伤认定"),
    ("退休", "劳动和社会保障", "退休待遇"),
    ("土地承包", "农村农业", "土地承包"),
    ("村务", "农村农业", "村务管理"),
    ("惠农补贴", "农村农业", "惠农补贴"),
    ("执行", "涉法涉诉", "执行问题"),
    ("判决结果", "涉法涉诉", "裁判不服"),
    ("入学", "教育", "招生入学"),
    ("校外培训", "教育", "校外培训"),
    ("教师", "教育", "教师待遇"),
    ("医疗费用报销", "卫生健康", "医保报销"),
    ("卫生院", "卫生健康", "医疗纠纷"),
    ("养殖场", "生态环境", "水污染"),
    ("废气", "生态环境", "大气污染"),
    ("噪声", "生态环境", "噪声污染"),
    ("低保", "民政", "低保救助"),
    ("养老服务", "民政", "养老服务"),
    ("企业改制", "企业改制", "职工安置"),
    ("退役军人", "退役军人", "优抚待遇"),
    ("公交", "交通运输", "公共交通"),
    ("道路破损", "交通运输", "道路建设"),
    ("邻里纠纷", "其他", "其他"),
    ("其他诉求", "其他", "其他"),
]
pytestmark = pytest.mark.django_db

# Matters only a village (村) has, and matters of a town's urban community (社区).
RURAL = ("耕地", "承包地", "宅基地", "村务", "村干部", "村里", "养殖场", "惠农补贴", "乡村")
URBAN = ("小区", "商品房", "市政", "安置房")
NEVER_ACCUSED = {OrgKind.COURT, OrgKind.PROCURATORATE, OrgKind.DISCIPLINE, OrgKind.CONGRESS, OrgKind.PETITION_BUREAU}


@pytest.fixture(scope="module", params=["demo", "scale"])
def cases(request, django_db_setup, django_db_blocker):
    """Every case of a small demo (real actions) or scale run, built once for this module's tests.

    Built inside a transaction that is rolled back after the last test; each
    test's own transaction nests in it as a savepoint.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(write=lambda _msg: None)
        build_orgs(ctx)
        build_staff(ctx)
        build_petitioners(ctx, 80)
        _ensure_discipline_staff(ctx)
        if request.param == "demo":
            build_demo_cases(ctx, count=80)
        else:
            generate(400, write=lambda _msg: None)
        made = list(
            Case.objects.select_related("category__parent", "competent_org", "accused_org").prefetch_related(
                "participants__org"
            )
        )
        assert len(made) >= 80
        yield made
        transaction.set_rollback(True)


def text_of(case) -> str:
    return " ".join([case.summary, case.content, case.place_name, case.accused_name])


def place_of(case) -> tuple[str, str]:
    """(township, village) of the case's place, e.g. ("白沙镇", "下洋村")."""
    name = case.place_name.removeprefix("清河县")
    town = next((t for t in TOWNS if name.startswith(t)), None)
    assert town is not None, f"{case.number}: 问题属地“{case.place_name}”不是演示县的乡镇"
    village = name.removeprefix(town)
    assert village in TOWNS[town], f"{case.number}: {village} 不属于 {town}"
    return town, village


def township_org(town: str) -> Org:
    return Org.objects.get(level="township", name__contains=town)


def test_every_case_names_places_of_one_township_only_and_fitting_its_matter(cases):
    for case in cases:
        town, village = place_of(case)
        text = text_of(case)
        named_towns = {t for t in TOWNS if t in text}
        named_villages = {v for v in TOWN_OF if v in text}
        assert named_towns == {town}, f"{case.number}: {sorted(named_towns)} in “{text}”"
        assert {TOWN_OF[v] for v in named_villages} == {town}, f"{case.number}: {sorted(named_villages)} in “{text}”"
        if any(word in text for word in RURAL):
            assert village.endswith("村"), f"{case.number}: “{case.summary}” in {case.place_name}"
        if any(word in text for word in URBAN):
            assert village.endswith("社区"), f"{case.number}: “{case.summary}” in {case.place_name}"
        committee = Org.objects.get(parent=township_org(town), name__startswith=f"{town}{village}")
        assert case.place_code == committee.division_code, case.number


def test_a_township_handles_and_co_handles_only_cases_in_its_own_area(cases):
    townships = 0
    for case in cases:
        town, _village = place_of(case)
        involved = [case.competent_org] + [link.org for link in case.participants.all()]
        for org in involved:
            if org is not None and org.level == "township":
                townships += 1
                assert town in org.name, f"{case.number}: {org.name} 办理 {case.place_name} 的信访件"
    assert townships  # the check saw township cases


def test_every_case_is_filed_under_the_category_its_summary_belongs_to(cases):
    for case in cases:
        got = (case.category.parent.name, case.category.name)
        if case.kind == Kind.ACCUSATION:
            rules = [(words, "纪检监察（干部作风）", child) for words, child in ACCUSATIONS]
        else:
            rules = CLAIMS
        expected = next(((group, child) for words, group, child in rules if words in case.summary), None)
        assert expected is not None, f"{case.number}: no rule for “{case.summary}” ({case.get_kind_display()})"
        assert got == expected, f"{case.number}: “{case.summary}” filed under {got}, not {expected}"


def test_an_accusation_accuses_the_unit_it_is_about(cases):
    accusations = [c for c in cases if c.kind == Kind.ACCUSATION]
    assert accusations
    for case in accusations:
        accused, summary = case.accused_org, case.summary
        assert accused is not None and accused.kind not in NEVER_ACCUSED, case.number
        assert case.accused_name.startswith(accused.name), case.number
        assert case.competent_org_id != accused.pk, case.number
        town, village = place_of(case)
        township = township_org(town)
        if "村干部" in summary:
            # A village cadre: that village's committee, or its township.
            assert accused == township or (accused.parent_id == township.pk and accused.name.startswith(town + village))
        elif any(t in summary for t in TOWNS):
            assert accused == township, f"{case.number}: “{summary}” accuses {accused.name}"
        else:
            assert accused.kind == OrgKind.DEPARTMENT, case.number
            assert accused.name.removeprefix("清河县") in summary, f"{case.number}: “{summary}” accuses {accused.name}"
