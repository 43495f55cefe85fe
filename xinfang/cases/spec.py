"""One declaration per workflow verb: the action spec.

Each ``do_*`` function in ``cases.actions`` is declared with ``@action(...)``
right above it: the states it may start from and where it leads, the rule
saying who may take it (``cases.permissions``), its typed inputs
(``cases.inputs``), its place on the case page, its API path and text, and
the to-do it puts on the workbench. Everything else is generated from that
one record:

* the case page's buttons, in ``order``, and "why not" messages (``check``);
* the action form of the case page (``cases.action_forms``);
* the JSON endpoint, its request schema and OpenAPI text (``api.cases``);
* the workbench tabs, which are "cases where one of these actions is
  available to me" (``cases.workbench``), from ``todo``.

So the screens and the API cannot disagree about an action's inputs or
rules. Adding a verb: see docs/architecture.md ("Adding an action").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from xinfang.cases import predicates as P
from xinfang.cases.inputs import Input
from xinfang.cases.models import Delivery
from xinfang.cases.states import Action, Kind, Status
from xinfang.core import clock
from xinfang.orgs.actors import Actor, as_actor

Rule = Callable[[Actor, Any], "str | None"]  # (actor, case) -> None if allowed, else why not in Chinese
Todo = Callable[[Actor], "Q | None"]  # actor -> the cases (beyond the state) where the rule lets them act


@dataclass(frozen=True)
class ActionSpec:
    action: str
    allowed_from: frozenset[str]
    to: str | None  # the state it leads to; None: unchanged
    rule: Rule
    func: Callable
    order: int  # place among the case page's buttons
    api_path: str  # POST /api/v1/cases/{id}/<api_path>
    inputs: tuple[Input, ...] = ()
    alternates: frozenset[str] = frozenset()  # other states it may lead to, and only these
    primary: bool = False  # the prominent button of its state
    doc: str | Callable[[], str] = ""  # what it does, for the API (Chinese); may be computed from the rules
    todo: Todo | None = None  # None: never a to-do on its own (e.g. 记录送达 owed or not)
    note: Callable | None = None  # f(case, actor) -> text under the form's fields
    system: bool = False  # the system's scheduled work may take it
    done: str = ""  # the confirmation after it is taken; default "已<label>"
    petitioner: bool = False  # the petitioner may take it themselves (the portal): PETITIONER_RULES checks it

    @property
    def done_message(self) -> str:
        return self.done or f"已{self.label}"

    @property
    def label(self) -> str:
        return Action(self.action).label

    def input(self, name: str) -> Input:
        return next(i for i in self.inputs if i.name == name)

    def check(self, actor, case) -> str | None:
        """None if ``actor`` may take this action on ``case`` now; otherwise why not, in Chinese."""
        actor = as_actor(actor)
        if case.status not in self.allowed_from:
            return f"当前状态为“{case.get_status_display()}”，不能{self.label}"
        if actor.is_system and not self.system:
            return f"系统不能自动{self.label}"
        if actor.is_petitioner:
            # A petitioner holds no staff role: the staff rule would refuse them for that alone.
            return PETITIONER_RULES[self.action](actor, case) if self.petitioner else f"信访人不能自行{self.label}"
        return self.rule(actor, case)

    def todo_q(self, actor) -> Q | None:
        """The cases where this actor may take the action: the state and the rule, as a filter."""
        if self.todo is None:
            return None
        q = self.todo(as_actor(actor))
        if q is None:
            return None
        return Q(status__in=sorted(self.allowed_from)) & q

    def describe(self) -> str:
        return self.doc() if callable(self.doc) else self.doc


# --- what a petitioner may do themselves (the portal) ------------------------------------------
#
# The same conditions as the staff rules minus who acts: the access layer already limits a
# petitioner to the cases they petitioned in. A petitioner asks for review on the day they ask,
# so the window is judged against today (staff register a request by the day it was received).


def _petitioner_evaluates(actor, case) -> str | None:
    if not P.REPLY_DELIVERED(case):
        return "答复意见尚未送达，暂不能评价"
    if P.EVALUATED(case):
        return "您已评价过这份答复意见"
    return None


def _window(case, opinion: str, request: str) -> str | None:
    if not P.WINDOW_STARTED(case):
        return f"{opinion}尚未送达，{request}申请期限未开始"
    if clock.today() > case.window_until:
        return f"{request}申请期限已于{case.window_until:%Y年%m月%d日}届满"
    return None


def _petitioner_requests_review(actor, case) -> str | None:
    if case.kind != Kind.CLAIM:
        return "仅申诉求决类信访事项可以申请复查"
    if case.review_org is None:
        return "未找到上一级复查机关"
    return _window(case, "处理意见", "复查")


def _petitioner_requests_reexam(actor, case) -> str | None:
    if case.reexam_org is None:
        return "未找到上一级复核机关"
    if not P.REVIEW_DELIVERED(case):
        return "复查意见尚未送达，复核申请期限未开始"
    return _window(case, "复查意见", "复核")


def _petitioner_confirms_receipt(actor, case) -> str | None:
    # 电子送达: the petitioner may confirm a notice issued to them that no delivery covers yet.
    delivered = Delivery.objects.filter(case=case).values("event_id")
    if not case.events.exclude(notice="").exclude(pk__in=delivered).exists():
        return "没有待确认收到的文书"
    return None


PETITIONER_RULES: dict[str, Rule] = {
    Action.RECORD_DELIVERY: _petitioner_confirms_receipt,
    Action.EVALUATE: _petitioner_evaluates,
    Action.REQUEST_REVIEW: _petitioner_requests_review,
    Action.REQUEST_REEXAM: _petitioner_requests_reexam,
}


SPECS: dict[str, ActionSpec] = {}


def action(
    code: str,
    *,
    from_,
    to=None,
    rule: Rule,
    order: int,
    api_path: str,
    inputs=(),
    alternates=(),
    primary=False,
    doc: str | Callable[[], str] = "",
    todo: Todo | None = None,
    note=None,
    system=False,
    done="",
    petitioner=False,
):
    """Declare ``do_*`` as the action ``code`` (see the module docstring)."""

    if petitioner and code not in PETITIONER_RULES:
        raise ValueError(f"action {code} is open to petitioners but has no petitioner rule")

    def register(func):
        if code in SPECS and SPECS[code].func.__qualname__ != func.__qualname__:
            raise ValueError(f"action {code} is declared twice")
        SPECS[code] = ActionSpec(
            action=code,
            allowed_from=frozenset(from_),
            to=to,
            rule=rule,
            func=func,
            order=order,
            api_path=api_path,
            inputs=tuple(inputs),
            alternates=frozenset(alternates),
            primary=primary,
            doc=doc,
            todo=todo,
            note=note,
            system=system,
            done=done,
            petitioner=petitioner,
        )
        func.spec = SPECS[code]
        return func

    return register


def specs() -> list[ActionSpec]:
    """Every declared action, in the case page's order."""
    _load()
    return sorted(SPECS.values(), key=lambda s: s.order)


def spec_for(code: str) -> ActionSpec:
    _load()
    return SPECS[code]


def check(actor, code: str, case) -> str | None:
    return spec_for(code).check(actor, case)


def available_actions(actor, case) -> list[str]:
    """The actions ``actor`` may take on ``case`` now, in the case page's order."""
    return [s.action for s in specs() if s.check(actor, case) is None]


def _load() -> None:
    # The specs are declared beside their functions; importing the package declares them all.
    import xinfang.cases.actions  # noqa: F401


@dataclass(frozen=True)
class Refusal:
    action: str
    label: str
    reason: str


@dataclass
class Buttons:
    """What the case page offers ``actor``: the buttons, and why the other actions of this state are not."""

    available: list[ActionSpec] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def buttons(actor, case) -> Buttons:
    out = Buttons()
    for s in specs():
        if case.status not in s.allowed_from:
            continue
        reason = s.check(actor, case)
        if reason is None:
            out.available.append(s)
        else:
            out.refused.append(Refusal(s.action, s.label, reason))
    return out


__all__ = ["SPECS", "ActionSpec", "Status", "action", "available_actions", "buttons", "check", "spec_for", "specs"]
