"""/notifications: the caller's own inbox (list, mark read). Nobody reads another's."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from xinfang.api import schemas as s
from xinfang.notifications.models import Notification
from xinfang.notifications.services import mark_read, unread_count

router = Router(tags=["消息"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="消息类型代码，如 case.routed")
    kind_label: str
    title: str
    body: str
    url: str = Field(description="相关页面（如信访件）的站内路径")
    case_id: int | None
    case_number: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationListOut(Schema):
    count: int
    unread: int = Field(description="未读总数（不受筛选影响）")
    limit: int
    offset: int
    items: list[NotificationOut]


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true：只列未读；false：只列已读")
    kind: str | None = Field(None, max_length=60, description="消息类型代码")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=s.MAX_OFFSET)


class MarkedOut(Schema):
    marked: int = Field(description="本次标为已读的条数")
    unread: int


def _out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind.code,
        "kind_label": n.kind.label,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "case_id": n.case_id,
        "case_number": n.case.number if n.case is not None else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def _mine(user):
    return Notification.objects.filter(user=user).select_related("kind", "case")


@router.get(
    "/notifications",
    response={200: NotificationListOut, **s.ERRORS},
    summary="我的消息",
    operation_id="list_notifications",
)
def list_notifications(request, filters: Query[NotificationFilters]):
    """当前用户自己的消息（新→旧），可按是否已读、类型筛选。"""
    qs = _mine(request.auth).order_by("-created_at", "-pk")
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    if filters.kind:
        qs = qs.filter(kind__code=filters.kind)
    page = qs[filters.offset : filters.offset + filters.limit]
    return {
        "count": qs.count(),
        "unread": unread_count(request.auth),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_out(n) for n in page],
    }


@router.post(
    "/notifications/{int:notification_id}/read",
    response={200: NotificationOut, **s.ERRORS},
    summary="标为已读",
    operation_id="read_notification",
)
def read_notification(request, notification_id: s.NotificationId):
    """把自己的一条消息标为已读（已读的不变）。别人的消息与不存在的一样返回 404。"""
    if not _mine(request.auth).filter(pk=notification_id).exists():
        raise Http404
    mark_read(request.auth, [notification_id])
    return _out(_mine(request.auth).get(pk=notification_id))


@router.post(
    "/notifications/read-all",
    response={200: MarkedOut, **s.ERRORS},
    summary="全部标为已读",
    operation_id="read_all_notifications",
)
def read_all_notifications(request):
    """把自己的全部未读消息标为已读。"""
    marked = mark_read(request.auth)
    return {"marked": marked, "unread": unread_count(request.auth)}
