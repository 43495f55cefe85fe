"""Sections that apps above cases add to the case page (supervision's 督办催办, ...).

Cases may not import those apps, so they register a panel in
``AppConfig.ready``: ``register_panel(key, render, after=...)`` with
``render(request, case) -> str`` (HTML, e.g. ``render_to_string``; "" shows
nothing). The case page renders them in order below its deadlines, with the
case already read through the access layer, and its history already loaded
as ``case.page_events`` (every event, in order): a panel that needs the
events reads them there instead of querying them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    key: str
    render: Callable[..., str]


PANELS: list[Panel] = []


def register_panel(key: str, render: Callable[..., str]) -> None:
    if any(p.key == key for p in PANELS):
        return
    PANELS.append(Panel(key, render))


def render_panels(request, case) -> list[SafeString]:
    out = []
    for panel in PANELS:
        html = panel.render(request, case)
        if html:
            out.append(mark_safe(html))  # noqa: S308 — rendered by the app's own template, autoescaped there
    return out
