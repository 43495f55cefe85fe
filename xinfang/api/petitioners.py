"""/petitioners: find (masked values only) and register petitioners.

The registry records staff accounts, so these endpoints act as the token's
account (``request.user``), for an integration token too (``request.auth`` is
then an Actor, which the case endpoints take).
"""

from ninja import Field, Query, Router, Schema, Status

from xinfang.api import schemas as s
from xinfang.api.serializers import petitioner_dict
from xinfang.petitioners.search import search_queryset
from xinfang.petitioners.services import register_or_reuse

router = Router(tags=["信访人"])
ERRORS = s.ERRORS


class RegisteredOut(s.PetitionerOut):
    existing: bool = Field(
        description="true：该身份证号码已在本辖区登记，未新建，返回的是已有记录（HTTP 200）；false：新登记（HTTP 201）"
    )
    message: str = Field(description="中文说明")


class SearchQuery(Schema):
    q: str = Field("", max_length=100, description="身份证号码、电话、统一社会信用代码或姓名；为空时列出最近登记的")
    limit: int = Field(20, ge=1, le=100)


def _search(user, q, limit, *, request, from_url):
    parsed, qs = search_queryset(user, q, purpose="接口查找信访人", request=request, from_url=from_url)
    if parsed.kind == "empty":
        qs = qs.order_by("-created_at", "-pk")
    rows = list(qs[:limit])
    return {"kind": parsed.kind, "hint": parsed.hint, "count": len(rows), "items": [petitioner_dict(p) for p in rows]}


@router.get(
    "/petitioners",
    response={200: s.PetitionerSearchOut, **ERRORS},
    summary="查找信访人",
    operation_id="search_petitioners",
)
def search(request, params: Query[SearchQuery]):
    """在当前用户有权查看的信访人中按姓名、统一社会信用代码查找，结果只含脱敏值。

    身份证号码和电话不能放在网址中：用 POST /petitioners/search（返回 422）。"""
    return _search(request.user, params.q, params.limit, request=request, from_url=True)


@router.post(
    "/petitioners/search",
    response={200: s.PetitionerSearchOut, **ERRORS, 429: s.ErrorOut},
    summary="查找信访人（号码不进网址）",
    operation_id="search_petitioners_post",
)
def search_post(request, body: s.PetitionerSearchIn):
    return _search(request.user, body.q, body.limit, request=request, from_url=False)


@router.post(
    "/petitioners",
    response={200: RegisteredOut, 201: RegisteredOut, **ERRORS},
    summary="登记信访人",
    operation_id="register_petitioner",
)
def register(request, body: s.PetitionerIn):
    """登记员、受理交办员为本单位登记信访人；号码加密保存，返回脱敏值。

    身份证号码已在本辖区（本级人民政府及其下级，信访部门为其所属人民政府）登记过的，不重复登记：
    返回 200 和已有记录（`existing` 为 true），此后可用其 `id` 登记信访件；所填其他内容不写入已有记录。
    新登记的返回 201。"""
    outcome = register_or_reuse(
        actor=request.user,
        kind=body.kind,
        name=body.name,
        id_number=body.id_number,
        phones=body.phones,
        address=body.address,
        division_code=body.division_code,
        uscc=body.uscc,
        legal_representative=body.legal_representative,
    )
    if outcome.match is None:  # a new petitioner (outcome.created, narrowed for the type checker)
        return Status(201, {**petitioner_dict(outcome.petitioner), "existing": False, "message": "已登记信访人"})
    message = f"{outcome.match.notice}，未重复登记"
    return Status(200, {**petitioner_dict(outcome.petitioner), "existing": True, "message": message})
