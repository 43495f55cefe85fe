"""PRC resident identity numbers (居民身份证号码, GB 11643-1999).

The petitioner register keys people by their ID number (DESIGN §5), so a
mistyped number would split one person into two records and break repeat
detection. Every number is therefore normalised to the canonical 18-character
form and fully validated before it is stored, encrypted or hashed.

Layout of the 18-character form::

    RRRRRR YYYYMMDD SSS C
    region birth    seq check (ISO 7064 MOD 11-2; 'X' stands for 10)

The odd/even parity of the sequence number's last digit encodes sex. The
legacy 15-digit form (issued until 1999) has a two-digit year and no check
digit; it converts by inserting ``19`` before the year and computing the check
digit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Final, Literal

from xinfang.core._text import fold
from xinfang.core.errors import DomainError

__all__ = [
    "IdNumberError",
    "IdNumberErrorCode",
    "birth_date",
    "check_digit",
    "is_valid_id_number",
    "normalize_id_number",
    "sex",
]

IdNumberErrorCode = Literal["empty", "length", "chars", "region", "birth_date", "checksum"]

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Index = weighted sum mod 11, value = check character (ISO 7064 MOD 11-2).
_CHECK_CHARS: Final = "10X98765432"

# First two digits of the administrative division code (GB/T 2260): the 31
# mainland provinces plus 71 Taiwan, 81 Hong Kong, 82 Macao, 83 (numbers on
# residence permits for Hong Kong, Macao and Taiwan residents) and 91
# (historically used for residents abroad).
_PROVINCE_CODES: Final = frozenset(
    {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
        91,
    }
)

_EARLIEST_BIRTH: Final = date(1900, 1, 1)
# "Today" for the birth-date bound is China's date whatever the server's zone;
# China has used UTC+8 without daylight saving since 1992.
_CHINA_TZ: Final = timezone(timedelta(hours=8), "CST")


class IdNumberError(DomainError, ValueError):
    """An ID number failed validation.

    ``str(error)`` is a Chinese message fit to show next to the form field;
    ``code`` tells callers (forms, the API, import jobs) which rule failed
    without parsing the message.
    """

    field = "id_number"

    def __init__(self, code: IdNumberErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: IdNumberErrorCode = code
        self.message = message


def check_digit(first17: str) -> str:
    """Return the check character ('0'-'9' or 'X') for the first 17 digits.

    Raises :class:`IdNumberError` if ``first17`` is not exactly 17 ASCII
    digits, because a check digit over anything else is meaningless.
    """
    if len(first17) != 17:
        raise IdNumberError("length", "计算校验位需要身份证号码的前17位数字")
    if not _is_ascii_digits(first17):
        raise IdNumberError("chars", "身份证号码前17位只能是数字")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Return ``raw`` as a validated 18-character ID number.

    Accepts surrounding or embedded spaces, full-width characters, a lower-case
    ``x`` and the legacy 15-digit form. ``today`` bounds the birth date and
    exists so tests (and back-dated imports) can pin the clock; it defaults to
    the current date in China (UTC+8).

    Raises :class:`IdNumberError` naming the first rule that fails, checked in
    the order length, characters, region, birth date, checksum -- the order in
    which a person re-reading the card would find the mistake.
    """
    value = fold(raw)
    if not value:
        raise IdNumberError("empty", "请输入身份证号码")
    if len(value) == 15:
        if not _is_ascii_digits(value):
            raise IdNumberError("chars", "15位旧身份证号码只能包含数字")
        first17 = value[:6] + "19" + value[6:]
        _check_region(first17)
        _parse_birth_date(first17, today)
        return first17 + check_digit(first17)
    if len(value) != 18:
        raise IdNumberError("length", "身份证号码应为18位（或15位旧号码）")
    first17, given_check = value[:17], value[17]
    if not _is_ascii_digits(first17) or not (_is_ascii_digits(given_check) or given_check == "X"):
        raise IdNumberError("chars", "身份证号码只能包含数字，最后一位可以是X")
    _check_region(first17)
    _parse_birth_date(first17, today)
    if check_digit(first17) != given_check:
        raise IdNumberError("checksum", "身份证号码校验位错误，请核对")
    return value


def is_valid_id_number(raw: str, *, today: date | None = None) -> bool:
    """Return whether ``raw`` normalises to a valid ID number."""
    try:
        normalize_id_number(raw, today=today)
    except IdNumberError:
        return False
    return True


def birth_date(id_number: str) -> date:
    """Return the birth date encoded in an ID number.

    The number is normalised first, so 15-digit numbers work and an invalid
    number raises :class:`IdNumberError` rather than yielding a wrong date.
    """
    return _parse_birth_date(normalize_id_number(id_number), None)


def sex(id_number: str) -> Literal["M", "F"]:
    """Return 'M' or 'F' from the parity of the 17th digit (odd is male).

    The number is normalised first; an invalid number raises
    :class:`IdNumberError`.
    """
    return "M" if int(normalize_id_number(id_number)[16]) % 2 else "F"


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() accepts superscripts and other scripts' digits; int() of
    # those either fails or silently means something else.
    return value.isascii() and value.isdigit()


def _check_region(first17: str) -> None:
    if int(first17[:2]) not in _PROVINCE_CODES:
        raise IdNumberError("region", "身份证号码前两位不是有效的省级行政区划代码")


def _parse_birth_date(first17: str, today: date | None) -> date:
    digits = first17[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError("birth_date", "身份证号码出生日期无效") from None
    if born < _EARLIEST_BIRTH:
        raise IdNumberError("birth_date", "身份证号码出生日期无效（早于1900年）")
    if born > (today or datetime.now(_CHINA_TZ).date()):
        raise IdNumberError("birth_date", "身份证号码出生日期无效（晚于今天）")
    return born
