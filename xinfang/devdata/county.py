"""The demo county: an invented 清河县 with staff of every role and petitioners.

``python manage.py load_demo`` builds it (DESIGN §7: "`make run` on a fresh
machine: a working demo county"). The names follow the test cast and the
README: 浙江省 → 示例市 (330700) → 清河县 (330781); townships, villages,
people and companies are invented. ID numbers are synthetic (random birth
date and sequence, real check digit) with the county's region prefix.

Demo accounts
-------------
Every demo account has the password ``xinfang2024`` (``DEMO_PASSWORD``).
``load_demo`` prints the full table at the end; the main ones:

=================  ===========================  =====================================
username           org                          roles
=================  ===========================  =====================================
registrar          清河县信访局                 登记员
officer            清河县信访局                 受理交办员
handler            清河县信访局                 承办人
bureau_head        清河县信访局                 单位负责人
bureau_leader      清河县信访局                 领导
supervisor         清河县信访局                 督查员
statistician       清河县信访局                 统计员
admin              清河县信访局                 系统管理员 (is_staff + is_superuser)
leader             清河县人民政府               领导（本单位及下级：全县）
zrzy_officer …     清河县自然资源和规划局       受理交办员 / 承办人 / 单位负责人
zjj_*, rsj_*       住建局、人社局               受理交办员 / 承办人 / 单位负责人
baisha_*, qingxi_* 白沙镇、清溪镇               受理交办员 / 承办人 / 单位负责人 / 领导
city_officer …     示例市信访局                 登记员 / 受理交办员 / 督查员 / 统计员 / 领导
=================  ===========================  =====================================

Idempotent: orgs are found again by (parent, name), users by username
(existing users are never modified), and petitioners are loaded only while
the demo county has none, all in one transaction, so running ``load_demo``
twice changes nothing the second time.

The demo cases come after the county (xinfang/devdata/loader.py runs the
steps in order), each step in its own transaction so that a failing step
does not undo the county.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xinfang.core.idnumbers import check_digit
from xinfang.core.uscc import CHARSET, uscc_check_char
from xinfang.orgs.models import DataScope, Org, OrgKind, OrgLevel, Role, RoleGrant, User

DEMO_PASSWORD = "xinfang2024"
SEED = 20240601
PROVINCE_CODE = "330000"
CITY_CODE = "330700"
COUNTY_CODE = "330781"
DEFAULT_PETITIONERS = 300

K, L = OrgKind, OrgLevel

# (key, name, kind, level, division code, parent key). Parents come first.
ORGS: list[tuple[str, str, str, str, str, str | None]] = [
    ("province", "浙江省人民政府", K.GOVERNMENT, L.PROVINCE, PROVINCE_CODE, None),
    ("province_bureau", "浙江省信访局", K.PETITION_BUREAU, L.PROVINCE, PROVINCE_CODE, "province"),
    ("city", "示例市人民政府", K.GOVERNMENT, L.CITY, CITY_CODE, "province"),
    ("city_bureau", "示例市信访局", K.PETITION_BUREAU, L.CITY, CITY_CODE, "city"),
    ("city_zrzy", "示例市自然资源和规划局", K.DEPARTMENT, L.CITY, CITY_CODE, "city"),
    ("city_zjj", "示例市住房和城乡建设局", K.DEPARTMENT, L.CITY, CITY_CODE, "city"),
    ("city_rsj", "示例市人力资源和社会保障局", K.DEPARTMENT, L.CITY, CITY_CODE, "city"),
    ("city_sthj", "示例市生态环境局", K.DEPARTMENT, L.CITY, CITY_CODE, "city"),
    ("county", "清河县人民政府", K.GOVERNMENT, L.COUNTY, COUNTY_CODE, "city"),
    ("bureau", "清河县信访局", K.PETITION_BUREAU, L.COUNTY, COUNTY_CODE, "county"),
    ("zrzy", "清河县自然资源和规划局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("zjj", "清河县住房和城乡建设局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("rsj", "清河县人力资源和社会保障局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("jyj", "清河县教育局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    # Environmental branches are run by the city bureau but handle the county's matters.
    ("sthj", "示例市生态环境局清河分局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("mzj", "清河县民政局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("nync", "清河县农业农村局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("gaj", "清河县公安局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("scjg", "清河县市场监督管理局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("wjj", "清河县卫生健康局", K.DEPARTMENT, L.COUNTY, COUNTY_CODE, "county"),
    ("court", "清河县人民法院", K.COURT, L.COUNTY, COUNTY_CODE, "county"),
    ("procuratorate", "清河县人民检察院", K.PROCURATORATE, L.COUNTY, COUNTY_CODE, "county"),
    ("discipline", "中共清河县纪律检查委员会 清河县监察委员会", K.DISCIPLINE, L.COUNTY, COUNTY_CODE, "county"),
    ("congress", "清河县人大常委会办公室", K.CONGRESS, L.COUNTY, COUNTY_CODE, "county"),
]

# Townships (街道 0xx, 镇 1xx, 乡 2xx per GB/T 10114) and their villages
# (社区居委会 0xx, 村委会 2xx). Codes: county + 3 digits, township + 3 digits.
TOWNSHIPS: list[tuple[str, str, str, list[str]]] = [
    ("wenchang", "文昌街道", "001", ["文昌社区", "南门社区", "溪东社区"]),
    ("tongyuan", "桐源街道", "002", ["桐源社区", "新桥社区"]),
    ("baisha", "白沙镇", "101", ["白沙村", "下洋村", "岭脚村", "白沙社区"]),
    ("qingxi", "清溪镇", "102", ["清溪村", "上坂村", "溪口村"]),
    ("fengling", "枫岭镇", "103", ["枫岭村", "黄泥坞村"]),
    ("meiwu", "梅坞乡", "201", ["梅坞村", "石门村", "外坑村"]),
]

# (username, full name, org key, title, roles, explicit scope or None for the role default)
STAFF: list[tuple[str, str, str, str, tuple[str, ...], str | None]] = [
    ("registrar", "林晓燕", "bureau", "登记科科员", (Role.REGISTRAR,), None),
    ("registrar2", "陈佳怡", "bureau", "来访接待科科员", (Role.REGISTRAR,), None),
    ("officer", "王建国", "bureau", "办信科科长", (Role.PETITION_OFFICER,), None),
    ("handler", "周敏", "bureau", "复查复核科科员", (Role.HANDLER,), None),
    ("bureau_head", "郑宏伟", "bureau", "局长", (Role.UNIT_HEAD,), None),
    ("bureau_leader", "吴志强", "bureau", "党组书记", (Role.LEADER,), None),
    ("supervisor", "徐丽萍", "bureau", "督查科科长", (Role.SUPERVISOR,), None),
    ("statistician", "赵晓明", "bureau", "综合科统计员", (Role.STATISTICIAN,), None),
    ("admin", "孙浩", "bureau", "信息中心工程师", (Role.ADMINISTRATOR,), None),
    ("leader", "黄海涛", "county", "副县长（分管信访）", (Role.LEADER,), DataScope.SUBTREE),
    ("county_supervisor", "何静", "county", "县政府督查室主任", (Role.SUPERVISOR,), DataScope.SUBTREE),
    ("zrzy_officer", "刘德胜", "zrzy", "信访科科长", (Role.PETITION_OFFICER,), None),
    ("zrzy_registrar", "张雪", "zrzy", "信访科科员", (Role.REGISTRAR,), None),
    ("zrzy_handler", "马俊", "zrzy", "耕地保护科科员", (Role.HANDLER,), None),
    ("zrzy_handler2", "高翔", "zrzy", "不动产登记中心科员", (Role.HANDLER,), None),
    ("zrzy_head", "罗国华", "zrzy", "局长", (Role.UNIT_HEAD,), None),
    ("zrzy_statistician", "谢婷", "zrzy", "办公室统计员", (Role.STATISTICIAN,), None),
    ("zjj_officer", "梁文杰", "zjj", "信访科科长", (Role.PETITION_OFFICER,), None),
    ("zjj_handler", "宋磊", "zjj", "房地产管理科科员", (Role.HANDLER,), None),
    ("zjj_head", "唐振华", "zjj", "局长", (Role.UNIT_HEAD,), None),
    ("rsj_officer", "许芳", "rsj", "信访科科长", (Role.PETITION_OFFICER,), None),
    ("rsj_handler", "韩冬", "rsj", "劳动保障监察大队队员", (Role.HANDLER,), None),
    ("rsj_head", "冯立新", "rsj", "局长", (Role.UNIT_HEAD,), None),
    ("jyj_officer", "曹慧", "jyj", "办公室主任", (Role.PETITION_OFFICER, Role.HANDLER), None),
    ("jyj_head", "彭永刚", "jyj", "局长", (Role.UNIT_HEAD,), None),
    ("baisha_officer", "曾春燕", "baisha", "信访办主任", (Role.PETITION_OFFICER, Role.REGISTRAR), None),
    ("baisha_handler", "邓勇", "baisha", "综治中心干部", (Role.HANDLER,), None),
    ("baisha_head", "萧建平", "baisha", "镇长", (Role.UNIT_HEAD,), None),
    ("baisha_leader", "田国庆", "baisha", "镇党委书记", (Role.LEADER,), None),
    ("baisha_statistician", "董琳", "baisha", "党政办统计员", (Role.STATISTICIAN,), None),
    ("qingxi_officer", "袁小红", "qingxi", "信访办主任", (Role.PETITION_OFFICER, Role.REGISTRAR), None),
    ("qingxi_handler", "潘伟", "qingxi", "综治中心干部", (Role.HANDLER,), None),
    ("qingxi_head", "蒋平", "qingxi", "镇长", (Role.UNIT_HEAD,), None),
    ("qingxi_leader", "蔡明", "qingxi", "镇党委书记", (Role.LEADER,), None),
    ("city_registrar", "余欣", "city_bureau", "来访接待处科员", (Role.REGISTRAR,), None),
    ("city_officer", "杜宏", "city_bureau", "办信处处长", (Role.PETITION_OFFICER,), None),
    ("city_supervisor", "叶青", "city_bureau", "督查处处长", (Role.SUPERVISOR,), None),
    ("city_statistician", "程亮", "city_bureau", "综合处统计员", (Role.STATISTICIAN,), None),
    ("city_head", "魏长江", "city_bureau", "局长", (Role.UNIT_HEAD,), None),
    ("city_leader", "苏晓东", "city", "副市长（分管信访）", (Role.LEADER,), DataScope.SUBTREE),
    ("city_admin", "吕洁", "city_bureau", "信息科工程师", (Role.ADMINISTRATOR,), None),
]
SUPERUSERS = frozenset({"admin"})

# Who registers the demo petitioners, with weights: most arrive at the county
# bureau; departments and townships register those who come to them directly.
REGISTRARS: list[tuple[str, int]] = [
    ("registrar", 30),
    ("registrar2", 20),
    ("officer", 10),
    ("zrzy_officer", 8),
    ("zrzy_registrar", 4),
    ("zjj_officer", 6),
    ("rsj_officer", 5),
    ("baisha_officer", 7),
    ("qingxi_officer", 5),
    ("city_registrar", 5),
]

# Organisations that petition: invented trade names and trades.
TRADE_NAMES = [
    "恒达",
    "宏远",
    "鑫源",
    "华盛",
    "永兴",
    "金穗",
    "绿源",
    "润丰",
    "德信",
    "聚福",
    "泰和",
    "嘉禾",
    "顺通",
    "盛世",
]
TRADES = [
    "建材有限公司",
    "农业开发有限公司",
    "物业管理有限公司",
    "建筑工程有限公司",
    "食品有限公司",
    "纺织有限公司",
    "茶叶专业合作社",
    "竹木制品厂",
    "运输有限公司",
    "家庭农场",
]


@dataclass
class DemoContext:
    """What later steps need: the demo orgs and users by key, and seeded randomness."""

    orgs: dict[str, Org] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    write: Callable[[str], None] = print
    created: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time per step, for the summary

    @property
    def county(self) -> Org:
        return self.orgs["county"]

    def petitioners(self):
        """The demo petitioners (registered anywhere in the demo city)."""
        from xinfang.petitioners.models import Petitioner

        # Maintenance code, not a view: the demo loader sees everything.
        return Petitioner.objects.filter(org__path__startswith=self.orgs["city"].path)

    def faker(self, salt: int = 0):
        from faker import Faker

        fake = Faker("zh_CN")
        fake.seed_instance(SEED + salt)
        return fake


# --- orgs -------------------------------------------------------------------


def county_org_rows(stem: str, code: str) -> list[tuple[str, str, str, str, str, str | None]]:
    """The county government, its units, townships and villages for a county named ``stem`` (清河 for the
    demo county; the scale generator builds more counties of the city from the same plan)."""
    rows = [
        (key, name.replace("清河", stem), kind, level, code, parent)
        for key, name, kind, level, _code, parent in ORGS
        if key == "county" or parent == "county"
    ]
    for key, name, suffix, villages in TOWNSHIPS:
        township_code = code + suffix
        office = "办事处" if name.endswith("街道") else "人民政府"
        rows.append((key, f"{stem}县{name}{office}", K.GOVERNMENT, L.TOWNSHIP, township_code, "county"))
        for index, village in enumerate(villages):
            is_community = village.endswith("社区")
            village_code = township_code + (f"{index + 1:03d}" if is_community else f"{200 + index + 1:03d}")
            committee = "居民委员会" if is_community else "村民委员会"
            rows.append(
                (f"{key}_{index + 1}", f"{name}{village}{committee}", K.VILLAGE_COMMITTEE, L.VILLAGE, village_code, key)
            )
    return rows


def build_orgs(ctx: DemoContext) -> None:
    county_keys = {key for key, *_rest, parent in ORGS if key == "county" or parent == "county"}
    rows = [row for row in ORGS if row[0] not in county_keys] + county_org_rows("清河", COUNTY_CODE)
    created = 0
    for key, name, kind, level, code, parent_key in rows:
        parent = ctx.orgs[parent_key] if parent_key else None
        org = Org.objects.filter(parent=parent, name=name).first()
        if org is None:
            org = Org.objects.create(name=name, kind=kind, level=level, division_code=code, parent=parent)
            created += 1
        ctx.orgs[key] = org
    ctx.created["orgs"] = created


def township_keys() -> list[str]:
    return [key for key, *_ in TOWNSHIPS]


# --- staff ------------------------------------------------------------------


def build_staff(ctx: DemoContext) -> None:
    # Hash once: PBKDF2 is deliberately slow, and every demo account shares it.
    password_hash = make_password(DEMO_PASSWORD)
    existing = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in STAFF])}
    created = 0
    for username, full_name, org_key, title, roles, scope in STAFF:
        user = existing.get(username)
        if user is None:
            is_super = username in SUPERUSERS
            user = User(
                username=username,
                full_name=full_name,
                title=title,
                org=ctx.orgs[org_key],
                password=password_hash,
                is_staff=is_super,
                is_superuser=is_super,
            )
            if Role.ADMINISTRATOR in roles and not is_super:
                user.is_staff = True  # the Chinese admin, limited by the group below
            user.save()
            for role in roles:
                RoleGrant.objects.create(user=user, role=role, scope=scope or "")
            if Role.ADMINISTRATOR in roles and not is_super:
                user.groups.add(administrators_group())
            created += 1
        elif user.org_id != ctx.orgs[org_key].pk:
            # Never touch an account we did not create: it may be a real one.
            ctx.write(f"注意：用户 {username} 已存在且不属于演示机构，未作修改")
        ctx.users[username] = user
    ctx.created["users"] = created


def build_staff_contacts(ctx: DemoContext) -> None:
    """A work mobile for each demo account, so the demo's reminders and cards also go out by SMS
    (to the file gateway by default: var/sms/sms.log). Numbers in the 19900 block, never a real
    subscriber's in a demo; an account that already has a contact keeps it."""
    from xinfang.notifications.models import StaffContact

    have = set(StaffContact.objects.filter(user__in=list(ctx.users.values())).values_list("user_id", flat=True))
    StaffContact.objects.bulk_create(
        StaffContact(user=user, mobile=f"19900{i:06d}")
        for i, user in enumerate(sorted(ctx.users.values(), key=lambda u: u.username), start=1)
        if user.pk not in have
    )


def build_mailboxes(ctx: DemoContext) -> None:
    """The portal's addressees in the demo: the county petition bureau and the county head's mailbox,
    both registered by the bureau's clerks, so `make run`'s portal can be written to at once."""
    from xinfang.portal.models import Mailbox

    bureau = ctx.orgs["bureau"]
    for sort, (name, leader, description) in enumerate(
        [
            ("清河县信访局", False, "反映问题、提出建议或投诉请求，由县信访局登记并依法交办、转送"),
            ("县长信箱", True, "写给县长的信，由县信访局登记后呈报并依法办理"),
        ]
    ):
        Mailbox.objects.get_or_create(
            name=name, org=bureau, defaults={"is_leader_mailbox": leader, "description": description, "sort": sort}
        )


# Models an org's system administrator maintains in the admin: the org tree,
# staff and their roles, the work calendar and rule sets, the category list;
# the audit log read-only. Cases are never edited there.
ADMIN_GROUP_PERMS = {
    ("orgs", "org"): ("add", "change", "view"),
    ("orgs", "user"): ("add", "change", "view"),
    ("orgs", "rolegrant"): ("add", "change", "delete", "view"),
    ("orgs", "auditevent"): ("view",),
    ("clock", "calendarday"): ("add", "change", "delete", "view"),
    ("clock", "calendaryear"): ("add", "change", "delete", "view"),
    ("clock", "ruleset"): ("add", "change", "view"),
    ("clock", "clockrule"): ("add", "change", "delete", "view"),
    ("clock", "localtarget"): ("add", "change", "delete", "view"),
    ("clock", "orgruleset"): ("add", "change", "delete", "view"),
    ("clock", "orgrule"): ("view",),
    ("cases", "category"): ("add", "change", "view"),
}


def administrators_group():
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="系统管理员")
    wanted = [f"{verb}_{model}" for (_app, model), verbs in ADMIN_GROUP_PERMS.items() for verb in verbs]
    apps = {app for app, _model in ADMIN_GROUP_PERMS}
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=apps, codename__in=wanted))
    return group


# --- petitioners ------------------------------------------------------------


def build_petitioners(ctx: DemoContext, count: int) -> None:
    from xinfang.petitioners.models import Petitioner, PetitionerKind, PetitionerPhone

    if count <= 0 or ctx.petitioners().exists():
        ctx.created["petitioners"] = 0
        return
    rng = random.Random(SEED)
    fake = ctx.faker()
    villages = _villages(ctx)
    registrars = [(ctx.users[name], weight) for name, weight in REGISTRARS if name in ctx.users]
    users, weights = zip(*registrars, strict=True)
    now = timezone.now()
    seen_ids: set[str] = set()
    seen_names: set[str] = set()

    people, phone_lists, created_ats = [], [], []
    for index in range(count):
        registrar = rng.choices(users, weights)[0]
        is_org = index % 10 == 9  # one in ten is an organisation
        p = Petitioner(org_id=registrar.org_id, created_by=registrar)
        if is_org:
            p.kind = PetitionerKind.ORGANISATION
            p.name = _unique(lambda: f"清河县{rng.choice(TRADE_NAMES)}{rng.choice(TRADES)}", seen_names)
            p.legal_representative = fake.name()
            # A couple carry a mistyped check character, to show the warning.
            p.uscc = demo_uscc(rng, bad_checksum=index in (19, 119))
            p.uscc_checksum_ok = index not in (19, 119)
        else:
            p.kind = PetitionerKind.PERSON
            male = rng.random() < 0.55
            p.name = fake.name_male() if male else fake.name_female()
            if rng.random() < 0.95:  # some visitors come without their card
                p.set_id_number(demo_id_number(rng, male=male, seen=seen_ids))
        if rng.random() < 0.85:
            village_name, village_code = rng.choice(villages)
            p.address = f"浙江省示例市清河县{village_name}{fake.street_name()}{rng.randint(1, 188)}号"
            p.division_code = village_code
        else:
            p.address = fake.address().rsplit(" ", 1)[0]  # drop Faker's postcode
        people.append(p)
        phone_lists.append(_demo_phones(rng, fake))
        created_ats.append(now - timedelta(days=rng.randint(0, 540), minutes=rng.randint(0, 24 * 60)))

    Petitioner.objects.bulk_create(people, batch_size=500)
    # Backdate registration (bulk_update does not apply auto_now_add/auto_now).
    for p, at in zip(people, created_ats, strict=True):
        p.created_at = p.updated_at = at
    Petitioner.objects.bulk_update(people, ["created_at", "updated_at"], batch_size=500)
    phones = []
    for p, numbers in zip(people, phone_lists, strict=True):
        for position, number in enumerate(numbers):
            phone = PetitionerPhone(petitioner=p, position=position)
            phone.set_number(number)
            phones.append(phone)
    PetitionerPhone.objects.bulk_create(phones, batch_size=500)
    ctx.created["petitioners"] = len(people)


def _unique(make: Callable[[], str], seen: set[str]) -> str:
    for _ in range(50):
        value = make()
        if value not in seen:
            break
    seen.add(value)
    return value


def _villages(ctx: DemoContext) -> list[tuple[str, str]]:
    out = []
    for key, name, _code, villages in TOWNSHIPS:
        for index, village in enumerate(villages):
            out.append((f"{name}{village}", ctx.orgs[f"{key}_{index + 1}"].division_code))
    return out


def _demo_phones(rng: random.Random, fake) -> list[str]:
    numbers: list[str] = []
    roll = rng.random()
    if roll < 0.05:
        return numbers  # no phone given
    numbers.append(fake.phone_number())
    if roll > 0.8:
        numbers.append(f"0579-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}")
    if roll > 0.95:
        numbers.append(fake.phone_number())
    return list(dict.fromkeys(numbers))


def demo_id_number(rng: random.Random, *, male: bool, seen: set[str], region: str = COUNTY_CODE) -> str:
    """A synthetic but valid 18-digit ID number (real check digit) for the demo county."""
    start, end = date(1940, 1, 1).toordinal(), date(2005, 12, 31).toordinal()
    while True:
        born = date.fromordinal(rng.randint(start, end))
        seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{region}{born:%Y%m%d}{seq:03d}"
        number = first17 + check_digit(first17)
        if number not in seen:
            seen.add(number)
            return number


_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def demo_uscc(rng: random.Random, *, bad_checksum: bool = False, region: str = COUNTY_CODE) -> str:
    """A synthetic unified social credit code for a company registered in the demo county.

    Layout: 9 (工商) 1 (企业) + region + 9-character organisation code (with
    its GB 11714 check character) + the GB 32100 check character.
    """
    body = "".join(str(rng.randint(0, 9)) for _ in range(8))
    check = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True)) % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = "91" + region + org_code
    last = uscc_check_char(first17)
    if bad_checksum:
        last = CHARSET[(CHARSET.index(last) + 7) % len(CHARSET)]
    return first17 + last


# --- the account table ------------------------------------------------------


def staff_table(ctx: DemoContext) -> list[str]:
    """The demo accounts as aligned text lines (CJK characters are two columns wide)."""
    header = ("用户名", "姓名", "机构", "职务", "角色（数据范围）")
    rows = [header]
    grants: dict[int, list[str]] = {}
    for grant in RoleGrant.objects.filter(user__in=list(ctx.users.values())).order_by("pk"):
        grants.setdefault(grant.user_id, []).append(f"{grant.get_role_display()}（{grant.get_scope_display()}）")
    for username, user in ctx.users.items():
        extra = "，超级用户" if user.is_superuser else ""
        rows.append(
            (username, user.full_name, str(user.org or ""), user.title, "、".join(grants.get(user.pk, [])) + extra)
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]))
    return lines


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
