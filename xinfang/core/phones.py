"""Mainland China phone numbers: mobile, landline and 400/800 service lines.

Phone numbers are how the bureau reaches a petitioner and, like ID numbers,
they are encrypted and looked up by keyed hash (DESIGN §1, principle 3). A
hash only matches if the same number is always written the same way, so
every number is reduced to one canonical form:

* mobile: 11 digits, ``13812345678`` (country code, spaces, hyphens dropped);
* landline: ``0571-87654321`` -- trunk-prefixed area code, hyphen, 7-8 digit
  local number;
* service: ``400-123-4567`` / ``800-123-4567``.

The area code split is not taken from where the person typed a hyphen: the
three-digit area codes are exactly 010 and 02x, every other area code has
four digits, so the split is determined by the digits alone and
``02112345678``, ``021-12345678`` and ``+86 21 1234 5678`` all agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

from xinfang.core.errors import DomainError

__all__ = ["PhoneError", "PhoneKind", "PhoneNumber", "normalize_phone"]

PhoneKind = Literal["mobile", "landline", "service"]

_INVALID_MESSAGE: Final = "请输入有效的手机号码或带区号的固定电话"

# Characters people put between digits; everything else is an error.
_SEPARATORS: Final = re.compile(r"[\s\-()（）.·]")
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
# Area code (with trunk 0) then a 7-8 digit local number that does not start
# with 0: a 0 there means the trunk prefix was typed twice or the split is off.
_LANDLINE_3: Final = re.compile(r"(0[12]\d)([1-9]\d{6,7})")
_LANDLINE_4: Final = re.compile(r"(0[3-9]\d{2})([1-9]\d{6,7})")
_SERVICE: Final = re.compile(r"([48]00)(\d{3})(\d{4})")


class PhoneError(DomainError, ValueError):
    """A value is not a usable phone number; ``str()`` is a Chinese message."""

    field = "phones"

    def __init__(self, message: str = _INVALID_MESSAGE, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number in canonical form, and which kind of line it is."""

    number: str
    kind: PhoneKind

    def __str__(self) -> str:
        return self.number


def normalize_phone(raw: str) -> PhoneNumber:
    """Return the canonical form of a mainland mobile, landline or service number.

    Accepts full-width digits, spaces, hyphens, dots and brackets around the
    area code, and a ``+86`` / ``0086`` / ``86`` country prefix. A bare ``86``
    prefix is only stripped in front of a mobile number, because on its own
    it is indistinguishable from the start of a local number.

    Raises :class:`PhoneError`; numbers with extensions are rejected rather
    than silently truncated.
    """
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if not value:
        raise PhoneError("请输入电话号码", code="empty")
    international = False
    if value.startswith("+"):
        value = value[1:]
        if not value.startswith("86"):
            raise PhoneError("仅支持中国大陆电话号码", code="foreign")
        value, international = value[2:], True
    elif value.startswith("0086"):
        value, international = value[4:], True
    elif value.startswith("86") and _MOBILE.fullmatch(value[2:]):
        value = value[2:]
    if not (value.isascii() and value.isdigit()):
        raise PhoneError()

    if _MOBILE.fullmatch(value):
        return PhoneNumber(value, "mobile")
    if match := _SERVICE.fullmatch(value):
        return PhoneNumber("-".join(match.groups()), "service")
    if international and not value.startswith("0"):
        # +86 is followed by the area code without its trunk prefix 0.
        value = "0" + value
    if match := (_LANDLINE_3.fullmatch(value) or _LANDLINE_4.fullmatch(value)):
        return PhoneNumber("-".join(match.groups()), "landline")
    if value.startswith("1") and len(value) != 11:
        raise PhoneError("手机号码应为11位", code="invalid")
    raise PhoneError()
