"""/cards: the accountability register (黄牌/红牌) of the units in the caller's scope; a supervisor revokes."""

from datetime import datetime
from typing import Literal

from ninja import Field, P, PathEx, Query, Router, Schema

from xinfang.api import schemas as s
from xinfang.cases.access import scoped_cases
from xinfang.cases.inputs import MAX_ID
from xinfang.escalation.cards import revoke_card, scoped_cards
from xinfang.escalation.models import AccountabilityCard

router = Router(tags=["问责登记"])

CardId = PathEx[int, P(ge=1, le=MAX_ID, description="问责记录 ID")]


class CardOut(Schema):
    id: int
    org_id: int
    org_name: str
    color: str = Field(description="yellow 黄牌警告；red 红牌警告")
    color_label: str
    case_id: int | None = Field(description="信访件 ID（调用者无权查看该信访件时为空）")
    case_number: str | None
    rule: str | None = Field(description="升级规则代码（红牌为空）")
    source: str = Field(description="期限来源：期限代码或督办类型代码")
    due_date: str | None
    reason: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


class CardListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CardOut]


class CardFilters(Schema):
    org: int | None = Field(None, ge=1, le=MAX_ID, description="单位 ID")
    color: Literal["yellow", "red"] | None = Field(None, description="yellow 黄牌警告；red 红牌警告")
    revoked: bool | None = Field(None, description="true：只列已撤销；false：只列有效")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=s.MAX_OFFSET)


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=200, description="撤销理由")


def _out(card: AccountabilityCard, visible: set[int]) -> dict:
    shown = card.case_id in visible
    return {
        "id": card.pk,
        "org_id": card.org_id,
        "org_name": card.org.name,
        "color": card.color,
        "color_label": card.get_color_display(),
        "case_id": card.case_id if shown else None,
        "case_number": card.case.number if shown and card.case is not None else None,
        "rule": card.rule.code if card.rule is not None else None,
        "source": card.source,
        "due_date": card.due_date.isoformat() if card.due_date else None,
        "reason": card.reason,
        "issued_at": card.issued_at,
        "revoked_at": card.revoked_at,
        "revoke_reason": card.revoke_reason,
    }


def _visible(user, cards) -> set[int]:
    ids = {c.case_id for c in cards if c.case_id}
    return set(scoped_cases(user).filter(pk__in=ids).values_list("pk", flat=True))


@router.get("/cards", response={200: CardListOut, **s.ERRORS}, summary="问责登记簿", operation_id="list_cards")
def list_cards(request, filters: Query[CardFilters]):
    """调用者数据范围内各单位的黄牌、红牌（新→旧）。只针对单位，不针对信访人。"""
    qs = scoped_cards(request.auth).select_related("org", "case", "rule").order_by("-issued_at", "-pk")
    if filters.org:
        qs = qs.filter(org_id=filters.org)
    if filters.color:
        qs = qs.filter(color=filters.color)
    if filters.revoked is not None:
        qs = qs.filter(revoked_at__isnull=not filters.revoked)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    visible = _visible(request.auth, page)
    return {
        "count": qs.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_out(c, visible) for c in page],
    }


@router.post(
    "/cards/{int:card_id}/revoke",
    response={200: CardOut, **s.ERRORS},
    summary="撤销黄牌或红牌",
    operation_id="revoke_card",
)
def revoke(request, card_id: CardId, payload: RevokeIn):
    """督查员撤销其数据范围内单位的一条问责记录，须写明理由。范围外的与不存在的一样返回 404。"""
    card = revoke_card(card_id, actor=request.auth, reason=payload.reason)
    card = AccountabilityCard.objects.select_related("org", "case", "rule").get(pk=card.pk)
    return _out(card, _visible(request.auth, [card]))
