"""Phone numbers: every accepted spelling maps to one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.phones import PhoneError, PhoneNumber, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "0086 13812345678",
        "１３８１２３４５６７８",
        " 13812345678\n",
    ],
)
def test_it_normalises_mobile_numbers(raw: str):
    assert normalize_phone(raw) == PhoneNumber("13812345678", "mobile")


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_it_accepts_every_mobile_number_block(prefix: str):
    assert normalize_phone(prefix + "012345678").kind == "mobile"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010) 1234 5678", "010-12345678"),
        ("（010）12345678", "010-12345678"),
        ("0571-87654321", "0571-87654321"),
        ("057187654321", "0571-87654321"),
        ("02112345678", "021-12345678"),
        ("021-1234-5678", "021-12345678"),
        ("0755-2345678", "0755-2345678"),
        ("07552345678", "0755-2345678"),
        ("+86 571 8765 4321", "0571-87654321"),
        ("+86-10-12345678", "010-12345678"),
        ("0086 21 12345678", "021-12345678"),
        ("+86 (0)571 87654321", "0571-87654321"),
    ],
)
def test_it_normalises_landlines_to_area_code_hyphen_local(raw: str, expected: str):
    assert normalize_phone(raw) == PhoneNumber(expected, "landline")


def test_it_splits_the_area_code_by_the_digits_not_by_where_the_hyphen_was_typed():
    assert normalize_phone("0211-2345678").number == "021-12345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4001234567", "400-123-4567"),
        ("400-123-4567", "400-123-4567"),
        ("800 123 4567", "800-123-4567"),
        ("+86 400 123 4567", "400-123-4567"),
    ],
)
def test_it_accepts_400_and_800_service_numbers(raw: str, expected: str):
    assert normalize_phone(raw) == PhoneNumber(expected, "service")


@pytest.mark.parametrize(
    "raw",
    [
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # no 12x mobile block
        "23812345678",
        "0571-0654321",  # local number cannot start with 0 (a doubled trunk prefix)
        "0571-876543",  # 6-digit local number
        "0571-876543210",  # 9-digit local number
        "12345",
        "110",
        "13812345678 转 123",  # extensions are not silently dropped
        "+1 415 555 0100",
        "abc",
        "138１２３4567x",
    ],
)
def test_it_rejects_invalid_numbers_with_a_chinese_message(raw: str):
    with pytest.raises(PhoneError) as excinfo:
        normalize_phone(raw)
    assert isinstance(excinfo.value, ValueError)
    assert str(excinfo.value) in {
        "请输入有效的手机号码或带区号的固定电话",
        "手机号码应为11位",
        "仅支持中国大陆电话号码",
    }


def test_it_explains_a_mobile_number_of_the_wrong_length():
    with pytest.raises(PhoneError, match="手机号码应为11位"):
        normalize_phone("138123456789")


def test_it_rejects_foreign_numbers():
    with pytest.raises(PhoneError, match="仅支持中国大陆电话号码"):
        normalize_phone("+44 20 7946 0958")


@pytest.mark.parametrize("raw", ["", "   ", "--"])
def test_it_asks_for_a_number_when_empty(raw: str):
    with pytest.raises(PhoneError, match="请输入电话号码") as excinfo:
        normalize_phone(raw)
    assert excinfo.value.code == "empty"


def test_str_of_a_phone_number_is_its_canonical_form():
    assert str(normalize_phone("0571 87654321")) == "0571-87654321"


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.one_of(
    st.from_regex(r"0(10|2[0-9])[1-9][0-9]{6,7}", fullmatch=True),
    # 0400/0800 are not area codes: without the 0, +86 400... is a service number.
    st.from_regex(r"0([3579][0-9]{2}|[468][1-9][0-9]|[468]0[1-9])[1-9][0-9]{6,7}", fullmatch=True),
)


@given(mobiles, st.sampled_from(["", "+86", "+86 ", "86", "0086"]))
def test_any_mobile_number_normalises_to_its_11_digits(number: str, prefix: str):
    assert normalize_phone(prefix + number) == PhoneNumber(number, "mobile")


@given(landlines)
def test_any_landline_normalises_idempotently(number: str):
    canonical = normalize_phone(number)
    assert canonical.kind == "landline"
    assert canonical.number.replace("-", "") == number
    assert normalize_phone(canonical.number) == canonical
    assert normalize_phone("+86" + number[1:]) == canonical


@given(st.text(max_size=20))
def test_arbitrary_text_normalises_or_raises_phone_error(raw: str):
    try:
        phone = normalize_phone(raw)
    except PhoneError as error:
        assert str(error)
    else:
        assert normalize_phone(phone.number) == phone
