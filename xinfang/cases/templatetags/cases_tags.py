"""Due-date tags and small helpers for the case screens (the due state comes from cases.due)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from xinfang.cases.due import deadline_state, due_state

register = template.Library()


def _state_of(obj):
    # A case (its current deadline) or one stored Deadline row.
    return deadline_state(obj) if hasattr(obj, "paused") else due_state(obj)


@register.filter
def due_class(obj):
    """Row class for a case's current deadline (or a deadline row): 'overdue', 'due-soon' or ''."""
    return {"overdue": "overdue", "due_soon": "due-soon"}.get(_state_of(obj).state, "")


@register.simple_tag
def due_tag(obj):
    """'剩3天' / '今日到期' / '超期2天' / '已中止计时', with a '暂定' tag for provisional dates."""
    state = _state_of(obj)
    if not state.state:
        return ""
    left = state.days_left
    if state.state == "paused":
        html = mark_safe('<span class="tag">已中止计时</span>')  # noqa: S308 — a constant
    elif left < 0:
        html = format_html('<span class="tag overdue">超期{}天</span>', -left)
    elif left == 0:
        html = mark_safe('<span class="tag due_soon">今日到期</span>')  # noqa: S308 — a constant
    else:
        html = format_html('<span class="tag {}">剩{}天</span>', state.state, left)
    if getattr(obj, "due_provisional", False):
        html += format_html(
            ' <span class="tag provisional" title="{}">暂定</span>', "涉及尚未载入官方节假日安排的年度，仅按周末推算"
        )
    return html


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pager and sort links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
