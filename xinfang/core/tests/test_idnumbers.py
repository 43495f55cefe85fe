"""Resident ID numbers: published GB 11643 vectors, each failure rule, properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.idnumbers import (
    IdNumberError,
    birth_date,
    check_digit,
    is_valid_id_number,
    normalize_id_number,
    sex,
)

TODAY = date(2025, 6, 1)

# (18-digit number, birth date, sex). The first two are the examples printed in
# GB 11643-1999; the rest were computed with the standard's algorithm.
VALID = [
    ("11010519491231002X", date(1949, 12, 31), "F"),
    ("110105199003071239", date(1990, 3, 7), "M"),
    ("310115200002290048", date(2000, 2, 29), "F"),
    ("530102198501011233", date(1985, 1, 1), "M"),
    ("810000198001010014", date(1980, 1, 1), "M"),
    ("11010520240229002X", date(2024, 2, 29), "F"),
]

PROVINCES = [
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
]


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize(("number", "born", "expected_sex"), VALID)
def test_it_accepts_published_and_computed_vectors(number: str, born: date, expected_sex: str):
    assert normalize_id_number(number, today=TODAY) == number
    assert birth_date(number) == born
    assert sex(number) == expected_sex


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("11010519900307123", "9"),
        ("31011520000229004", "8"),
    ],
)
def test_check_digit_matches_iso_7064_mod_11_2(first17: str, expected: str):
    assert check_digit(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100A"])
def test_check_digit_rejects_anything_but_17_digits(bad: str):
    with pytest.raises(IdNumberError):
        check_digit(bad)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105\u300019491231002X",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, as some input methods type it
    ],
)
def test_it_normalises_spacing_case_and_full_width_forms(raw: str):
    assert normalize_id_number(raw, today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("110105491231002", "11010519491231002X"),
        ("110105900307123", "110105199003071239"),
        ("530102850101123", "530102198501011233"),
    ],
)
def test_it_converts_legacy_15_digit_numbers(legacy: str, expected: str):
    assert normalize_id_number(legacy, today=TODAY) == expected
    assert birth_date(legacy) == birth_date(expected)
    assert sex(legacy) == sex(expected)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "请输入身份证号码"),
        ("   ", "empty", "请输入身份证号码"),
        ("11010519491231002", "length", "身份证号码应为18位（或15位旧号码）"),
        ("11010519491231002X1", "length", "身份证号码应为18位（或15位旧号码）"),
        ("1101051949123100XX", "chars", "身份证号码只能包含数字，最后一位可以是X"),
        ("11010519491231002Y", "chars", "身份证号码只能包含数字，最后一位可以是X"),
        ("11010549123100X", "chars", "15位旧身份证号码只能包含数字"),
        ("11010519491231002-", "chars", "身份证号码只能包含数字，最后一位可以是X"),
        ("11010519491231001X", "checksum", "身份证号码校验位错误，请核对"),
        ("110105194912310021", "checksum", "身份证号码校验位错误，请核对"),
    ],
)
def test_it_rejects_malformed_input_with_a_specific_message(raw: str, code: str, message: str):
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(raw, today=TODAY)
    assert excinfo.value.code == code
    assert str(excinfo.value) == message


def test_it_rejects_wrong_check_digit():
    with pytest.raises(IdNumberError, match="校验位错误") as excinfo:
        normalize_id_number("110105194912310020", today=TODAY)
    assert excinfo.value.code == "checksum"


def test_its_error_is_a_value_error():
    with pytest.raises(ValueError, match="身份证号码"):
        normalize_id_number("123")


UNKNOWN_PROVINCES = ["00", "10", "16", "20", "24", "30", "40", "55", "70", "84", "99"]


@pytest.mark.parametrize("prefix", UNKNOWN_PROVINCES)
def test_it_rejects_unknown_province_codes(prefix: str):
    number = with_check(prefix + "010519491231002")
    with pytest.raises(IdNumberError, match="行政区划代码") as excinfo:
        normalize_id_number(number, today=TODAY)
    assert excinfo.value.code == "region"


@pytest.mark.parametrize(
    "birth",
    [
        "19490230",  # 30 February
        "19491301",  # month 13
        "19490001",  # month 0
        "19490100",  # day 0
        "19000229",  # 1900 was not a leap year
        "00000101",  # year 0
    ],
)
def test_it_rejects_impossible_birth_dates(birth: str):
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(with_check("110105" + birth + "002"), today=TODAY)
    assert excinfo.value.code == "birth_date"
    assert str(excinfo.value) == "身份证号码出生日期无效"


def test_it_rejects_birth_dates_before_1900_even_with_a_valid_checksum():
    # The second example printed in GB 11643 is born in 1880.
    with pytest.raises(IdNumberError, match="早于1900年") as excinfo:
        normalize_id_number("440524188001010014", today=TODAY)
    assert excinfo.value.code == "birth_date"


def test_it_accepts_1900_01_01_and_today_as_birth_dates():
    assert normalize_id_number(with_check("11010519000101001"), today=TODAY)
    number = with_check("110105" + TODAY.strftime("%Y%m%d") + "001")
    assert normalize_id_number(number, today=TODAY) == number


def test_it_rejects_birth_dates_in_the_future():
    tomorrow = TODAY + timedelta(days=1)
    number = with_check("110105" + tomorrow.strftime("%Y%m%d") + "001")
    with pytest.raises(IdNumberError, match="晚于今天") as excinfo:
        normalize_id_number(number, today=TODAY)
    assert excinfo.value.code == "birth_date"


def test_it_validates_legacy_numbers_before_converting_them():
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number("990105491231002", today=TODAY)
    assert excinfo.value.code == "region"
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number("110105490230002", today=TODAY)
    assert excinfo.value.code == "birth_date"


def test_birth_date_and_sex_reject_invalid_numbers():
    with pytest.raises(IdNumberError):
        birth_date("11010519491231001X")
    with pytest.raises(IdNumberError):
        sex("11010519491231001X")


def test_is_valid_id_number_reports_without_raising():
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("11010519491231001X")
    assert not is_valid_id_number("")


# --- properties -------------------------------------------------------------


@st.composite
def valid_first17(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    rest_of_region = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    return f"{province:02d}{rest_of_region:04d}{born:%Y%m%d}{sequence:03d}"


@given(valid_first17())
def test_any_valid_prefix_with_its_computed_check_digit_validates(first17: str):
    number = first17 + check_digit(first17)
    assert normalize_id_number(number, today=TODAY) == number
    assert normalize_id_number(number.lower(), today=TODAY) == number


@given(valid_first17(), st.sampled_from("0123456789X"))
def test_any_other_check_digit_is_rejected(first17: str, other: str):
    correct = check_digit(first17)
    if other == correct:
        return
    with pytest.raises(IdNumberError) as excinfo:
        normalize_id_number(first17 + other, today=TODAY)
    assert excinfo.value.code == "checksum"


@given(valid_first17(), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_single_digit_is_detected(first17: str, position: int, delta: int):
    # MOD 11-2 detects every single-digit substitution; here the change may
    # instead break the region or birth date, which is rejected too.
    number = first17 + check_digit(first17)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert not is_valid_id_number(changed, today=TODAY)


@given(st.text(max_size=25))
def test_arbitrary_text_either_normalises_or_raises_id_number_error(raw: str):
    try:
        number = normalize_id_number(raw, today=TODAY)
    except IdNumberError as error:
        assert error.code in {"empty", "length", "chars", "region", "birth_date", "checksum"}
        assert str(error)
    else:
        assert len(number) == 18
        assert normalize_id_number(number, today=TODAY) == number


@given(valid_first17())
def test_sex_follows_the_parity_of_the_17th_digit(first17: str):
    number = first17 + check_digit(first17)
    assert sex(number) == ("M" if int(first17[16]) % 2 == 1 else "F")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
def test_legacy_conversion_preserves_region_birth_date_and_sequence(born: date, seq: int):
    legacy = f"110105{born:%y%m%d}{seq:03d}"
    number = normalize_id_number(legacy, today=TODAY)
    assert number[:6] == "110105"
    assert birth_date(number) == born
    assert number[14:17] == f"{seq:03d}"
