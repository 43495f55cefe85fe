"""Glue between the Django settings and the framework-free field crypto in core.

Only this module reads ``settings.FIELD_ENCRYPTION_KEYS`` and
``settings.FIELD_HASH_KEY``, so models, the key-rotation command and tests
agree on one cipher. The cipher is cached per key list rather than once per
process, because tests (and the rotation test in particular) swap the keys
with ``override_settings`` and must not keep encrypting under a stale key.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from xinfang.core.crypto import DecryptionError, FieldCipher, lookup_hash

__all__ = ["DecryptionError", "ENCRYPTED_COLUMNS", "cipher", "current_key_cipher", "decrypt", "encrypt", "hash_value"]


@lru_cache(maxsize=8)
def _cipher_for(keys: tuple[str, ...]) -> FieldCipher:
    return FieldCipher(list(keys))


def cipher() -> FieldCipher:
    """The cipher for the configured keys: the first encrypts, all decrypt."""
    return _cipher_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def current_key_cipher() -> FieldCipher:
    """A cipher that knows only the current (first) key.

    ``rotate_field_keys`` uses it to recognise tokens that are already
    current, so a second run (or a resumed run) rewrites nothing.
    """
    return _cipher_for(tuple(settings.FIELD_ENCRYPTION_KEYS[:1]))


def encrypt(text: str) -> str:
    return cipher().encrypt(text) if text else ""


def decrypt(token: str) -> str:
    return cipher().decrypt(token) if token else ""


def hash_value(normalized: str) -> str:
    """Keyed lookup hash of an already normalised value ("" stays "")."""
    return lookup_hash(normalized, settings.FIELD_HASH_KEY) if normalized else ""


def _encrypted_columns():
    from xinfang.petitioners.models import Petitioner, PetitionerPhone

    return [(Petitioner, "id_number_enc"), (PetitionerPhone, "number_enc")]


class _Columns:
    """Every (model, field) holding a FieldCipher token, for ``rotate_field_keys``.

    Resolved lazily because this module is imported by the models module.
    Another app that stores encrypted columns appends to ``extra`` in its
    ``AppConfig.ready()`` so that key rotation covers it too.
    """

    extra: list = []

    def __iter__(self):
        yield from _encrypted_columns()
        yield from self.extra


ENCRYPTED_COLUMNS = _Columns()
