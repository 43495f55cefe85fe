"""The one case filter: the workbench's filter form and the API's list parameters both become a CaseFilter.

``apply`` narrows a queryset that already went through the access layer
(``scoped_cases``); it never widens it. The text search ``q`` matches the
case number and summary, and the petitioner: by name, or by an exact ID or
phone number through the keyed hashes (never a scan of plaintext). A look-up
by number is a reveal-class operation: only roles that may see personal data
use it, and each one is written to the security audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, OuterRef, Q

from xinfang.cases import due
from xinfang.core import clock

SORTS = {
    "due": (F("due_date").asc(nulls_last=True), "received_at", "pk"),
    "-due": (F("due_date").desc(nulls_last=True), "-received_at", "-pk"),
    "received": ("received_at", "pk"),
    "-received": ("-received_at", "-pk"),
}

REVERSED_RANGE = "收件日期的截止日早于起始日，请检查"


@dataclass
class CaseFilter:
    q: str = ""
    status: list[str] = field(default_factory=list)
    channel: str = ""
    kind: str = ""
    category: int | str | None = None  # a category id (workbench) or code (API); a first level includes its children
    urgency: str = ""
    importance: str = ""
    current_org: int | None = None
    # An org whose subtree handles the case (its competent org, else where it is now): how statistics
    # put a case under a unit, so a figure for a county or a township can link to the cases behind it.
    unit: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    due: str = ""  # overdue | due_soon | paused | provisional
    sort: str = "due"
    # An exact ID or phone number of a petitioner: only ever from a POST body, never a URL.
    person_number: str = ""


@dataclass
class Applied:
    """What apply() did with the text query, for the page to say (e.g. why a number found nothing)."""

    hint: str = ""


def apply(qs, f: CaseFilter, *, actor=None, request=None, today: date | None = None, applied: Applied | None = None):
    today = today or clock.today()
    if f.status:
        qs = qs.filter(status__in=f.status)
    for name in ("channel", "kind", "urgency", "importance"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.category not in (None, ""):
        if isinstance(f.category, int):
            qs = qs.filter(Q(category_id=f.category) | Q(category__parent_id=f.category))
        else:
            qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.current_org:
        qs = qs.filter(current_org_id=f.current_org)
    if f.unit:
        qs = qs.filter(_unit_q(f.unit))
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.due:
        q = due.filter_q(f.due, today)
        if q is not None:
            qs = qs.filter(q)
    text = (f.q or "").strip()
    if text:
        qs = qs.filter(_text_q(text, applied=applied))
    if f.person_number.strip():
        qs = qs.filter(_number_q(f.person_number, actor=actor, request=request, applied=applied))
    return qs.order_by(*SORTS.get(f.sort, SORTS["due"]))


def _unit_q(org_id: int) -> Q:
    from xinfang.orgs.models import Org

    path = Org.objects.filter(pk=org_id).values_list("path", flat=True).first()
    if path is None:
        return Q(pk__in=[])
    return Q(competent_org__path__startswith=path) | Q(competent_org__isnull=True, current_org__path__startswith=path)


NUMBER_IN_URL_HINT = "身份证号码、电话号码请在“按号码查找”中输入（号码不放在网址中）；此处只按编号、摘要和姓名查找"
NUMBER_NOT_ALLOWED = "按身份证号码或电话号码查找信访件仅限可查看个人信息的角色（登记员、受理交办员、承办人、负责人）"
RATE_LIMITED_PREFIX = "按号码查找过于频繁"


def _links():
    from xinfang.cases.models import CasePetitioner

    return CasePetitioner.objects.filter(case=OuterRef("pk"))


def _text_q(text: str, *, applied: Applied | None) -> Q:
    from xinfang.petitioners.search import parse_query

    parsed = parse_query(text)
    plain = Q(summary__icontains=text) | Q(number__icontains=text)
    if parsed.kind in ("id_number", "phone") and applied is not None:
        applied.hint = NUMBER_IN_URL_HINT
    if parsed.kind == "name":
        return plain | Q(Exists(_links().filter(petitioner__name__icontains=text)))
    return plain


def _number_q(number: str, *, actor, request, applied: Applied | None) -> Q:
    """Cases of the petitioner with this exact ID or phone number (keyed hash), audited."""
    from xinfang.core.errors import DomainError
    from xinfang.petitioners import crypto, lookups
    from xinfang.petitioners.models import PetitionerPhone
    from xinfang.petitioners.search import parse_query

    nothing = Q(pk__in=[])
    user = getattr(actor, "user", actor)
    if user is None or not user.can_reveal_pii():
        if applied is not None:
            applied.hint = NUMBER_NOT_ALLOWED
        return nothing
    parsed = parse_query(number)
    if parsed.kind not in ("id_number", "phone"):
        if applied is not None:
            applied.hint = parsed.hint or "请输入完整的身份证号码或电话号码"
        return nothing
    digest = crypto.hash_value(parsed.value)
    try:
        lookups.authorize(user, kind=parsed.kind, digest=digest, purpose="查找信访人的信访件", request=request)
    except DomainError as refused:
        if applied is not None:
            applied.hint = refused.message
        return nothing
    if parsed.kind == "id_number":
        return Q(Exists(_links().filter(petitioner__id_number_hash=digest)))
    phones = PetitionerPhone.objects.filter(number_hash=digest).values("petitioner_id")
    return Q(Exists(_links().filter(petitioner_id__in=phones)))
