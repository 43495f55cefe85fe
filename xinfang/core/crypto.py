"""Field-level encryption and keyed lookup hashes for petitioner personal data.

DESIGN §1 principle 3 and §5: sensitive fields (ID number, phone) are
encrypted at rest, and found again through a keyed hash stored beside the
ciphertext. Two separate secrets are involved, on purpose:

* **Encryption keys** (a list, newest first) protect the stored values with
  Fernet (AES-128-CBC + HMAC-SHA256, authenticated, random IV). Every
  encryption of the same value yields a different token, so tokens cannot be
  indexed or compared. The list allows rotation: new data is encrypted under
  the first key, old tokens still decrypt under any listed key, and
  :meth:`FieldCipher.rotate` re-encrypts them so an old key can be retired.

* **The hash key** feeds :func:`lookup_hash`, a deterministic HMAC-SHA256 used
  for equality lookups ("has this ID number petitioned before?"). It must be
  separate from the encryption keys because lookup hashes live in indexed
  columns and must stay stable: if they were derived from the current
  encryption key, every key rotation would silently break every lookup until
  all rows were decrypted and re-hashed. Separate keys also keep one secret
  from serving two cryptographic purposes. The hash is keyed rather than a
  plain SHA-256 because an ID number has so little entropy (region, birth
  date, three digits) that an unkeyed hash can be reversed by enumeration in
  minutes; without the key the hashes reveal nothing.

Error messages never include key material.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "DecryptionError",
    "FieldCipher",
    "InvalidKeyError",
    "MIN_HASH_KEY_BYTES",
    "generate_key",
    "lookup_hash",
]

#: Shortest accepted hash key; HMAC-SHA256 keys shorter than this are guessable.
MIN_HASH_KEY_BYTES: Final = 16

_DECRYPT_MESSAGE: Final = "无法解密：数据已损坏，或加密密钥不匹配"


class InvalidKeyError(ValueError):
    """A configured encryption or hash key is missing or malformed."""


class DecryptionError(ValueError):
    """A token could not be decrypted with any configured key (or was altered)."""


def generate_key() -> str:
    """Return a new random Fernet key (urlsafe base64 of 32 bytes) as text.

    Suitable both as an encryption key and as a hash key; use different
    generated keys for the two purposes.
    """
    return Fernet.generate_key().decode("ascii")


class FieldCipher:
    """Encrypts and decrypts text fields under a rotating list of Fernet keys.

    ``keys[0]`` is the current key used for :meth:`encrypt` and
    :meth:`rotate`; all keys are tried by :meth:`decrypt`. To rotate, put a
    new key first, run :meth:`rotate` over every stored token, then remove
    the old key.
    """

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if isinstance(keys, (str, bytes)):
            # A bare string would be iterated character by character.
            raise InvalidKeyError("加密密钥配置错误：应提供密钥列表，而不是单个字符串")
        if not keys:
            raise InvalidKeyError("加密密钥配置错误：至少需要一个加密密钥")
        fernets = [_load_fernet(key, position) for position, key in enumerate(keys, start=1)]
        self._current = fernets[0]
        self._all = MultiFernet(fernets)
        self._key_count = len(fernets)

    def __repr__(self) -> str:
        # Never show key material, e.g. in tracebacks or debug pages.
        return f"<FieldCipher keys={self._key_count}>"

    def encrypt(self, text: str) -> str:
        """Return an authenticated token for ``text`` under the current key."""
        return self._current.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Return the text in ``token``, trying every configured key.

        Raises :class:`DecryptionError` if no key matches or the token was
        tampered with or truncated.
        """
        try:
            return self._all.decrypt(_token_bytes(token)).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            raise DecryptionError(_DECRYPT_MESSAGE) from None

    def rotate(self, token: str) -> str:
        """Return ``token`` re-encrypted under the current key.

        The original timestamp is preserved. Raises :class:`DecryptionError`
        if ``token`` cannot be decrypted with any configured key.
        """
        try:
            return self._all.rotate(_token_bytes(token)).decode("ascii")
        except InvalidToken:
            raise DecryptionError(_DECRYPT_MESSAGE) from None


def lookup_hash(value: str, hash_key: bytes | str) -> str:
    """Return the HMAC-SHA256 of ``value`` under ``hash_key`` as 64 hex digits.

    The caller normalises ``value`` first (e.g. with
    :func:`xinfang.core.idnumbers.normalize_id_number`), so that every
    spelling of the same number hashes alike. ``hash_key`` must be at least
    :data:`MIN_HASH_KEY_BYTES` bytes and must not be an encryption key; see the
    module docstring for why.
    """
    key = hash_key.encode("utf-8") if isinstance(hash_key, str) else hash_key
    if len(key) < MIN_HASH_KEY_BYTES:
        raise InvalidKeyError(f"查询哈希密钥无效：长度至少为{MIN_HASH_KEY_BYTES}字节")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _load_fernet(key: str | bytes, position: int) -> Fernet:
    if isinstance(key, str):
        key = key.strip()
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        hint = "应为32字节经URL安全Base64编码的Fernet密钥（可用 generate_key() 生成）"
        raise InvalidKeyError(f"第{position}个加密密钥无效：{hint}") from None


def _token_bytes(token: str) -> bytes:
    try:
        return token.encode("ascii")
    except (UnicodeEncodeError, AttributeError):
        raise DecryptionError(_DECRYPT_MESSAGE) from None
