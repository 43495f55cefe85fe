"""How the statistics page writes a figure: counts as integers, rates with two decimals and %, "—" for none."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def figure(cell) -> str:
    value = cell["value"]
    if value is None:
        return "—"
    if cell["metric"].is_rate:
        return f"{value}%"
    return str(value)


@register.filter
def change(cell) -> str:
    value = cell.get("change")
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    if cell["metric"].is_rate:
        return f"{sign}{value}个百分点"
    return f"{sign}{value}%"


@register.filter
def item_value(item) -> str:
    """A ranking item's value: a rate with %, a count as it is, "—" for a rate with nothing to divide by."""
    if item.value is None:
        return "—"
    return f"{item.value}%" if item.is_rate else str(item.value)


@register.filter
def score_points(value) -> str:
    """An item's points or total with two decimals; "—" for one left out (no data) or a unit not ranked."""
    return "—" if value is None else f"{value}"


@register.filter
def number(value) -> str:
    """A weight or a line without trailing zeros: 20.00 → 20, 92.50 → 92.5."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
