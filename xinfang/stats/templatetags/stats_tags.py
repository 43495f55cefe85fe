"""How the statistics page writes a figure: counts as integers, rates with two decimals and %, "—" for none."""

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
