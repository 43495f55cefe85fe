"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Organisations that petition (companies, associations, village committees)
are identified by this 18-character code. DESIGN §5 makes a checksum
failure a *warning*, not a rejection: registrars copy codes from paper,
some older certificates carry codes that predate strict checking, and
refusing to register a petition because of an identifier typo would deny
the petitioner's right to be registered. Wrong length or impossible
characters are still rejected because such a value cannot be a code at all.

Layout::

    A B RRRRRR OOOOOOOOO C
    | | |      |         check character (modulo 31)
    | | |      organisation code (GB 11714, includes its own check digit)
    | | administrative division code of the registration authority
    | organisation type
    registration authority

The alphabet is the digits plus 21 upper-case letters; I, O, Z, S and V are
excluded because they are easily confused with 1, 0, 2, 5 and U.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from xinfang.core._text import fold
from xinfang.core.errors import DomainError

__all__ = ["CHARSET", "UsccError", "UsccResult", "uscc_check_char", "validate_uscc"]

#: The 31 code characters, in value order (a character's index is its value).
CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES: Final = {ch: value for value, ch in enumerate(CHARSET)}
_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LENGTH: Final = 18


class UsccError(DomainError, ValueError):
    """A value cannot be a unified social credit code (length or characters).

    ``str(error)`` is a Chinese message for the form field; ``code`` is
    ``'empty'``, ``'length'`` or ``'chars'``.
    """

    field = "uscc"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class UsccResult:
    """A well-formed code and what validation found about it.

    ``code`` is normalised (upper case, no spaces) even when ``checksum_ok`` is
    false, so the record stores what the registrar meant to type and staff can
    correct it later; ``warnings`` holds Chinese messages to show them.
    """

    code: str
    checksum_ok: bool
    warnings: list[str] = field(default_factory=list)


def uscc_check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of a code.

    Raises :class:`UsccError` if ``first17`` is not 17 valid code characters.
    """
    if len(first17) != _LENGTH - 1:
        raise UsccError("length", "计算校验码需要统一社会信用代码的前17位")
    _check_chars(first17)
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    remainder = 31 - total % 31
    return CHARSET[0 if remainder == 31 else remainder]


def validate_uscc(raw: str) -> UsccResult:
    """Normalise ``raw`` and check it as a unified social credit code.

    Raises :class:`UsccError` for an empty value, a length other than 18 or a
    character outside the code alphabet. A wrong check character is reported
    through ``checksum_ok=False`` and a warning instead of an exception.
    """
    value = fold(raw)
    if not value:
        raise UsccError("empty", "请输入统一社会信用代码")
    if len(value) != _LENGTH:
        raise UsccError("length", "统一社会信用代码应为18位")
    _check_chars(value)
    checksum_ok = uscc_check_char(value[:17]) == value[17]
    warnings = [] if checksum_ok else ["统一社会信用代码校验位不符，请核对是否录入有误"]
    return UsccResult(code=value, checksum_ok=checksum_ok, warnings=warnings)


def _check_chars(value: str) -> None:
    invalid = sorted({ch for ch in value if ch not in _VALUES})
    if invalid:
        shown = "、".join(invalid)
        raise UsccError(
            "chars",
            f"统一社会信用代码含有无效字符：{shown}（只能包含数字和除I、O、Z、S、V以外的大写字母）",
        )
