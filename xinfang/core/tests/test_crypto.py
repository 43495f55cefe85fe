"""Field encryption with key rotation, and the keyed lookup hash."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.core.crypto import (
    DecryptionError,
    FieldCipher,
    InvalidKeyError,
    generate_key,
    lookup_hash,
)

OLD_KEY = generate_key()
NEW_KEY = generate_key()
HASH_KEY = generate_key()


def test_generate_key_returns_distinct_valid_fernet_keys():
    first, second = generate_key(), generate_key()
    assert first != second
    assert isinstance(first, str)
    Fernet(first)  # does not raise


def test_it_round_trips_chinese_text():
    cipher = FieldCipher([NEW_KEY])
    token = cipher.encrypt("张三丰 11010519491231002X")
    assert isinstance(token, str)
    assert "11010519491231002X" not in token
    assert cipher.decrypt(token) == "张三丰 11010519491231002X"


def test_encrypting_the_same_value_twice_gives_different_tokens():
    cipher = FieldCipher([NEW_KEY])
    assert cipher.encrypt("13812345678") != cipher.encrypt("13812345678")


def test_it_encrypts_under_the_first_key():
    token = FieldCipher([NEW_KEY, OLD_KEY]).encrypt("13812345678")
    assert FieldCipher([NEW_KEY]).decrypt(token) == "13812345678"
    with pytest.raises(DecryptionError):
        FieldCipher([OLD_KEY]).decrypt(token)


def test_a_token_from_the_old_key_decrypts_after_a_new_key_is_added():
    token = FieldCipher([OLD_KEY]).encrypt("11010519491231002X")
    assert FieldCipher([NEW_KEY, OLD_KEY]).decrypt(token) == "11010519491231002X"


def test_rotate_re_encrypts_so_the_old_key_can_be_retired():
    old_token = FieldCipher([OLD_KEY]).encrypt("11010519491231002X")
    rotated = FieldCipher([NEW_KEY, OLD_KEY]).rotate(old_token)
    assert FieldCipher([NEW_KEY]).decrypt(rotated) == "11010519491231002X"
    with pytest.raises(DecryptionError):
        FieldCipher([OLD_KEY]).decrypt(rotated)


def test_it_rejects_a_token_under_an_unknown_key():
    token = FieldCipher([OLD_KEY]).encrypt("secret")
    with pytest.raises(DecryptionError, match="无法解密"):
        FieldCipher([NEW_KEY]).decrypt(token)
    with pytest.raises(DecryptionError, match="无法解密"):
        FieldCipher([NEW_KEY]).rotate(token)


@pytest.mark.parametrize("corrupt", ["", "not a token", "令牌", "gAAAAA"])
def test_it_rejects_garbage_tokens(corrupt: str):
    with pytest.raises(DecryptionError):
        FieldCipher([NEW_KEY]).decrypt(corrupt)


def test_it_detects_a_tampered_token():
    token = FieldCipher([NEW_KEY]).encrypt("13812345678")
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(DecryptionError):
        FieldCipher([NEW_KEY]).decrypt(flipped)


def test_decryption_error_is_a_value_error():
    with pytest.raises(ValueError):
        FieldCipher([NEW_KEY]).decrypt("x")


@pytest.mark.parametrize(
    "keys",
    [
        ["too-short"],
        [NEW_KEY, "not base64 !!"],
        [NEW_KEY[:-4]],
        [""],
    ],
)
def test_it_rejects_invalid_keys_with_a_clear_error(keys: list[str]):
    with pytest.raises(InvalidKeyError, match="加密密钥无效") as excinfo:
        FieldCipher(keys)
    assert f"第{len(keys)}个" in str(excinfo.value)


def test_the_invalid_key_error_does_not_echo_the_key():
    bad = "secret-but-malformed-key-material"
    with pytest.raises(InvalidKeyError) as excinfo:
        FieldCipher([bad])
    assert bad not in str(excinfo.value)


def test_it_requires_at_least_one_key():
    with pytest.raises(InvalidKeyError, match="至少需要一个"):
        FieldCipher([])


def test_it_refuses_a_bare_string_instead_of_a_list():
    with pytest.raises(InvalidKeyError, match="密钥列表"):
        FieldCipher(NEW_KEY)


def test_it_accepts_bytes_keys_and_surrounding_whitespace():
    cipher = FieldCipher([NEW_KEY.encode(), f"  {OLD_KEY}\n"])
    assert cipher.decrypt(FieldCipher([OLD_KEY]).encrypt("x")) == "x"


def test_repr_does_not_reveal_keys():
    text = repr(FieldCipher([NEW_KEY, OLD_KEY]))
    assert NEW_KEY not in text
    assert OLD_KEY not in text
    assert "keys=2" in text


def test_lookup_hash_is_hmac_sha256_hex():
    expected = hmac.new(HASH_KEY.encode(), b"11010519491231002X", hashlib.sha256).hexdigest()
    assert lookup_hash("11010519491231002X", HASH_KEY) == expected
    assert lookup_hash("11010519491231002X", HASH_KEY.encode()) == expected


def test_lookup_hash_is_deterministic_and_depends_on_the_key():
    first = lookup_hash("13812345678", HASH_KEY)
    assert first == lookup_hash("13812345678", HASH_KEY)
    assert first != lookup_hash("13812345678", generate_key())
    assert first != hashlib.sha256(b"13812345678").hexdigest()


def test_lookup_hash_is_unaffected_by_encryption_key_rotation():
    before = lookup_hash("11010519491231002X", HASH_KEY)
    old_token = FieldCipher([OLD_KEY]).encrypt("11010519491231002X")
    rotated = FieldCipher([NEW_KEY, OLD_KEY]).rotate(old_token)
    value = FieldCipher([NEW_KEY]).decrypt(rotated)
    assert lookup_hash(value, HASH_KEY) == before


@pytest.mark.parametrize("key", ["", b"", "short", b"0123456789abcde"])
def test_lookup_hash_rejects_empty_or_short_keys(key: str | bytes):
    with pytest.raises(InvalidKeyError, match="查询哈希密钥无效"):
        lookup_hash("13812345678", key)


@settings(max_examples=50)
@given(st.text())
def test_encrypt_then_decrypt_returns_any_text(text: str):
    cipher = FieldCipher([NEW_KEY, OLD_KEY])
    assert cipher.decrypt(cipher.encrypt(text)) == text


@settings(max_examples=50)
@given(st.text())
def test_rotation_preserves_any_text_and_needs_only_the_new_key(text: str):
    old_token = FieldCipher([OLD_KEY]).encrypt(text)
    rotating = FieldCipher([NEW_KEY, OLD_KEY])
    assert rotating.decrypt(old_token) == text
    assert FieldCipher([NEW_KEY]).decrypt(rotating.rotate(old_token)) == text


@given(st.text(), st.text())
def test_distinct_values_get_distinct_lookup_hashes(first: str, second: str):
    if first != second:
        assert lookup_hash(first, HASH_KEY) != lookup_hash(second, HASH_KEY)
    assert len(lookup_hash(first, HASH_KEY)) == 64
