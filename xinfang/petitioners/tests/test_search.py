"""search_petitioners: detects the kind of query and never leaves the user's scope."""

import pytest

from xinfang.petitioners.search import parse_query, search_petitioners
from xinfang.petitioners.tests.conftest import VECTOR_ID, VECTOR_ID_15

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (VECTOR_ID, "id_number"),
        (VECTOR_ID.lower(), "id_number"),
        (VECTOR_ID_15, "id_number"),
        ("110105194912310021", "invalid"),  # wrong check digit
        ("138 1234 5678", "phone"),
        ("0571-87654321", "phone"),
        ("1381234", "invalid"),  # partial numbers cannot be searched (encrypted)
        ("91350100M000100Y43", "uscc"),
        ("张三", "name"),
        ("Mary  Smith", "name"),
    ],
)
def test_it_detects_the_kind_of_query(q, kind):
    assert parse_query(q).kind == kind


def test_an_invalid_id_number_explains_itself():
    assert "校验位" in parse_query("110105194912310021").hint
    assert "完整号码" in parse_query("1381234").hint


def test_an_id_number_with_a_digit_too_many_says_its_length_not_partial():
    assert parse_query("3307811990010112345").hint == "身份证号码应为18位（或15位旧号码），现为19位"
    assert parse_query("3307811990010112").hint == "身份证号码应为18位（或15位旧号码），现为16位"
    assert parse_query("3307811990010112345").kind == "invalid"


def test_it_finds_by_id_number_in_either_length(cast, ours):
    assert search_petitioners(cast.registrar, VECTOR_ID, 10) == [ours]
    assert search_petitioners(cast.registrar, VECTOR_ID_15, 10) == [ours]


def test_it_finds_by_phone_hash_whatever_the_spelling(cast, ours):
    assert search_petitioners(cast.registrar, "13812345678", 10) == [ours]
    assert search_petitioners(cast.registrar, "+86 138-1234-5678", 10) == [ours]
    assert search_petitioners(cast.registrar, "13812345679", 10) == []


def test_a_petitioner_with_two_matching_rows_is_listed_once(cast, make_petitioner):
    p = make_petitioner(cast.registrar, phones=["13812345678", "0571-87654321"])
    make_petitioner(cast.registrar, "另一人", phones=["0571-87654321"])
    assert p in search_petitioners(cast.registrar, "0571 8765 4321", 10)
    assert len(search_petitioners(cast.registrar, "0571 8765 4321", 10)) == 2


def test_it_finds_by_name_prefix_first_then_contains(cast, make_petitioner):
    inner = make_petitioner(cast.registrar, "欧阳张三")
    prefix = make_petitioner(cast.registrar, "张三丰")
    make_petitioner(cast.registrar, "李四")
    assert search_petitioners(cast.registrar, "张三", 10) == [prefix, inner]
    # One character is treated as a surname: prefix only.
    assert search_petitioners(cast.registrar, "张", 10) == [prefix]


def test_it_finds_organisations_by_uscc(cast, make_petitioner):
    org = make_petitioner(cast.registrar, "示例公司", kind="organisation", uscc="91350100M000100Y43")
    assert search_petitioners(cast.registrar, "91350100m000100y43", 10) == [org]


def test_the_other_county_finds_nothing_of_ours_by_any_key(cast, ours):
    for q in (VECTOR_ID, VECTOR_ID_15, "13812345678", "李秀英", "李"):
        assert search_petitioners(cast.other_registrar, q, 10) == []
        assert search_petitioners(cast.registrar, q, 10) == [ours]


def test_the_limit_is_respected(cast, make_petitioner):
    for i in range(5):
        make_petitioner(cast.registrar, f"周{i}")
    assert len(search_petitioners(cast.registrar, "周", 3)) == 3
    assert search_petitioners(cast.registrar, "", 3) == []
