"""Masking: the default view of personal data hides the identifying middle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.masking import MASK_CHAR, mask_id_number, mask_name, mask_phone, mask_uscc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("  11010519491231002X ", "110105********002X"),
        ("1101051949", "**********"),  # too short to keep anything
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number_keeps_region_and_last_four(value: str | None, expected: str):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("0571-87654321", "0571-****4321"),
        ("010-12345678", "010-****5678"),
        ("0755-2345678", "0755-***5678"),
        ("400-123-4567", "400-***-4567"),
        ("138-1234-5678", "138-****-5678"),
        ("02112345678", "021****5678"),
        ("2345678", "***5678"),
        ("0571-123", "0571-***"),
        ("5678", "****"),
        ("13812345678-12", "*********78-12"),  # a long first group is not kept
        ("0-", "*-"),
        ("138 1234", "*** 1234"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_area_code_and_last_four(value: str | None, expected: str):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜拉·买买提", "阿*******"),
        ("张", "*"),
        (" 李四 ", "李*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name_keeps_only_the_first_character(value: str | None, expected: str):
    assert mask_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", "9135**********0Y43"),
        ("91350100", "********"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_uscc_keeps_first_and_last_four(value: str | None, expected: str):
    assert mask_uscc(value) == expected


# Characters a person could type, excluding whitespace, control characters,
# the mask character itself and the hyphen that mask_phone keeps as a separator.
typed = st.text(
    alphabet=st.characters(blacklist_categories=["Z", "C"], blacklist_characters="*-"),
    max_size=30,
)


@given(typed)
def test_every_mask_keeps_the_length(value: str):
    for mask in (mask_id_number, mask_phone, mask_name, mask_uscc):
        assert len(mask(value)) == len(value)


@given(typed.filter(bool))
def test_every_mask_hides_something_however_short_the_input(value: str):
    for mask in (mask_id_number, mask_phone, mask_name, mask_uscc):
        assert MASK_CHAR in mask(value)


@given(st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True))
def test_mask_id_number_hides_the_birth_date(value: str):
    masked = mask_id_number(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert masked[6:14] == MASK_CHAR * 8


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_hides_four_middle_digits_of_a_mobile(value: str):
    masked = mask_phone(value)
    assert masked == value[:3] + MASK_CHAR * 4 + value[-4:]
