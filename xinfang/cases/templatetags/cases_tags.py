"""Due-date tags and small helpers for the case screens."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from xinfang.cases.workbench import due_state

register = template.Library()


@register.filter
def due_class(due):
    """Row class for a case's due date: 'overdue', 'due-soon' or ''."""
    state, _left = due_state(due)
    return {"overdue": "overdue", "due_soon": "due-soon"}.get(state, "")


@register.simple_tag
def due_tag(due, provisional=False, paused=False):
    """'剩3天' / '今日到期' / '超期2天', with a '暂定' tag for provisional dates."""
    state, left = due_state(due)
    if not state:
        return ""
    if paused:
        html = mark_safe('<span class="tag">已中止计时</span>')  # noqa: S308 — a constant
    elif left < 0:
        html = format_html('<span class="tag overdue">超期{}天</span>', -left)
    elif left == 0:
        html = mark_safe('<span class="tag due_soon">今日到期</span>')  # noqa: S308 — a constant
    else:
        html = format_html('<span class="tag {}">剩{}天</span>', state, left)
    if provisional:
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
