import pytest

from xinfang.core.numerals import chinese_date, chinese_number


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (5, "五"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (30, "三十"),
        (60, "六十"),
        (90, "九十"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (2026, "二千零二十六"),
    ],
)
def test_it_writes_counting_numerals(n, text):
    assert chinese_number(n) == text


def test_it_refuses_what_it_cannot_write():
    with pytest.raises(ValueError):
        chinese_number(10000)


def test_dates_are_written_the_official_way():
    assert chinese_date(2026, 3, 1) == "二〇二六年三月一日"
    assert chinese_date(2024, 12, 31) == "二〇二四年十二月三十一日"
