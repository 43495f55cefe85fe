"""The petitioner's credentials: the query code (查询码) and the SMS confirmation code.

The query code is long and random (100 bits), unrelated to the case number,
grouped in fours to copy by hand; only its keyed hash is stored. Codes are
compared as typed after folding full-width characters, case and separators.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata

from xinfang.petitioners import crypto

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and copied by hand
QUERY_CODE_LENGTH = 20  # 31 ** 20 ≈ 2 ** 99
SMS_CODE_DIGITS = 6


def new_query_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


def fold_code(typed: str) -> str:
    value = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(ch for ch in value if ch.isalnum())


def query_code_hash(typed: str) -> str:
    """The stored hash of a query code ("" for nothing typed)."""
    folded = fold_code(typed)
    return crypto.hash_value(f"portal-query-code:{folded}") if folded else ""


def new_sms_code() -> str:
    return f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"


def sms_code_digest(code: str, phone_hash: str) -> str:
    """What the session keeps of a confirmation code: bound to the phone it was sent to."""
    return crypto.hash_value(f"portal-sms-code:{phone_hash}:{fold_code(code)}")


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a, b)
