"""Demo cases: a few hundred 信访件 in every state, made by the real actions.

``load_demo`` runs this after the base county (xinfang/devdata/county.py). Every
case is registered, routed, decided, handled, answered and carried through
review and re-examination by the demo staff calling the same action
functions the screens and the API call, so each one is consistent with the
rules by construction: its events, deadlines (from the clock engine),
deliveries, evaluations and participant orgs are whatever the actions wrote.

Dates: receipt is spread over the last three years. Each step runs on its
own realistic past date through the clock seam (``xinfang.core.clock.at``,
which the actions, the clock services and the dated fields all ask), see
``travel()``. A case's steps are planned first (delays in days), then its
receipt is placed so that its last step lands where the scenario wants it:
long ago for ended cases, recently for open ones, overdue or due soon for a
few on purpose.

Idempotent: nothing is added when a demo user has already registered a case.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.http import Http404
from django.utils import timezone

from xinfang.cases import actions as A
from xinfang.cases.actions.review import LAPSE_SWEEP
from xinfang.cases.models import Case, Category
from xinfang.cases.states import (
    Channel,
    DeliveryMethod,
    Evaluation,
    EvaluationSource,
    Importance,
    Kind,
    Notice,
    RedirectChannel,
    ReplyDecision,
    ReviewDecision,
    Status,
    StepKind,
    Urgency,
)
from xinfang.core import clock
from xinfang.core.errors import DomainError
from xinfang.devdata.county import DEMO_PASSWORD, TOWNSHIPS, DemoContext
from xinfang.orgs.models import Org, Role, RoleGrant, User
from xinfang.petitioners.services import register_petitioner

DEMO_CASES = 300
YEARS_BACK = 3
SEED = 20240607

# The units that handle demo cases (org key in xinfang/devdata/county.py → staff
# username prefix, and the subject-category groups they are competent for).
UNITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zrzy": ("zrzy", ("01",)),
    "zjj": ("zjj", ("02",)),
    "rsj": ("rsj", ("03", "10")),
    "jyj": ("jyj", ("06",)),
    "baisha": ("baisha", ("04", "09", "13", "99")),
    "qingxi": ("qingxi", ("04", "08", "09", "99")),
}
DISCIPLINE_STAFF = [
    ("jw_officer", "韦正", "信访室主任", (Role.PETITION_OFFICER, Role.REGISTRAR)),
    ("jw_handler", "方清", "第一监督检查室干部", (Role.HANDLER,)),
    ("jw_head", "钱立", "信访室分管领导", (Role.UNIT_HEAD,)),
]


class Subject(NamedTuple):
    """What a petitioner writes about, filed under one subcategory of its group.

    ``summary`` and ``detail`` may name ``{place}`` (township and village),
    ``{township}`` or ``{village}``: always one village of that township.
    """

    summary: str
    detail: str
    category: str  # the subcategory's name in the seed dictionary (xinfang/cases/categories.py)
    where: str = ""  # "village": only a 村 (farmland, village affairs); "community": only a 社区; "": either
    co: tuple[str, ...] = ()  # departments (UNITS keys) that may co-handle it, besides the place's township
    accused: str = ""  # accusations: "village" (its committee), "township", or the accused department's org key
    basis: str = ""  # the reply's legal basis, when the group's default (BASIS) does not fit


# What petitioners write about, by category group.
SUBJECTS: dict[str, list[Subject]] = {
    "01": [
        Subject(
            "反映{place}征地补偿款未足额发放",
            "其承包地于前年被征收用于道路建设，补偿款至今仅发放一半，多次向村里询问无果，请求依法足额支付。",
            "征收补偿",
            where="village",
        ),
        Subject(
            "反映{place}房屋征收安置房迟迟未交付",
            "签订房屋征收补偿协议已三年，约定的安置房至今未交付，临时安置费也已停发，请求尽快安置。",
            "安置房建设与分配",
            where="community",
            co=("zjj",),
            basis="《国有土地上房屋征收与补偿条例》第二十二条",
        ),
        Subject(
            "反映{place}有人违法占用耕地建房",
            "村口一片基本农田被人硬化后建起厂房，请求有关部门查处并恢复耕地。",
            "违法用地",
            where="village",
            basis="《中华人民共和国土地管理法》第七十七条",
        ),
        Subject(
            "反映{place}宅基地审批不公",
            "其宅基地申请已递交两年未获批准，而同村他人后申请先获批，请求说明情况并依法审批。",
            "宅基地纠纷",
            where="village",
            basis="《中华人民共和国土地管理法》第六十二条",
        ),
    ],
    "02": [
        Subject(
            "反映{place}小区物业服务不到位",
            "小区电梯长期故障、垃圾清运不及时，业主多次投诉，物业公司置之不理，请求监管部门督促整改。",
            "物业管理",
            where="community",
        ),
        Subject(
            "反映{place}新购商品房漏水开裂",
            "交房不到一年外墙开裂、卫生间漏水，开发商拖延维修，请求责令开发商履行保修责任。",
            "房屋质量",
            where="community",
            basis="《建设工程质量管理条例》第四十条",
        ),
        Subject(
            "反映{place}市政道路施工夜间扰民",
            "夜间施工噪声持续到凌晨，影响周边居民休息，请求规范施工时间。",
            "市政设施",
            where="community",
            basis="《中华人民共和国噪声污染防治法》有关规定",
        ),
        Subject(
            "反映{place}违章搭建影响通行",
            "邻居在公共通道搭建彩钢棚，影响消防通道和居民通行，请求依法拆除。",
            "违章建筑",
            co=("zrzy",),
            basis="《中华人民共和国城乡规划法》有关规定",
        ),
    ],
    "03": [
        Subject(
            "反映{township}某建筑工地拖欠农民工工资",
            "在某建筑公司承建的{township}工地务工八个月，工资共计四万余元至今未结清，请求帮助追讨。",
            "拖欠工资",
            co=("zjj",),
        ),
        Subject(
            "反映单位未依法缴纳社会保险",
            "在某企业工作五年，单位一直未为其缴纳养老和医疗保险，请求责令补缴。",
            "社会保险",
            basis="《中华人民共和国社会保险法》第六十条",
        ),
        Subject(
            "申请工伤认定久拖未决",
            "去年在工作中受伤，已提交工伤认定申请材料，至今未作出认定结论，请求尽快认定。",
            "工伤认定",
            basis="《工伤保险条例》第二十条",
        ),
        Subject(
            "反映企业退休人员待遇核定有误",
            "退休后养老金核定标准低于同等条件人员，认为视同缴费年限计算有误，请求重新核定。",
            "退休待遇",
            basis="《中华人民共和国社会保险法》第十六条",
        ),
    ],
    "04": [
        Subject(
            "反映{place}土地承包经营权被调整",
            "村委会未经村民会议讨论调整其承包地，面积减少近两亩，请求恢复原承包关系。",
            "土地承包",
            where="village",
        ),
        Subject(
            "反映{place}村务财务不公开",
            "村集体土地出租收入多年未公开，村民对账目有疑问，请求审计并公开。",
            "村务管理",
            where="village",
            basis="《中华人民共和国村民委员会组织法》第三十条",
        ),
        Subject(
            "反映{place}惠农补贴未发放到户",
            "去年的耕地地力保护补贴未收到，询问村里称已发放，请求核实。",
            "惠农补贴",
            where="village",
            basis="耕地地力保护补贴有关政策规定",
        ),
    ],
    "06": [
        Subject(
            "反映子女入学划片不合理",
            "所住小区被划入较远学校，孩子上学需穿越国道，存在安全隐患，请求调整学区。",
            "招生入学",
            where="community",
        ),
        Subject(
            "反映{township}校外培训机构退费难",
            "预交的一年培训费用在机构停业后无法退还，请求协调退费。",
            "校外培训",
            basis="校外培训机构预收费监管有关规定",
        ),
        Subject(
            "反映乡村教师待遇落实问题",
            "乡村教师生活补助未按规定标准发放，请求落实有关政策。",
            "教师待遇",
            where="village",
            basis="《中华人民共和国教师法》第二十五条",
        ),
    ],
    "07": [
        Subject(
            "反映医疗费用报销不及时",
            "住院费用已提交报销材料三个月，至今未到账，请求尽快办理。",
            "医保报销",
        ),
        Subject(
            "反映在{township}卫生院就诊后病情加重",
            "在卫生院输液后出现严重过敏反应，认为医务人员处置不当，请求调查并依法处理。",
            "医疗纠纷",
            where="village",
            basis="《医疗纠纷预防和处理条例》有关规定",
        ),
    ],
    "08": [
        Subject(
            "反映{place}养殖场污染环境",
            "养殖场粪污直排河道，周边气味难闻、河水发黑，请求查处。",
            "水污染",
            where="village",
            basis="《畜禽规模养殖污染防治条例》有关规定",
        ),
        Subject(
            "反映{place}附近企业夜间排放废气",
            "附近厂区夜间排放刺激性气体，居民出现咳嗽等症状，请求监测查处。",
            "大气污染",
        ),
    ],
    "09": [
        Subject(
            "申请低保未获批准",
            "家中两位老人患病、无固定收入，申请最低生活保障被告知不符合条件，请求重新审核。",
            "低保救助",
        ),
        Subject(
            "反映{place}居家养老服务照料中心管理不善",
            "照料中心饭菜质量差、护理人员不足，请求加强管理。",
            "养老服务",
            basis="养老服务有关管理规定",
        ),
    ],
    "10": [
        Subject(
            "反映企业改制职工安置不到位",
            "原国有企业改制时承诺的安置补偿未兑现，请求落实改制方案。",
            "职工安置",
            basis="企业改制职工安置有关政策规定",
        )
    ],
    "11": [
        Subject(
            "反映退役军人优抚待遇未落实",
            "本人系退役士兵，应享受的定期生活补助未按时发放，请求落实。",
            "优抚待遇",
            basis="《军人抚恤优待条例》有关规定",
        )
    ],
    # Accusations (检举控告): whom they accuse follows from what they are about.
    "12": [
        Subject(
            "反映{place}村干部在低保评定中优亲厚友",
            "该村村干部在低保评定中优先照顾亲属，不符合条件的亲属被纳入低保，请求调查核实。",
            "违规违纪",
            where="village",
            accused="village",
        ),
        Subject(
            "反映{township}干部在宅基地审批中收受礼金",
            "{township}有关干部在为{village}村民办理宅基地审批过程中收受礼金，请求调查处理。",
            "违规违纪",
            where="village",
            accused="township",
        ),
        Subject(
            "反映{township}工作人员作风粗暴",
            "其到{township}便民服务中心办事时，工作人员推诿扯皮、态度粗暴，请求处理。",
            "作风问题",
            accused="township",
        ),
        Subject(
            "反映县自然资源和规划局工作人员办理不动产登记时吃拿卡要",
            "其为{place}的房屋办理不动产登记时，经办人员多次推诿，暗示须“打点”才能加快办理，请求调查处理。",
            "违规违纪",
            accused="zrzy",
        ),
        Subject(
            "反映县住房和城乡建设局工作人员对违章搭建查处不作为",
            "其多次举报{place}有人违章搭建，经办人员收到举报后长期不予处理，请求追究责任。",
            "失职渎职",
            accused="zjj",
        ),
    ],
    "13": [
        Subject(
            "反映{place}公交线路停运",
            "村里唯一的公交线路停运半年，老人出行困难，请求恢复开通。",
            "公共交通",
            where="village",
        )
    ],
    "99": [
        Subject(
            "反映邻里纠纷调解未果",
            "与邻居因排水问题发生纠纷，经村里调解未果，请求协调解决。",
            "其他",
            where="village",
        )
    ],
}


class Place(NamedTuple):
    """A village or urban community of the demo county, with its township."""

    township_key: str  # the township's org key (xinfang/devdata/county.py TOWNSHIPS)
    township: str  # 白沙镇
    village: str  # 下洋村, or 白沙社区
    org_key: str  # its committee's org key

    @property
    def name(self) -> str:
        return f"{self.township}{self.village}"

    @property
    def is_village(self) -> bool:
        return not self.village.endswith("社区")

    def fits(self, subject: Subject) -> bool:
        return {"village": self.is_village, "community": not self.is_village}.get(subject.where, True)


PLACES = [
    Place(key, name, village, f"{key}_{index + 1}")
    for key, name, _code, villages in TOWNSHIPS
    for index, village in enumerate(villages)
]
TOWNSHIP_KEYS = frozenset(key for key, *_ in TOWNSHIPS)


@dataclass
class Matter:
    """What one case is about and where: chosen at registration, read by the later steps."""

    group: str
    subject: Subject
    place: Place


REQUESTS = {
    ReplyDecision.SUPPORT: ("经调查核实，信访人反映的情况属实，诉求合理。", "已责成有关单位于三十日内予以解决。"),
    ReplyDecision.EXPLAIN: ("经调查核实，相关工作已按政策规定办理，信访人对政策存在误解。", "已向信访人作出解释说明。"),
    ReplyDecision.NOT_SUPPORT: ("经调查核实，信访人的请求缺乏事实和政策依据。", "对其请求不予支持。"),
}
# The reply's legal basis by category group, unless the subject names its own.
BASIS = {
    "01": "《中华人民共和国土地管理法》第四十八条",
    "02": "《物业管理条例》第三十五条",
    "03": "《保障农民工工资支付条例》第十一条",
    "04": "《中华人民共和国农村土地承包法》第二十八条",
    "06": "《中华人民共和国义务教育法》第十二条",
    "07": "《医疗保障基金使用监督管理条例》第十五条",
    "08": "《中华人民共和国大气污染防治法》第四十三条",
    "09": "《社会救助暂行办法》第九条",
    "12": "《中国共产党纪律处分条例》相关规定",
}
DECLINE_REASONS = [
    "该信访事项已经依法终结，信访人以同一事实和理由提出，依据《信访工作条例》第三十三条不再受理。",
    "信访事项不属于本机关法定职权范围，已告知信访人向有权处理的机关提出。",
]


# --- time travel ---------------------------------------------------------------


@contextmanager
def travel(when: datetime):
    """Run the block at ``when``: the actions, the clock services and the dated fields ask core.clock."""
    with clock.at(when):
        yield


# --- the plan of one case ---------------------------------------------------------


@dataclass
class Spec:
    """What happens to one case: its route, its options, and where it stops."""

    stop: str  # the Status it ends in
    route: str = "assign"  # assign | forward | direct
    unit: str = "zrzy"
    kind: str = Kind.CLAIM
    co: bool = False
    extension: bool = False
    hearing: str = ""  # "" | "done" | "open"
    decision: str = ReplyDecision.EXPLAIN
    evaluation: str = Evaluation.SATISFIED
    review: str = ""  # "" | "request" | "review" | "reexam_request" | "reexam"
    lapse: bool = False
    returned: bool = False
    send_back: bool = False
    ext_pending: bool = False
    ends: int = 0  # days ago the last step happens (the anchor)
    channel: str = Channel.VISIT
    merge_of: Case | None = None  # the same matter again: merged into it, or (refuse) 不再受理 when it is final
    refuse: bool = False
    label: str = ""
    from_city: bool = False  # registered by the city bureau and assigned down to the county bureau
    city_pending: bool = False  # stop once reported up, before the city bureau confirms closure
    matter: Matter | None = None  # what it is about and where, set at registration


@dataclass
class Step:
    delay: float  # days after the previous step
    label: str
    run: Callable  # (case, when) -> case


@dataclass
class Runner:
    ctx: DemoContext
    rng: random.Random
    today: date
    now: datetime
    categories: dict[str, list[Category]]
    petitioners: dict[int, list]  # org id → petitioners registered there
    open_pool: list[Case] = field(default_factory=list)
    made: int = 0
    place_by_code: dict[str, Place] = field(default_factory=dict)  # village division code → place

    def __post_init__(self):
        self.place_by_code = {self.org(p.org_key).division_code: p for p in PLACES}

    def u(self, name: str) -> User:
        return self.ctx.users[name]

    def org(self, key: str) -> Org:
        return self.ctx.orgs[key]

    # -- registration ------------------------------------------------------------

    def registration(self, spec: Spec, actor: User, received_at: datetime, petitioners=None) -> A.Registration:
        rng = self.rng
        if spec.merge_of is not None:
            return self._repeat_registration(spec, received_at, petitioners)
        if spec.kind == Kind.ACCUSATION:
            group = "12"
        else:
            group = rng.choice(UNITS[spec.unit][1]) if spec.unit in UNITS else "99"
        area = [p for p in PLACES if spec.unit not in TOWNSHIP_KEYS or p.township_key == spec.unit]
        subject = rng.choice([s for s in SUBJECTS[group] if any(p.fits(s) for p in area)] or SUBJECTS[group])
        pool = (self.petitioners.get(actor.org_id) or []) if actor.org_id is not None else []
        if petitioners is None:
            n = 1 if rng.random() < 0.85 else rng.randint(2, 3)
            neighbours = self._neighbours(pool, spec.unit)
            chosen = rng.sample(neighbours, min(1, len(neighbours)))
            others = [p for p in pool if p not in chosen]
            chosen += rng.sample(others, min(n - len(chosen), len(others)))
            petitioners = [(p, i == 0) for i, p in enumerate(chosen)]
        co_wanted = spec.co and spec.route == "assign"
        place = self._place(subject, spec.unit, petitioners[0][0] if petitioners else None, co_wanted=co_wanted)
        spec.matter = Matter(group, subject, place)
        where = {"place": place.name, "township": place.township, "village": place.village}
        names = "、".join(p.name for p, _ in petitioners[:2])
        reg = A.Registration(
            channel=spec.channel,
            received_at=received_at,
            kind=spec.kind,
            summary=subject.summary.format(**where)[:200],
            content=f"信访人{names}反映：{place.name}，{subject.detail.format(**where)}",
            petitioners=petitioners,
            person_count=len(petitioners),
            category=self._category(group, subject),
            urgency=rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], [85, 12, 3])[0],
            importance=rng.choices([Importance.NORMAL, Importance.IMPORTANT, Importance.CRITICAL], [80, 17, 3])[0],
            place_code=self.org(place.org_key).division_code,
            place_name=f"清河县{place.name}",
        )
        if spec.channel == Channel.REFERRED:
            reg.referring_org = self.org("city_bureau")
            reg.referring_ref = f"示信交〔{received_at.year}〕{rng.randint(1, 400)}号"
            if rng.random() < 0.4:
                reg.leader_instruction = "请清河县认真核查，依法依规妥善处理，并将结果报市信访局。——苏晓东"
        if spec.kind == Kind.ACCUSATION:
            # Whom it accuses follows from what it is about: a village cadre's village
            # committee, a township's own staff, or the department named.
            accused_key = {"village": place.org_key, "township": place.township_key}.get(
                subject.accused, subject.accused or place.township_key
            )
            reg.accused_org = self.org(accused_key)
            title = "主任" if subject.accused == "village" else "工作人员"
            reg.accused_name = f"{reg.accused_org.name}{title}" + rng.choice(["李某", "王某某", "陈某"])
        return reg

    def _repeat_registration(self, spec: Spec, received_at: datetime, petitioners) -> A.Registration:
        """A repeat (重复件) is the same matter again: the original's summary, category and place."""
        original = spec.merge_of
        if original is None:
            raise ValueError("a repeat registration needs the original case (spec.merge_of)")
        names = "、".join(p.name for p, _ in petitioners[:2])
        _said, _sep, what = original.content.partition("反映：")
        return A.Registration(
            channel=spec.channel,
            received_at=received_at,
            kind=original.kind,
            summary=original.summary,
            content=f"信访人{names}再次反映：{what or original.summary}",
            petitioners=petitioners,
            person_count=len(petitioners),
            category=original.category,
            place_code=original.place_code,
            place_name=original.place_name,
            accused_org=original.accused_org,
            accused_name=original.accused_name,
        )

    def _category(self, group: str, subject: Subject) -> Category:
        """The subcategory the subject belongs to (any of its group's if an administrator renamed it)."""
        choices = self.categories.get(group) or self.categories["99"]
        named = [c for c in choices if c.name == subject.category]
        return named[0] if named else self.rng.choice(choices)

    def _neighbours(self, pool: list, unit: str) -> list:
        """Petitioners a unit would hear from: a township's own residents when it has any."""
        if unit not in TOWNSHIP_KEYS:
            return pool
        codes = {self.org(p.org_key).division_code for p in PLACES if p.township_key == unit}
        return [p for p in pool if p.division_code in codes] or pool

    def _place(self, subject: Subject, unit: str, petitioner, *, co_wanted: bool = False) -> Place:
        """Where the matter is: in the handling township's area, and mostly where the petitioner lives.

        A case meant to have a co-unit and naming no department for it happens
        in a township that can co-handle it (one with demo staff).
        """
        places = [p for p in PLACES if unit not in TOWNSHIP_KEYS or p.township_key == unit]
        fitting = [p for p in places if p.fits(subject)] or places
        if co_wanted and not [k for k in subject.co if k != unit]:
            fitting = [p for p in fitting if p.township_key in UNITS and p.township_key != unit] or fitting
        home = self.place_by_code.get(getattr(petitioner, "division_code", ""))
        if home in fitting and self.rng.random() < 0.8:
            return home
        return self.rng.choice(fitting)

    def _co_orgs(self, spec: Spec) -> list[Org]:
        """A co-unit that shares such a matter: a department it names, or the township where it happened."""
        matter = spec.matter
        if matter is None:
            raise ValueError("co-units are chosen after registration sets spec.matter")
        keys = [k for k in matter.subject.co if k != spec.unit]
        if matter.place.township_key in UNITS and matter.place.township_key != spec.unit:
            keys.append(matter.place.township_key)
        return [self.org(self.rng.choice(keys))] if keys else []

    # -- the steps of one case ---------------------------------------------------------

    def plan(self, spec: Spec) -> tuple[list[Step], User]:
        rng = self.rng
        U = self.u
        unit = spec.unit
        prefix = "jw" if unit == "discipline" else UNITS[unit][0]
        officer, head = U(f"{prefix}_officer"), U(f"{prefix}_head")
        handler = U(f"{prefix}_handler") if f"{prefix}_handler" in self.ctx.users else officer
        bureau_officer = U("officer")
        target = self.org(unit)
        steps: list[Step] = []

        def add(delay, label, fn):
            steps.append(Step(delay, label, fn))

        if spec.route == "direct":
            registrar = officer if officer.has_role(Role.REGISTRAR) else U(f"{prefix}_registrar")
        elif spec.from_city:
            registrar = U("city_registrar")
        else:
            registrar = U(rng.choice(["registrar", "registrar2"]))
        if spec.from_city:
            county_bureau = self.org("bureau")
            add(
                rng.uniform(0.5, 3),
                "city-assign",
                lambda c, t: A.do_assign(
                    c, actor=U("city_officer"), lead_org=county_bureau, note="请清河县依法办理，并将结果报市信访局"
                ),
            )
            add(rng.uniform(0.2, 2), "county-sign", lambda c, t: A.do_sign_for(c, actor=bureau_officer))
        if spec.stop == Status.REGISTERED:
            return steps, registrar
        if spec.merge_of is not None and spec.refuse:
            original = spec.merge_of
            add(
                rng.uniform(0.1, 3),
                "refuse-final",
                lambda c, t: A.do_refuse_final(
                    c,
                    actor=bureau_officer,
                    reason=f"信访人以同一事实和理由再次提出信访，该事项（{original.number}）已经依法处理终结，"
                    "依据《信访工作条例》第三十六条第三款，不再受理。",
                ),
            )
            return steps, registrar
        if spec.merge_of is not None:
            original = spec.merge_of
            add(
                rng.uniform(0.1, 3),
                "merge",
                lambda c, t: A.do_merge_as_repeat(
                    c, actor=bureau_officer, original=original, note=f"与{original.number}系同一事项，按重复件合并"
                ),
            )
            return steps, registrar
        if spec.route != "direct":
            if spec.returned:
                wrong = self.org("jyj")
                add(
                    rng.uniform(0.5, 3),
                    "forward-wrong",
                    lambda c, t: A.do_forward(c, actor=bureau_officer, to_org=wrong),
                )
                add(
                    rng.uniform(0.5, 4),
                    "return",
                    lambda c, t: A.do_return(
                        c, actor=U("jyj_officer"), reason="该事项不属于教育部门职责范围，请转有权处理的机关"
                    ),
                )
            if spec.route == "assign":
                add(
                    rng.uniform(0.5, 6),
                    "assign",
                    lambda c, t: A.do_assign(
                        c,
                        actor=bureau_officer,
                        lead_org=target,
                        co_orgs=self._co_orgs(spec) if spec.co else [],
                        note="请依法办理并报结",
                    ),
                )
            else:
                add(rng.uniform(0.5, 6), "forward", lambda c, t: A.do_forward(c, actor=bureau_officer, to_org=target))
            if spec.stop in (Status.FORWARDED, Status.ASSIGNED):
                return steps, registrar
            add(rng.uniform(0, 2.5), "sign", lambda c, t: A.do_sign_for(c, actor=officer))
        if spec.stop == Status.TO_DECIDE:
            return steps, registrar
        decide_delay = rng.uniform(1, 10)
        if spec.stop == Status.DECLINED:
            reason = rng.choice(DECLINE_REASONS)
            add(decide_delay, "decline", lambda c, t: A.do_decline(c, actor=officer, reason=reason))
            add(rng.uniform(0, 3), "deliver", self._deliver(officer, Notice.DECLINE))
            return steps, registrar
        if spec.stop == Status.REDIRECTED:
            channel = rng.choice(RedirectChannel.values)
            add(
                decide_delay,
                "redirect",
                lambda c, t: A.do_redirect(c, actor=officer, channel=channel, note="请依法向有关机关提出。"),
            )
            add(rng.uniform(0, 3), "deliver", self._deliver(officer, Notice.REDIRECT))
            return steps, registrar
        add(decide_delay, "accept", lambda c, t: A.do_accept(c, actor=officer, handler=handler))
        add(rng.uniform(0, 2), "deliver-acceptance", self._deliver(officer, Notice.ACCEPTANCE))
        add(
            rng.uniform(3, 15),
            "investigate",
            lambda c, t: A.do_record_step(
                c,
                actor=handler,
                kind=StepKind.INVESTIGATION,
                happened_on=clock.today(),
                description="到现场走访核实，调阅相关档案材料，听取信访人及有关方面意见。",
            ),
        )
        if spec.hearing:
            add(rng.uniform(2, 10), "hearing", lambda c, t: A.do_start_hearing(c, actor=handler, note="组织召开听证会"))
            if spec.hearing == "open" and spec.stop == Status.HANDLING:
                return steps, registrar
            add(rng.uniform(3, 10), "hearing-end", lambda c, t: A.do_end_hearing(c, actor=handler, note="听证结束"))
        if spec.extension or spec.ext_pending:
            add(
                rng.uniform(15, 30),
                "ext-request",
                lambda c, t: A.do_request_extension(
                    c, actor=handler, days=rng.choice([15, 20, 30]), reason="案情复杂，需进一步调查核实并协调多个部门"
                ),
            )
            if spec.ext_pending:
                return steps, registrar
            add(rng.uniform(0, 2), "ext-approve", lambda c, t: A.do_approve_extension(c, actor=head))
        if spec.stop == Status.HANDLING and not spec.send_back and spec.review != "revoke":
            add(
                rng.uniform(1, 5),
                "step",
                lambda c, t: A.do_record_step(
                    c,
                    actor=handler,
                    kind=rng.choice([StepKind.MEDIATION, StepKind.MEETING]),
                    happened_on=clock.today(),
                    description="约见信访人面谈，听取诉求并释明政策。",
                ),
            )
            return steps, registrar
        if spec.co:
            co_users = {}

            def co_report(c, t):
                for link in c.participants.filter(role="co", reported_at__isnull=True).select_related("org"):
                    key = next(k for k in UNITS if self.org(k).pk == link.org_id)
                    co_users[key] = U(
                        f"{UNITS[key][0]}_handler"
                        if f"{UNITS[key][0]}_handler" in self.ctx.users
                        else f"{UNITS[key][0]}_officer"
                    )
                    c = A.do_co_report(c, actor=co_users[key], report="协办单位已核实职责范围内的情况并反馈主办单位")
                return c

            add(rng.uniform(3, 12), "co-report", co_report)
        self._reply_steps(add, spec, handler, head, officer)
        if spec.stop == Status.REPLIED:
            return steps, registrar
        add(rng.uniform(0.5, 4), "deliver-reply", self._deliver(handler, Notice.REPLY))
        if spec.evaluation:
            source = rng.choice([EvaluationSource.PETITIONER, EvaluationSource.FOLLOW_UP])
            add(
                rng.uniform(0.2, 5),
                "evaluate",
                lambda c, t: A.do_evaluate(c, actor=handler, evaluation=spec.evaluation, source=source),
            )
        if spec.route == "assign":
            add(rng.uniform(0.5, 3), "report", lambda c, t: A.do_report_back(c, actor=handler, note="已办结，报请审核"))
            if spec.send_back:
                add(
                    rng.uniform(1, 4),
                    "send-back",
                    lambda c, t: A.do_send_back(
                        c, actor=bureau_officer, reason="答复意见未逐项回应信访人的诉求，请补充调查后重新答复"
                    ),
                )
                if spec.stop == Status.HANDLING:
                    return steps, registrar
                self._reply_steps(add, spec, handler, head, officer, again=True)
                add(rng.uniform(0.5, 3), "deliver-reply2", self._deliver(handler, Notice.REPLY))
                add(rng.uniform(0.5, 3), "report2", lambda c, t: A.do_report_back(c, actor=handler))
            if spec.stop == Status.REPORTED:
                return steps, registrar
            add(
                rng.uniform(1, 6),
                "confirm",
                lambda c, t: A.do_confirm_closure(c, actor=bureau_officer, note="办理规范，同意办结"),
            )
        else:
            add(rng.uniform(0.5, 5), "close", lambda c, t: A.do_close(c, actor=handler))
        if spec.from_city:
            # The county's closure was reported up to the city bureau that assigned it.
            if spec.city_pending:
                return steps, registrar
            add(
                rng.uniform(1, 5),
                "city-confirm",
                lambda c, t: A.do_confirm_closure(c, actor=U("city_officer"), note="经审核，同意办结"),
            )
        if spec.stop == Status.CLOSED:
            return steps, registrar
        if spec.lapse and not spec.review:
            add(self._after_window(), "finalize", lambda c, t: A.do_finalize(c, actor=LAPSE_SWEEP))
            return steps, registrar
        # Review (复查) at the county government, through its petition bureau.
        add(
            rng.uniform(2, 8),
            "review-request",
            lambda c, t: A.do_request_review(
                c, actor=U("registrar"), received_on=clock.today(), note="信访人对处理意见不服，请求复查"
            ),
        )
        if spec.review == "request":
            return steps, registrar
        if spec.review == "revoke":
            add(
                rng.uniform(8, 25),
                "review-revoke",
                lambda c, t: A.do_review(
                    c,
                    actor=bureau_officer,
                    decision=ReviewDecision.REVOKE,
                    reasons="原处理意见认定事实不清，责令重新办理",
                ),
            )
            add(rng.uniform(0.5, 3), "deliver-review", self._deliver(bureau_officer, Notice.REVIEW))
            return steps, registrar
        review_decision = rng.choices([ReviewDecision.UPHOLD, ReviewDecision.CHANGE], [85, 15])[0]
        add(
            rng.uniform(8, 25),
            "review",
            lambda c, t: A.do_review(
                c,
                actor=bureau_officer,
                decision=review_decision,
                reasons="原处理意见认定事实清楚，适用依据正确，程序合法",
            ),
        )
        if spec.stop == Status.REVIEWED and spec.review == "review":
            return steps, registrar
        add(rng.uniform(0.5, 3), "deliver-review", self._deliver(bureau_officer, Notice.REVIEW))
        if spec.stop == Status.REVIEWED:
            return steps, registrar
        if spec.lapse:
            add(self._after_window(), "finalize", lambda c, t: A.do_finalize(c, actor=LAPSE_SWEEP))
            return steps, registrar
        city = U("city_officer")
        add(
            rng.uniform(2, 12),
            "reexam-request",
            lambda c, t: A.do_request_reexam(
                c, actor=city, received_on=clock.today(), note="信访人对复查意见不服，请求复核"
            ),
        )
        if spec.review == "reexam_request" and not spec.hearing:
            return steps, registrar
        if spec.review == "reexam_request":
            add(
                rng.uniform(3, 10),
                "reexam-hearing",
                lambda c, t: A.do_start_hearing(c, actor=city, note="复核机关组织听证"),
            )
            return steps, registrar
        add(
            rng.uniform(10, 25),
            "reexam",
            lambda c, t: A.do_reexamine(
                c, actor=city, decision=ReviewDecision.UPHOLD, reasons="复查意见正确，予以维持"
            ),
        )
        add(rng.uniform(0.5, 3), "deliver-reexam", self._deliver(city, Notice.REEXAM))
        return steps, registrar

    def _reply_steps(self, add, spec, handler, head, officer, again=False):
        rng = self.rng
        group = None
        decision = spec.decision

        def draft(c, t):
            nonlocal group
            group = c.category.code[:2] if c.category_id else "99"
            facts, result = REQUESTS[decision]
            basis = (spec.matter and spec.matter.subject.basis) or BASIS.get(group, "《信访工作条例》第三十二条")
            return A.do_draft_reply(
                c,
                actor=handler,
                request=c.summary.replace("反映", "请求解决", 1),
                facts=facts + ("补办后再次核实。" if again else ""),
                decision=decision,
                basis=basis + "；" + result,
            )

        add(rng.uniform(8, 25) if not again else rng.uniform(3, 10), "draft", draft)
        add(rng.uniform(0.2, 3), "reply", lambda c, t: A.do_reply(c, actor=head))

    def _deliver(self, actor, notice):
        method = self.rng.choice(
            [DeliveryMethod.IN_PERSON, DeliveryMethod.POST, DeliveryMethod.SMS, DeliveryMethod.ONLINE]
        )

        def run(c, t):
            return A.do_record_delivery(
                c,
                actor=actor,
                notice=notice,
                method=method,
                delivered_at=t,
                recipient=c.case_petitioners.first().petitioner.name,
            )

        return run

    def _after_window(self):
        return "window"  # resolved at run time: the day after the petitioner's window ends

    # -- running ------------------------------------------------------------------------

    def when(self, day: date) -> datetime:
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 20)
        return timezone.make_aware(datetime.combine(day, time(0, 0)) + timedelta(minutes=minutes))

    def run(self, spec: Spec) -> Case | None:
        steps, registrar = self.plan(spec)
        planned = sum(s.delay if isinstance(s.delay, float | int) else 38 for s in steps)
        end_day = self.today - timedelta(days=spec.ends)
        received_day = end_day - timedelta(days=int(planned) + 1)
        earliest = self.today - timedelta(days=365 * YEARS_BACK - 1)
        if received_day < earliest:
            received_day = earliest
        if spec.merge_of is not None:
            received_day = max(received_day, timezone.localdate(spec.merge_of.received_at) + timedelta(days=1))
        received = self.when(received_day)
        if received > self.now:
            received = self.now - timedelta(hours=2)
        petitioners = None
        if spec.merge_of is not None:
            petitioners = [(link.petitioner, True) for link in spec.merge_of.case_petitioners.order_by("pk")[:1]]
        if spec.from_city:
            # A county resident who went to the city bureau: registered there in their own right.
            base = self.rng.choice(self.petitioners[self.org("bureau").pk])
            with travel(received - timedelta(minutes=5)):
                person = register_petitioner(
                    actor=registrar,
                    kind="person",
                    name=base.name,
                    id_number=base.decrypt_id_number(),
                    address=base.address,
                    division_code=base.division_code,
                )
            petitioners = [(person, True)]
        reg = self.registration(spec, registrar, received, petitioners)
        t = received + timedelta(minutes=self.rng.randint(3, 40))
        with travel(min(t, self.now)):
            case = A.do_register(reg, actor=registrar)
        for step in steps:
            prev = t
            if step.delay == "window":
                case.refresh_from_db()
                if case.window_until is None:
                    break
                t = self.when(case.window_until + timedelta(days=1))
            else:
                t = prev + timedelta(days=step.delay)
                if step.delay >= 1:
                    t = max(self.when(t.date()), prev + timedelta(minutes=10))
            t = min(t, self.now - timedelta(minutes=5))
            # window_until is set here: a window step without one has stopped above.
            if step.delay == "window" and case.window_until is not None and timezone.localdate(t) <= case.window_until:
                break  # the window has not lapsed yet: leave the case as it is
            with travel(t):
                case = step.run(case, t)
        self.made += 1
        return case


def _ensure_discipline_staff(ctx) -> None:
    """The discipline commission needs someone to sign for the accusations routed to it."""
    org = ctx.orgs.get("discipline")
    if org is None:
        return
    password = None
    for username, full_name, title, roles in DISCIPLINE_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(username=username, full_name=full_name, title=title, org=org, password=password)
            for role in roles:
                RoleGrant.objects.create(user=user, role=role)
        ctx.users[username] = user


# Scenario mix: (weight, Spec factory). Every Status appears in the first pass.
def _scenarios(rng: random.Random) -> list[tuple[int, Callable[[], Spec]]]:
    S = Status

    def unit():
        return rng.choice(list(UNITS))

    def route():
        return rng.choices(["assign", "forward", "direct"], [45, 45, 10])[0]

    def old():
        return rng.randint(60, 365 * YEARS_BACK - 150)

    def kind():
        return rng.choices([Kind.CLAIM, Kind.SUGGESTION], [85, 15])[0]

    def channel():
        return rng.choices(Channel.values, [20, 30, 10, 30, 5, 5])[0]

    def lazy(**kw):
        def make():
            spec = Spec(**kw)
            spec.unit = kw.get("unit") or unit()
            spec.channel = kw.get("channel") or channel()
            return spec

        return make

    def claim_final(**kw):
        def make():
            r = route()
            return Spec(
                stop=S.FINAL,
                route="forward" if r == "direct" else r,
                unit=unit(),
                kind=kind(),
                channel=channel(),
                co=r == "assign" and rng.random() < 0.3,
                extension=rng.random() < 0.12,
                hearing="done" if rng.random() < 0.05 else "",
                decision=rng.choice(ReplyDecision.values),
                evaluation=rng.choices(Evaluation.values, [65, 25, 10])[0],
                lapse=True,
                ends=old(),
                **kw,
            )

        return make

    return [
        (8, lazy(stop=S.REGISTERED, ends=0)),
        (6, lazy(stop=S.FORWARDED, route="forward", ends=rng.randint(0, 2))),
        (6, lazy(stop=S.ASSIGNED, route="assign", ends=0)),
        (3, lazy(stop=S.REGISTERED, returned=True, ends=0)),
        (8, lazy(stop=S.TO_DECIDE, route="forward", ends=0)),
        (4, lazy(stop=S.TO_DECIDE, route="direct", ends=0)),
        (14, lazy(stop=S.HANDLING, route="assign", co=True, ends=0)),
        (14, lazy(stop=S.HANDLING, route="forward", ends=0)),
        (8, lazy(stop=S.HANDLING, route="forward", ends=0, extension=True)),
        (3, lazy(stop=S.HANDLING, route="assign", ends=0, ext_pending=True)),
        (3, lazy(stop=S.HANDLING, route="forward", ends=0, hearing="open")),
        (3, lazy(stop=S.HANDLING, route="assign", ends=0, send_back=True)),
        (6, lazy(stop=S.REPLIED, route="forward", ends=0)),
        (6, lazy(stop=S.REPORTED, route="assign", ends=0, evaluation=Evaluation.BASIC)),
        (6, lazy(stop=S.CLOSED, route="forward", ends=0)),
        (6, lazy(stop=S.CLOSED, route="assign", ends=0, co=True)),
        (4, lazy(stop=S.CLOSED, route="assign", ends=0, send_back=True)),
        (14, lazy(stop=S.DECLINED, route="forward", ends=-1)),
        (14, lazy(stop=S.REDIRECTED, route="forward", ends=-1)),
        (
            6,
            lazy(stop=S.REVIEW_REQUESTED, route="forward", review="request", evaluation=Evaluation.UNSATISFIED, ends=0),
        ),
        (4, lazy(stop=S.REVIEWED, route="forward", review="review", evaluation=Evaluation.UNSATISFIED, ends=0)),
        (4, lazy(stop=S.REVIEWED, route="assign", review="delivered", evaluation=Evaluation.UNSATISFIED, ends=0)),
        (
            4,
            lazy(
                stop=S.REEXAM_REQUESTED,
                route="forward",
                review="reexam_request",
                evaluation=Evaluation.UNSATISFIED,
                ends=0,
            ),
        ),
        (
            2,
            lazy(
                stop=S.REEXAM_REQUESTED,
                route="forward",
                review="reexam_request",
                hearing="done",
                evaluation=Evaluation.UNSATISFIED,
                ends=0,
            ),
        ),
        (12, lazy(stop=S.FINAL, route="forward", review="reexam", evaluation=Evaluation.UNSATISFIED, ends=-1)),
        (
            4,
            lazy(
                stop=S.FINAL, route="assign", review="delivered", lapse=True, evaluation=Evaluation.UNSATISFIED, ends=-1
            ),
        ),
        (130, claim_final()),
        (3, lazy(stop=S.CLOSED, route="assign", from_city=True, ends=-1)),
        (2, lazy(stop=S.REPORTED, route="forward", from_city=True, city_pending=True, ends=0)),
        (2, lazy(stop=S.HANDLING, route="forward", review="revoke", evaluation=Evaluation.UNSATISFIED, ends=0)),
        (5, lazy(stop=S.HANDLING, route="forward", kind=Kind.ACCUSATION, unit="discipline", ends=0)),
        # Accusations run no review chain: closing is where they end.
        (
            14,
            lazy(
                stop=S.CLOSED,
                route="forward",
                kind=Kind.ACCUSATION,
                unit="discipline",
                ends=-1,
                decision=ReplyDecision.SUPPORT,
            ),
        ),
        (3, lazy(stop=S.ASSIGNED, route="assign", kind=Kind.ACCUSATION, unit="discipline", ends=0)),
    ]


def _anchor(spec: Spec, rng: random.Random) -> int:
    """Days ago the last step happens; -1 in a scenario means "any time in the three years"."""
    if spec.ends == -1:
        return rng.randint(20, 365 * YEARS_BACK - 200)
    if spec.ends:
        return spec.ends
    s = Status
    if spec.stop == s.HANDLING:
        roll = rng.random()
        if roll < 0.12:
            return rng.randint(0, 3)  # fresh
        return rng.randint(0, 40)
    if spec.stop in (s.CLOSED, s.REPORTED, s.REPLIED, s.REVIEWED):
        return rng.randint(0, 12)
    return rng.randint(0, 6)


def build_demo_cases(ctx, count: int = DEMO_CASES, *, seed: int = SEED) -> int:
    """Create ``count`` demo cases through the actions; return how many were made."""
    demo_users = [u.pk for u in ctx.users.values()]
    if Case.objects.filter(registered_by__in=demo_users).exists():
        return 0
    _ensure_discipline_staff(ctx)
    rng = random.Random(seed)
    now = timezone.now()
    categories: dict[str, list[Category]] = {}
    for cat in Category.objects.filter(parent__isnull=False, is_active=True).order_by("code"):
        categories.setdefault(cat.code[:2], []).append(cat)
    petitioners: dict[int, list] = {}
    for p in ctx.petitioners().filter(kind="person").order_by("pk"):
        petitioners.setdefault(p.org_id, []).append(p)
    runner = Runner(ctx, rng, timezone.localdate(now), now, categories, petitioners)

    scenarios = _scenarios(rng)
    specs: list[Spec] = [make() for _w, make in scenarios]  # every scenario once
    weights = [w for w, _m in scenarios]
    while len(specs) < count:
        specs.append(rng.choices(scenarios, weights)[0][1]())
    specs = specs[:count]
    for spec in specs:
        spec.ends = _anchor(spec, rng)
        if spec.route == "direct" and spec.unit not in ("zrzy", "baisha", "qingxi"):
            spec.unit = rng.choice(["zrzy", "baisha", "qingxi"])
        if spec.returned and spec.unit == "jyj":
            spec.unit = "zrzy"
        # Overdue handling and due-soon cases, on purpose.
        if spec.stop == Status.HANDLING and not (spec.extension or spec.hearing or spec.send_back):
            roll = rng.random()
            if roll < 0.15:
                spec.ends = rng.randint(45, 80)  # accepted ~70–110 days ago: overdue
            elif roll < 0.25:
                spec.ends = rng.randint(30, 38)  # due within days
    made: list[Case] = []
    for spec in specs:
        case = runner.run(spec)
        if case is not None:
            made.append(case)
    # Repeats (重复件): a new petition on a matter that is still open, merged into it.
    originals = [
        c
        for c in made
        if c.status in (Status.HANDLING, Status.TO_DECIDE) and c.registered_org_id == ctx.orgs["bureau"].pk
    ][: max(3, count // 40)]
    for original in originals:
        original.refresh_from_db()
        spec = Spec(stop=Status.MERGED, route="assign", unit="zrzy", merge_of=original, ends=0)
        runner.run(spec)
    # The same matter again after it was made final (art 36(3)): not accepted again.
    finals = [c for c in made if c.status == Status.FINAL and c.registered_org_id == ctx.orgs["bureau"].pk][
        : max(2, count // 100)
    ]
    for original in finals:
        original.refresh_from_db()
        runner.run(Spec(stop=Status.REFUSED, route="assign", unit="zrzy", merge_of=original, refuse=True, ends=0))
    _demo_supervision(ctx, made)
    # The lapse sweep as the scheduler would have run it up to today.
    A.finalize_lapsed()
    return runner.made


def _demo_supervision(ctx, made: list[Case]) -> None:
    """One case listed for supervision (挂牌督办) by the bureau's supervisor, so the demo shows 督办."""
    from xinfang.supervision.actions import do_open_supervision

    for case in made:
        case.refresh_from_db()
        if case.status == Status.HANDLING and case.kind != "accusation" and case.handler_id and case.competent_org_id:
            try:
                do_open_supervision(
                    case,
                    actor=ctx.users["supervisor"],
                    kind="listed",
                    reason="群众反映强烈、久拖未决，县信访局挂牌督办，请限期办结并每周反馈进展",
                    due_on=timezone.localdate() + timedelta(days=15),
                    report_every_days=7,
                )
            except (Http404, DomainError):
                continue  # not a case the bureau's supervisor may supervise: try the next
            return


def load(ctx) -> None:
    import time as _time

    started = _time.monotonic()
    made = build_demo_cases(ctx)
    ctx.created["cases"] = made
    if made:
        ctx.write(f"  已通过办理操作生成演示信访件 {made} 件（用时 {_time.monotonic() - started:.1f} 秒）")
    else:
        ctx.write("  演示信访件已存在，未作改动。")


__all__ = ["build_demo_cases", "load", "travel"]
