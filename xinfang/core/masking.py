"""Masked display of petitioner personal data.

DESIGN §1 principle 3: personal data is masked by default and every reveal
is logged. These helpers produce the default view. They keep just enough to
let staff tell two records apart (the region of an ID number, the last four
digits of a phone) and never reveal more because an input is unusually
short: when the kept parts would cover the whole value, everything is
masked. Each mask character replaces exactly one input character, so the
masked value has the original length, which staff use as a plausibility cue.

All functions accept ``None`` or ``""`` and return ``""`` so templates can
call them on optional fields.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MASK_CHAR", "mask_id_number", "mask_name", "mask_phone", "mask_uscc"]

MASK_CHAR: Final = "*"
_PHONE_SEPARATORS: Final = frozenset("- ")


def mask_id_number(value: str | None) -> str:
    """Mask an ID number, keeping the first 6 (region) and last 4 characters.

    ``'11010519491231002X'`` becomes ``'110105********002X'``; the birth date
    and sequence number are hidden.
    """
    return _mask_middle((value or "").strip(), keep_first=6, keep_last=4)


def mask_uscc(value: str | None) -> str:
    """Mask a unified social credit code, keeping the first and last 4 characters."""
    return _mask_middle((value or "").strip(), keep_first=4, keep_last=4)


def mask_name(value: str | None) -> str:
    """Mask a personal name, keeping only the first character (the surname).

    ``'张三丰'`` becomes ``'张**'``. A one-character value is masked entirely,
    since keeping its only character would reveal it.
    """
    return _mask_middle((value or "").strip(), keep_first=1, keep_last=0)


def mask_phone(value: str | None) -> str:
    """Mask a phone number, keeping the last 4 digits and any area code.

    * mobile ``'13812345678'`` -> ``'138****5678'`` (carrier prefix kept);
    * landline ``'0571-87654321'`` -> ``'0571-****4321'``;
    * service ``'400-123-4567'`` -> ``'400-***-4567'``.

    Canonical forms come from :func:`xinfang.core.phones.normalize_phone`, but
    any string is handled: a group of up to 4 characters before the first
    hyphen is kept, and everything else but separators (hyphens, spaces) and
    the last 4 characters is masked.
    """
    text = (value or "").strip()
    if not text:
        return ""
    head, sep, tail = text.partition("-")
    if sep and len(head) <= 4 and any(ch not in _PHONE_SEPARATORS for ch in tail):
        # An area code or service prefix: it identifies a city, not a person.
        return head + sep + _mask_keep_last(tail, keep=4)
    if len(text) == 11:
        return _mask_middle(text, keep_first=3, keep_last=4)
    return _mask_keep_last(text, keep=4)


def _mask_middle(text: str, *, keep_first: int, keep_last: int) -> str:
    """Keep ``keep_first``/``keep_last`` characters; mask all if nothing would be hidden."""
    if len(text) <= keep_first + keep_last:
        return MASK_CHAR * len(text)
    hidden = len(text) - keep_first - keep_last
    return text[:keep_first] + MASK_CHAR * hidden + text[len(text) - keep_last :]


def _mask_keep_last(text: str, *, keep: int) -> str:
    """Mask every character of ``text`` except separators and the last ``keep`` others.

    If ``text`` has no more than ``keep`` maskable characters, all are masked.
    """
    positions = [i for i, ch in enumerate(text) if ch not in _PHONE_SEPARATORS]
    cut = len(positions) - keep if len(positions) > keep else len(positions)
    hidden = set(positions[:cut])
    return "".join(MASK_CHAR if i in hidden else ch for i, ch in enumerate(text))
