"""The workbench: what is waiting for this user, as tabs defined by the actions they lead to.

A to-do tab is "the cases where one of these actions is available to me":
its filter is the union of the actions' ``todo`` filters (the state and the
rule of each action spec, as a queryset; see cases.permissions), optionally
narrowed by a named sub-state (cases.predicates), always on top of
``access.scoped_cases``. So a tab can never list a case its user cannot act
on, nor one they may not open, and 全部待办 is exactly the union of the tabs.
A tab whose actions this user can never take (no such role) is not shown.

The 超期 / 临期 tabs are the to-do's overdue and due-soon cases; for those
who oversee (leaders, supervisors, statisticians) they cover every case in
their scope, which is also where those users land. All counts come from one
aggregate query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.functional import cached_property

from xinfang.cases import due
from xinfang.cases import predicates as P
from xinfang.cases.access import count_up_to, first_rows, scoped_cases
from xinfang.cases.spec import spec_for
from xinfang.cases.states import Action, Status
from xinfang.core import clock
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import Role, User

A = Action


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Callable[[], str]
    help: str | Callable[[], str]
    actions: tuple[str, ...] = ()
    where: Callable[[], Q] | None = None  # a sub-state narrowing the actions' cases
    status: tuple[str, ...] = ()  # only these states of the actions'
    todo: Callable[[Any], Q | None] | None = None  # an app's own filter (actor -> cases or None), instead of actions
    # A suggestion (建议催办) rather than work owed: its tab has its own count, but it is not in
    # 全部待办, the badge or the due tabs, so the count of what the user must do stays honest.
    suggestion: bool = False

    def text(self) -> tuple[str, str]:
        label = self.label() if callable(self.label) else self.label
        help_ = self.help() if callable(self.help) else self.help
        return label, help_


TABS = [
    Tab("registered", "待交转办", "本单位登记、待交办或转送的信访件", (A.ASSIGN, A.FORWARD)),
    Tab("to_sign", "待签收", "转送或交办到本单位、待签收的信访件", (A.SIGN_FOR,)),
    Tab("to_decide", "待受理", "待作出受理决定的信访件", (A.ACCEPT,)),
    Tab(
        "handling",
        "办理中",
        "已受理、由本单位（本人）办理的信访件",
        (A.RECORD_STEP, A.ASSIGN_HANDLER),
        status=(Status.HANDLING,),
    ),
    Tab("to_approve", "待审批", "承办人申请延期、待负责人审批的信访件", (A.APPROVE_EXTENSION,)),
    Tab("to_sign_reply", "待签发", "答复意见已拟写、待负责人签发的信访件", (A.REPLY,), where=P.DRAFT_REPLY.q),
    Tab("to_deliver", "待送达", "答复意见已签发、尚未送达信访人的信访件", (A.RECORD_DELIVERY,)),
    Tab("to_close", "待办结", "答复意见已送达、待报结或办结的信访件", (A.REPORT_BACK, A.CLOSE)),
    Tab("co_report", "待协办反馈", "本单位作为协办单位、尚未反馈协办情况的信访件", (A.CO_REPORT,)),
    Tab("to_evaluate", "待评价", "答复已送达、尚未评价的信访件", (A.EVALUATE,)),
    Tab("to_confirm", "待审核办结", "主办单位已报结、待本单位审核的交办件", (A.CONFIRM_CLOSURE,)),
    Tab("review", "复查复核", "本级作为复查或复核机关、待作出意见的信访件", (A.REVIEW, A.REEXAMINE)),
]


def register_tab(tab: Tab, *, after: str | None = None) -> None:
    """Add an app's to-do tab (e.g. supervision's 督办), built from its actions like the others.

    Apps above cases call this in ``AppConfig.ready``; the tab's actions are
    specs they declared with ``cases.spec.action``. ``after`` places it after
    an existing tab's key (default: before the due tabs, i.e. last).
    """
    if any(t.key == tab.key for t in TABS):
        return
    index = next((i + 1 for i, t in enumerate(TABS) if t.key == after), len(TABS))
    TABS.insert(index, tab)
    TAB_KEYS.insert(index, tab.key)


DUE_TABS = [
    Tab("due_soon", lambda: due.label("due_soon"), lambda: f"期限在{due.soon_days()}日内届满的在办信访件"),
    Tab("overdue", "已超期", "已超过办理期限的在办信访件"),
]
# Those who oversee land here: every case in their scope that is overdue or close to it.
ATTENTION_TAB = Tab("attention", "超期与临期", lambda: f"本人可查看的已超期和{due.soon_days()}日内到期的在办信访件")
# Not a to-do queue: every case in the user's scope, to find one by its number or filters.
SEARCH_TAB = Tab("search", "全部信访件", "本人可查看的全部信访件（含已办结）")
ALL_TAB = Tab("all", "全部待办", "需要本人或本单位处理的信访件")
TAB_KEYS = [t.key for t in TABS + DUE_TABS] + [ATTENTION_TAB.key]
# Roles that only oversee: their workbench opens on 超期与临期, not on an empty to-do list.
OVERSIGHT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.STATISTICIAN})


def oversees(user) -> bool:
    return as_actor(user).has_role(*OVERSIGHT_ROLES)


def default_tab(user) -> str:
    roles = as_actor(user).role_set()
    return ATTENTION_TAB.key if roles and roles <= OVERSIGHT_ROLES else ALL_TAB.key


# --- the shape of the to-do filters ----------------------------------------------------------
#
# A to-do filter is an OR of the actions' rules, each an AND of the state and the rule's
# org columns, often with ORs inside (e.g. "handling at my unit, or review requested at my
# government"). A database uses indexes for an OR only when every top-level branch can be
# looked up in an index on its own (SQLite's "MULTI-INDEX OR", PostgreSQL's BitmapOr); an
# OR nested in an AND, or a branch that is a correlated subquery, makes it read every case
# row instead. So every filter is flattened into a plain OR of ANDs (disjunctive normal
# form), each AND reduced to one set of states, and contradictory ANDs dropped: each
# branch is then "these states at this org" (plus flags), which an (org, status) index answers.
# tests/test_query_plans.py runs EXPLAIN on every tab, count and badge to keep it so.

_STATUS = ("status", "status__in")


def _conjuncts(q: Q) -> list[list]:
    """``q`` as a list of ANDs, each a list of atoms (a (lookup, value) pair, an expression or a negated Q)."""
    if q.negated:
        return [[q]]
    branches: list[list] = []
    for child in q.children:
        if isinstance(child, Q):
            parts = _conjuncts(child)
        else:
            parts = [[child]]
        if q.connector == Q.OR:
            branches.extend(parts)
        elif not branches:
            branches = parts
        else:
            branches = [a + b for a in branches for b in parts]
    return branches if q.children else [[]]


def _conjunct_q(atoms: list) -> Q | None:
    """One AND as a Q, its state atoms intersected into one (None when they exclude each other)."""
    states: set | None = None
    rest: list = []
    for atom in atoms:
        if isinstance(atom, tuple) and atom[0] in _STATUS:
            values = {atom[1]} if atom[0] == "status" else set(atom[1])
            states = values if states is None else states & values
        elif not any(atom is a or (isinstance(a, type(atom)) and a == atom) for a in rest):
            rest.append(atom)
    if states is not None and not states:
        return None
    q = Q()
    if states is not None:
        q &= Q(status__in=sorted(states))
    for atom in rest:
        q &= atom if isinstance(atom, Q) else (Q(atom) if not isinstance(atom, tuple) else Q(**{atom[0]: atom[1]}))
    return q


def flat_or(*filters: Q) -> Q:
    """The union of these filters as one flat OR of index-friendly ANDs (see above); matches the same rows."""
    out: list[Q] = []
    for f in filters:
        for atoms in _conjuncts(f):
            q = _conjunct_q(atoms)
            if q is not None and q not in out:
                out.append(q)
    if not out:
        return Q(pk__in=[])
    total = out[0]
    for q in out[1:]:
        total |= q
    return total


def _tab_q(tab: Tab, actor) -> Q | None:
    if tab.todo is not None:
        return tab.todo(actor)
    parts = []
    for a in tab.actions:
        q = spec_for(a).todo_q(actor)
        if q is not None and q not in parts:  # 交办 and 转送 share their rule: one branch, not two
            parts.append(q)
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    if tab.status:
        q &= Q(status__in=tab.status)
    if tab.where is not None:
        q &= tab.where()
    return flat_or(q)


def tab_filters(user, today=None) -> dict[str, Q]:
    """The filter of every tab this user has (action tabs, then the due tabs).

    Kept on the user object for the day (a request's user: the counts, the tab bar and the
    list ask for them in turn, and building them is a good part of a page's time), as the
    user's role grants already are (User.roles).
    """
    if not isinstance(user, User):
        return _tab_filters(user, today)
    memo = user.__dict__.setdefault("_tab_filters_memo", {})
    key = (today, clock.today())
    if key not in memo:
        memo.clear()
        memo[key] = _tab_filters(user, today)
    return dict(memo[key])


# The due tabs' conditions: each tab is 全部待办 (for those who oversee, every case in scope) within
# its condition. Declared once: the tab filters and counts() both build them from here.
DUE_CONDITIONS = {"due_soon": due.due_soon_q, "overdue": due.overdue_q}
assert list(DUE_CONDITIONS) == [t.key for t in DUE_TABS]


def _tab_filters(user, today) -> dict[str, Q]:
    actor = as_actor(user)
    filters = {t.key: q for t in TABS if (q := _tab_q(t, actor)) is not None}
    if not filters and not oversees(actor):
        return filters
    # Who oversees sees every due case in scope: the city's due cases (case_status_due_idx), each
    # probed for the scope. Starting from the scope's open cases instead (access.open_in_scope) cost
    # more at 10^6 (a county leader's workbench 97 -> 135 ms): a county's open cases outnumber the
    # city's due ones until the city has some twenty counties (issue 10, bench/README.md).
    base = Q() if oversees(actor) else todo_q(filters)
    for key, condition in DUE_CONDITIONS.items():
        filters[key] = flat_or(base & condition(today))
    if oversees(actor):
        filters[ATTENTION_TAB.key] = flat_or(due.due_soon_q(today), due.overdue_q(today))
    return filters


SUBSET_TABS = frozenset({*DUE_CONDITIONS, ATTENTION_TAB.key})


def _not_todo() -> frozenset[str]:
    """Tabs outside 全部待办: the due tabs (subsets of it) and the suggestions."""
    return SUBSET_TABS | frozenset(t.key for t in TABS if t.suggestion)


def todo_q(filters: dict[str, Q]) -> Q:
    """全部待办: the union of the action tabs, suggestions left out."""
    skip = _not_todo()
    return flat_or(*(q for key, q in filters.items() if key not in skip))


def counts(user, today=None) -> dict[str, int]:
    """Every tab's count and the total to-do count ("todo"), in one query.

    The rows are first narrowed to the union of the tabs (each tab is an
    indexed search), so the conditional counts run over the user's to-do
    list, not over every case they may see.
    """
    filters = tab_filters(user, today)
    if not filters:
        return {"todo": 0}
    if oversees(as_actor(user)):
        # Their due tabs cover every case in scope, not only their own to-do list.
        return _count(user, filters, flat_or(*filters.values()), todo_q(filters))
    # The due tabs are 全部待办 ∩ due: the to-do filter is resolved once, as a flag on each row,
    # not again inside each due tab, and the rows are the action tabs' (the due tabs lie within).
    # Resolving those filters, not running them, was most of a workbench's time (issue 10).
    todo = todo_q(filters)
    rows = flat_or(*(q for key, q in filters.items() if key not in SUBSET_TABS))
    due_tabs = {key: condition(today) for key, condition in DUE_CONDITIONS.items() if key in filters}
    plain = {key: q for key, q in filters.items() if key not in DUE_CONDITIONS}
    return _count(user, plain, rows, todo, due_tabs=due_tabs)


def _count(user, filters: dict[str, Q], rows: Q, todo: Q, due_tabs: dict[str, Q] | None = None) -> dict[str, int]:
    aggregates = {key: Count("pk", filter=q) for key, q in filters.items()}
    qs = scoped_cases(user).filter(rows)
    if due_tabs:
        qs = qs.annotate(_todo=Case(When(todo, then=Value(1)), default=Value(0), output_field=IntegerField()))
        aggregates["todo"] = Count("pk", filter=Q(_todo=1))
        for key, q in due_tabs.items():
            aggregates[key] = Count("pk", filter=Q(_todo=1) & q)
    else:
        aggregates["todo"] = Count("pk", filter=todo)
    return qs.aggregate(**aggregates)


def todo_count(user) -> int:
    """The nav badge: one COUNT over the union of the to-do tabs."""
    filters = tab_filters(user)
    skip = _not_todo()
    if not any(k not in skip for k in filters):
        return 0
    return scoped_cases(user).filter(todo_q(filters)).count()


BADGE_SECONDS = 60


def _badge_key(user) -> str:
    return f"xinfang:todo-count:{user.pk}"


def cached_todo_count(user) -> int:
    """todo_count, kept for BADGE_SECONDS per user (a little stale at worst; the workbench is exact)."""
    from django.core.cache import cache

    count = cache.get(_badge_key(user))
    if count is None:
        count = todo_count(user)
        cache.set(_badge_key(user), count, BADGE_SECONDS)
    return count


def remember_todo_count(user, count: int) -> None:
    """The workbench counted exactly: the badge shows that count on the next pages."""
    from django.core.cache import cache

    cache.set(_badge_key(user), count, BADGE_SECONDS)


def forget_todo_count(user) -> None:
    """After the user's own action their count changed: count again on the next page."""
    from django.core.cache import cache

    cache.delete(_badge_key(user))


def tabs_for(user, counts_: dict[str, int]) -> list[dict]:
    """The tab bar: 全部待办, the user's action tabs, the due tabs, 全部信访件."""
    filters = tab_filters(user)
    out = []
    if any(k not in SUBSET_TABS for k in filters):
        label, help_ = ALL_TAB.text()
        out.append({"key": ALL_TAB.key, "label": label, "count": counts_.get("todo", 0), "help": help_})
    for tab in [ATTENTION_TAB, *TABS, *DUE_TABS]:
        if tab.key in filters:
            label, help_ = tab.text()
            out.append({"key": tab.key, "label": label, "count": counts_.get(tab.key, 0), "help": help_})
    label, help_ = SEARCH_TAB.text()
    # Not counted in the tab bar (it would count every case in scope); the list says how many.
    out.append({"key": SEARCH_TAB.key, "label": label, "count": None, "help": help_})
    return out


# 全部信访件 lists every case in the user's scope: for a county officer that is the county's
# whole history, and counting it all is a pass over that history on every page. The list
# says "more than" past this many (the filters narrow it); the to-do tabs count exactly.
SEARCH_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at ``cap`` + 1 rows of ``user``'s scope (access.count_up_to: a
    bounded walk, not a full count)."""

    def __init__(self, object_list, per_page, user, cap: int | None = None):
        super().__init__(object_list, per_page)
        self.user = user
        self.cap = SEARCH_COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        return count_up_to(self.object_list, self.user, self.cap + 1)

    def page(self, number):
        """The page, read from the cases that can be on it (``access.first_rows``)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        window = first_rows(self.object_list, self.user, top)
        return self._get_page(window[bottom:top], number, self)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


LIST_RELATED = ("current_org", "competent_org", "category", "category__parent", "handler")


def tab_queryset(user, tab: str, today=None):
    if tab == SEARCH_TAB.key:
        return scoped_cases(user).select_related(*LIST_RELATED)
    filters = tab_filters(user, today)
    q = filters.get(tab) if tab != ALL_TAB.key else todo_q(filters)
    if q is None:
        q = todo_q(filters)
    return scoped_cases(user).filter(q).select_related(*LIST_RELATED)
