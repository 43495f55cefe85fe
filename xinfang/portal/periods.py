"""What happens after a petitioner writes, with the periods of the rule set in force (never literals)."""

from __future__ import annotations

from datetime import date

from xinfang.clock.models import Clock
from xinfang.clock.rules import RuleNotFound, rule_for


def period(org, clock_code: str, on: date) -> str | None:
    """The rule's period in plain words (15日, 10个工作日), or None when the rule set has none."""
    try:
        rule = rule_for(org, clock_code, on)
    except RuleNotFound:
        return None
    return f"{rule.days}{'个工作日' if rule.working else '日'}"


def next_steps(org, on: date) -> list[str]:
    """The steps the law sets out after a letter reaches ``org`` on ``on``, each with its period."""
    steps = [
        (Clock.ROUTING, "信访工作机构收到您的来信后，在{}内转送、交办给有权处理的机关，或直接办理。"),
        (Clock.ACCEPTANCE, "有权处理的机关收到后，在{}内决定是否受理，并书面告知您。"),
        (Clock.HANDLING, "受理后，在{}内办结，出具书面答复意见。"),
        (Clock.EXTENSION, "情况复杂的，经批准可以适当延长办理期限，延长不超过{}，并告知您延期理由。"),
        (Clock.REVIEW_WINDOW, "对答复意见不服的，可以在收到答复意见之日起{}内请求上一级机关复查。"),
    ]
    out = []
    for code, text in steps:
        days = period(org, code, on)
        if days is not None:
            out.append(text.format(days))
    return out
