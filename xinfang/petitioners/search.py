"""Finding petitioners from one search box: ID number, phone, USCC or name.

The kind of query is detected from its shape, because the registrar types
whatever the petitioner hands over (a card, a phone number, a name):

* 15 or 18 characters of ID-number shape → exact match on the keyed hash of
  the normalised number (a 15-digit number finds its 18-digit record);
* an 18-character code with letters → unified social credit code, exact;
* digits with phone punctuation → exact match on the phone hash;
* anything else → name, prefix first, then contains.

ID and phone numbers are encrypted, so partial numbers cannot be searched;
the caller gets a hint saying so rather than a silent empty list. Every
query starts from ``scoped_petitioners``: search never widens access.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.db.models import Case, IntegerField, QuerySet, Value, When

from xinfang.core._text import fold
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.core.uscc import UsccError, validate_uscc
from xinfang.petitioners import crypto, lookups
from xinfang.petitioners.access import scoped_petitioners
from xinfang.petitioners.models import Petitioner, PetitionerPhone

__all__ = ["ParsedQuery", "parse_query", "search_petitioners", "search_queryset"]

QueryKind = Literal["empty", "id_number", "phone", "uscc", "name", "invalid"]

MAX_QUERY_LENGTH = 100

_ID_SHAPE = re.compile(r"\d{15}|\d{17}[\dX]")
_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")
# Digits and what people put between them when writing a phone number.
_PHONE_SHAPE = re.compile(r"\+?[\d\-().·]+")

HINTS = {
    "id_number": "按身份证号码精确查找",
    "phone": "按电话号码精确查找",
    "uscc": "按统一社会信用代码查找",
    "name": "按姓名或名称查找",
    "partial_number": "身份证号码和电话号码加密保存，只能输入完整号码查找",
}


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    value: str = ""  # normalised; for numbers never shown back to the user
    hint: str = ""  # Chinese: how the query was understood, or why it cannot be searched

    @property
    def is_sensitive(self) -> bool:
        """True when the query is (or looks like) an ID or phone number.

        Views use it to keep such queries out of URLs and browser history.
        """
        return self.kind in ("id_number", "phone", "invalid")


def parse_query(q: str | None) -> ParsedQuery:
    text = unicodedata.normalize("NFKC", (q or "")).strip()[:MAX_QUERY_LENGTH]
    if not text:
        return ParsedQuery("empty")
    folded = fold(text)
    if _ID_SHAPE.fullmatch(folded):
        try:
            return ParsedQuery("id_number", normalize_id_number(folded), HINTS["id_number"])
        except IdNumberError as error:
            if len(folded) == 18 and _uscc_ok(folded):
                return ParsedQuery("uscc", folded, HINTS["uscc"])
            return ParsedQuery("invalid", "", error.message)
    if _USCC_SHAPE.fullmatch(folded) and not folded.isdigit():
        try:
            return ParsedQuery("uscc", validate_uscc(folded).code, HINTS["uscc"])
        except UsccError as error:
            return ParsedQuery("invalid", "", error.message)
    digits = folded.rstrip("X")
    if digits.isdigit() and len(folded) >= 16:
        # Too long for any phone number: an ID number with a digit too many or too few.
        return ParsedQuery("invalid", "", f"身份证号码应为18位（或15位旧号码），现为{len(folded)}位")
    if _PHONE_SHAPE.fullmatch(folded) and any(ch.isdigit() for ch in folded):
        try:
            return ParsedQuery("phone", normalize_phone(text).number, HINTS["phone"])
        except PhoneError:
            return ParsedQuery("invalid", "", HINTS["partial_number"])
    return ParsedQuery("name", " ".join(text.split()), HINTS["name"])


def _uscc_ok(value: str) -> bool:
    try:
        return validate_uscc(value).checksum_ok
    except UsccError:
        return False


def search_queryset(
    user, q: str | None, *, purpose: str = "查找信访人", request=None, from_url: bool = False
) -> tuple[ParsedQuery, QuerySet[Petitioner]]:
    """The parsed query and the (unsliced) matching petitioners within the user's scope.

    An empty query matches every petitioner in scope, newest first, which is
    what the list page shows before anything is typed. An exact ID or phone
    number is a reveal-class look-up (``lookups.authorize``: roles that may
    reveal, audited, rate-limited) and is refused when it came in a URL
    (``from_url``); a refusal raises a DomainError with the reason.
    """
    parsed = parse_query(q)
    qs = scoped_petitioners(user).select_related("org").prefetch_related("phones")
    if parsed.kind in ("id_number", "phone"):
        if from_url:
            raise lookups.NumberInUrl(lookups.NUMBER_IN_URL, field="q")
        lookups.authorize(
            user, kind=parsed.kind, digest=crypto.hash_value(parsed.value), purpose=purpose, request=request
        )
    match parsed.kind:
        case "empty":
            return parsed, qs
        case "invalid":
            return parsed, qs.none()
        case "id_number":
            qs = qs.filter(id_number_hash=crypto.hash_value(parsed.value))
        case "phone":
            # A subquery, not a join, so a petitioner with the number twice
            # (or two matching rows) is still listed once.
            owners = PetitionerPhone.objects.filter(number_hash=crypto.hash_value(parsed.value))
            qs = qs.filter(pk__in=owners.values("petitioner_id"))
        case "uscc":
            qs = qs.filter(uscc=parsed.value)
        case "name":
            name = parsed.value
            if len(name) == 1:
                # One character is a surname: "contains" would match half the register.
                return parsed, qs.filter(name__startswith=name).order_by("name", "-pk")
            qs = qs.filter(name__contains=name).annotate(
                _rank=Case(When(name__startswith=name, then=Value(0)), default=Value(1), output_field=IntegerField())
            )
            return parsed, qs.order_by("_rank", "name", "-pk")
    return parsed, qs


def search_petitioners(
    user, q: str | None, limit: int = 20, *, purpose: str = "查找信访人", request=None, from_url: bool = False
) -> list[Petitioner]:
    """Up to ``limit`` petitioners matching ``q`` that ``user`` may see.

    The entry point for other apps (e.g. case registration's petitioner
    picker). An empty or unsearchable query returns an empty list; a refused
    number look-up raises (see ``search_queryset``).
    """
    parsed, qs = search_queryset(user, q, purpose=purpose, request=request, from_url=from_url)
    if parsed.kind == "empty":
        return []
    return list(qs[: max(0, limit)])
