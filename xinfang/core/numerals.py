"""Chinese numerals for the texts of official notices ("六十日", "二〇二六年三月一日")."""

_DIGITS = "〇一二三四五六七八九"
_SMALL = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0–9999 in Chinese counting numerals: 15 → 十五, 30 → 三十, 60 → 六十, 105 → 一百零五."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0–9999")
    if n == 0:
        return "零"
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for value, name in units:
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
                zero = False
            out += ("" if value == 10 and digit == 1 and not out else _SMALL[digit]) + name
        elif out:
            zero = True
    return out


def chinese_date(year: int, month: int, day: int) -> str:
    """A date as official documents print it: 二〇二六年三月一日 (GB/T 9704)."""
    return "".join(_DIGITS[int(c)] for c in str(year)) + f"年{chinese_number(month)}月{chinese_number(day)}日"
