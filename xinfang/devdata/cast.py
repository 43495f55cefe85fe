"""The fixed cast of orgs and users that tests share.

Two counties under one city: 清河县 (ours) and 远山县 (the other org). Each
test names behaviour against these people, and "the other org" must always
get a 404.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from xinfang.orgs.models import DataScope, Org, OrgKind, OrgLevel, RoleGrant, User

PASSWORD = "xinfang-test-pw"


@dataclass
class Cast:
    city: Org
    city_bureau: Org
    county: Org
    bureau: Org
    dept: Org  # 自然资源局: a competent department
    dept2: Org  # 住房和城乡建设局
    township: Org
    village: Org
    other_county: Org
    other_bureau: Org
    other_dept: Org
    registrar: User
    officer: User
    handler: User
    handler2: User
    dept_officer: User
    unit_head: User
    leader: User
    supervisor: User
    statistician: User
    admin: User
    city_officer: User
    other_registrar: User
    other_officer: User
    nobody: User  # logged in, no roles: must see nothing


def make_org(name, kind, level, code, parent=None, short=""):
    return Org.objects.create(name=name, short_name=short, kind=kind, level=level, division_code=code, parent=parent)


def make_user(username, org, *roles, scope=None, full_name=""):
    user = User.objects.create_user(username=username, password=PASSWORD, org=org, full_name=full_name or username)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role, scope=scope or "")
    return user


def build_cast() -> Cast:
    k, lv = OrgKind, OrgLevel
    city = make_org("示例市人民政府", k.GOVERNMENT, lv.CITY, "330700")
    city_bureau = make_org("示例市信访局", k.PETITION_BUREAU, lv.CITY, "330700", city)
    county = make_org("清河县人民政府", k.GOVERNMENT, lv.COUNTY, "330781", city)
    bureau = make_org("清河县信访局", k.PETITION_BUREAU, lv.COUNTY, "330781", county)
    dept = make_org("清河县自然资源局", k.DEPARTMENT, lv.COUNTY, "330781", county)
    dept2 = make_org("清河县住房和城乡建设局", k.DEPARTMENT, lv.COUNTY, "330781", county)
    township = make_org("清河县东岗镇人民政府", k.GOVERNMENT, lv.TOWNSHIP, "330781101", county)
    village = make_org("东岗镇前村村民委员会", k.VILLAGE_COMMITTEE, lv.VILLAGE, "330781101201", township)
    other_county = make_org("远山县人民政府", k.GOVERNMENT, lv.COUNTY, "330782", city)
    other_bureau = make_org("远山县信访局", k.PETITION_BUREAU, lv.COUNTY, "330782", other_county)
    other_dept = make_org("远山县自然资源局", k.DEPARTMENT, lv.COUNTY, "330782", other_county)
    return Cast(
        city=city,
        city_bureau=city_bureau,
        county=county,
        bureau=bureau,
        dept=dept,
        dept2=dept2,
        township=township,
        village=village,
        other_county=other_county,
        other_bureau=other_bureau,
        other_dept=other_dept,
        registrar=make_user("registrar", bureau, "registrar"),
        officer=make_user("officer", bureau, "petition_officer"),
        handler=make_user("handler", dept, "handler"),
        handler2=make_user("handler2", dept2, "handler"),
        dept_officer=make_user("dept_officer", dept, "petition_officer"),
        unit_head=make_user("unit_head", dept, "unit_head"),
        leader=make_user("leader", county, "leader", scope=DataScope.SUBTREE),
        supervisor=make_user("supervisor", bureau, "supervisor", scope=DataScope.SUBTREE),
        statistician=make_user("statistician", bureau, "statistician", scope=DataScope.SUBTREE),
        admin=make_user("admin", bureau, "administrator"),
        city_officer=make_user("city_officer", city_bureau, "petition_officer"),
        other_registrar=make_user("other_registrar", other_bureau, "registrar"),
        other_officer=make_user("other_officer", other_bureau, "petition_officer"),
        nobody=make_user("nobody", bureau),
    )


# --- built once per test process --------------------------------------------------------------
#
# Building the cast goes through Org.save (materialised paths) and create_user
# (password hashing) for every row. Each test needs the same rows afresh (its
# transaction is rolled back, or a transactional test flushes the tables), so
# the first build is remembered as plain row values and every later test puts
# the same rows back with three bulk inserts, under the same primary keys.

_ROWS: list[tuple[type[models.Model], list[Mapping[str, Any]]]] | None = None
_FIELDS: dict[str, tuple[type[models.Model], int]] = {}


def _snapshot(cast: Cast) -> None:
    global _ROWS
    from dataclasses import fields

    orgs = [getattr(cast, f.name) for f in fields(cast) if f.type in ("Org", Org)]
    users = [getattr(cast, f.name) for f in fields(cast) if f.type in ("User", User)]
    _ROWS = [
        (Org, list(Org.objects.filter(pk__in=[o.pk for o in orgs]).order_by("path").values())),
        (User, list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk").values())),
        (RoleGrant, list(RoleGrant.objects.filter(user__in=users).order_by("pk").values())),
    ]
    _FIELDS.clear()
    for f in fields(cast):
        obj = getattr(cast, f.name)
        _FIELDS[f.name] = (type(obj), obj.pk)


def shared_cast() -> Cast:
    """The cast for one test: built the first time in this process, restored from its rows after."""
    if _ROWS is None or Org.objects.filter(pk__in=[pk for model, pk in _FIELDS.values() if model is Org]).exists():
        cast = build_cast()
        _snapshot(cast)
        return cast
    for model, rows in _ROWS:
        model._default_manager.bulk_create([model(**row) for row in rows])  # objects, for these three models
    by_model: dict[type, dict] = {}
    for model in (Org, User):
        by_model[model] = model.objects.in_bulk([pk for m, pk in _FIELDS.values() if m is model])
    return Cast(**{name: by_model[model][pk] for name, (model, pk) in _FIELDS.items()})
