"""Unified social credit codes: published vectors, hard errors, soft checksum warnings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.uscc import CHARSET, UsccError, UsccResult, uscc_check_char, validate_uscc

# 91350100M000100Y43 is the example in GB 32100-2015; the next three are codes
# on public business registers; the last two were computed with the algorithm.
VALID = [
    "91350100M000100Y43",
    "914403001922038216",
    "9144030071526726XG",
    "91330100799655058B",
    "121000004000003980",
    "53110105MJ0000001G",
]


def test_charset_has_31_characters_without_easily_confused_letters():
    assert len(CHARSET) == 31
    assert len(set(CHARSET)) == 31
    assert not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize("code", VALID)
def test_it_accepts_valid_codes(code: str):
    assert validate_uscc(code) == UsccResult(code=code, checksum_ok=True, warnings=[])


@pytest.mark.parametrize("code", VALID)
def test_check_char_matches_the_last_character(code: str):
    assert uscc_check_char(code[:17]) == code[17]


def test_a_check_value_of_31_maps_to_zero():
    # A weighted sum of 0 gives 31 - 0 = 31, which the standard writes as 0.
    assert uscc_check_char("0" * 17) == "0"


@pytest.mark.parametrize(
    "raw",
    ["91350100m000100y43", " 9135 0100 M000 100Y 43 ", "９１３５０１００Ｍ０００１００Ｙ４３"],
)
def test_it_normalises_case_spacing_and_full_width_forms(raw: str):
    assert validate_uscc(raw).code == "91350100M000100Y43"


def test_a_wrong_check_character_is_a_warning_not_an_error():
    result = validate_uscc("91350100M000100Y44")
    assert result.code == "91350100M000100Y44"
    assert result.checksum_ok is False
    assert result.warnings == ["统一社会信用代码校验位不符，请核对是否录入有误"]


@pytest.mark.parametrize(
    ("raw", "code", "message_part"),
    [
        ("", "empty", "请输入统一社会信用代码"),
        ("91350100M000100Y4", "length", "统一社会信用代码应为18位"),
        ("91350100M000100Y431", "length", "统一社会信用代码应为18位"),
        ("91350100O000100Y43", "chars", "无效字符：O"),
        ("91350100I000100Y4Z", "chars", "无效字符：I、Z"),
        ("9135010S-000100Y43", "chars", "无效字符：-、S"),
    ],
)
def test_it_rejects_wrong_length_or_characters(raw: str, code: str, message_part: str):
    with pytest.raises(UsccError) as excinfo:
        validate_uscc(raw)
    assert excinfo.value.code == code
    assert message_part in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_check_char_rejects_a_prefix_of_the_wrong_length():
    with pytest.raises(UsccError):
        uscc_check_char("9135")


codes_prefix = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@given(codes_prefix)
def test_any_prefix_with_its_computed_check_char_validates(prefix: str):
    result = validate_uscc(prefix + uscc_check_char(prefix))
    assert result.checksum_ok
    assert result.warnings == []


@given(codes_prefix, st.sampled_from(CHARSET))
def test_any_other_check_char_only_warns(prefix: str, other: str):
    if other == uscc_check_char(prefix):
        return
    result = validate_uscc(prefix + other)
    assert not result.checksum_ok
    assert len(result.warnings) == 1


@given(codes_prefix, st.integers(0, 16), st.integers(1, 30))
def test_changing_any_single_character_is_detected(prefix: str, position: int, delta: int):
    # 31 is prime and no weight is a multiple of it, so every substitution
    # changes the weighted sum modulo 31.
    code = prefix + uscc_check_char(prefix)
    replacement = CHARSET[(CHARSET.index(code[position]) + delta) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    assert not validate_uscc(changed).checksum_ok


@given(st.text(max_size=24))
def test_arbitrary_text_returns_a_result_or_raises_uscc_error(raw: str):
    try:
        result = validate_uscc(raw)
    except UsccError as error:
        assert str(error)
    else:
        assert len(result.code) == 18
        assert set(result.code) <= set(CHARSET)
