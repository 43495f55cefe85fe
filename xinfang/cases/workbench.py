"""The workbench: what is waiting for this user, as filters over scoped cases.

Each tab is a Q over the case table built from the user's org and roles and
always applied on top of ``access.scoped_cases`` (so a tab can never show a
case the user may not open). All tab counts come from one aggregate query.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, Subquery

from xinfang.cases.access import scoped_cases
from xinfang.cases.models import CaseOrg
from xinfang.cases.states import OPEN_STATES, ParticipantRole, Status
from xinfang.core import clock
from xinfang.orgs.models import OrgKind, Role

DUE_SOON_DAYS = 3
_EVALUABLE = [Status.REPLIED, Status.REPORTED, Status.CLOSED]


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    help: str


TABS = [
    Tab("registered", "待交转办", "本单位登记、待交办或转送的信访件"),
    Tab("to_sign", "待签收", "转送或交办到本单位、待签收的信访件"),
    Tab("to_decide", "待受理", "待作出受理决定的信访件"),
    Tab("handling", "办理中", "已受理、正在办理的信访件"),
    Tab("due_soon", "3日内到期", "期限在3日内届满的在办信访件"),
    Tab("overdue", "已超期", "已超过办理期限的在办信访件"),
    Tab("co_report", "待协办反馈", "本单位作为协办单位、尚未反馈协办情况的信访件"),
    Tab("to_evaluate", "待评价", "答复已送达、尚未评价的信访件"),
    Tab("to_confirm", "待审核办结", "主办单位已报结、待本单位审核的交办件"),
    Tab("review", "复查复核", "本级作为复查或复核机关的信访件"),
]
TAB_KEYS = [t.key for t in TABS]
# Not a to-do queue: every case in the user's scope, to find one by its number or filters.
SEARCH_TAB = Tab("search", "全部信访件", "本人可查看的全部信访件（含已办结）")
# Roles that only oversee: their workbench opens on 全部信访件, not on an empty to-do list.
OVERSIGHT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.STATISTICIAN})
# Tabs that are subsets of others: not added again to the nav's total.
SUBSET_TABS = frozenset({"due_soon", "overdue"})


def _only_own_cases(user) -> bool:
    """A handler without an office role sees the cases assigned to them personally."""
    return user.has_role(Role.HANDLER) and not user.has_role(
        Role.UNIT_HEAD, Role.PETITION_OFFICER, Role.REGISTRAR, Role.LEADER
    )


def default_tab(user) -> str:
    roles = user.role_set()
    return SEARCH_TAB.key if roles and roles <= OVERSIGHT_ROLES else "all"


def acting_org_ids(user) -> list[int]:
    """The org and, for a petition bureau, the government it acts for (permissions.acts_for)."""
    org = user.org
    if org is None:
        return []
    ids = [org.pk]
    if org.kind == OrgKind.PETITION_BUREAU and org.parent_id:
        ids.append(org.parent_id)
    return ids


def tab_filters(user, today=None) -> dict[str, Q]:
    today = today or clock.today()
    none = Q(pk__in=[])
    if user.org_id is None:
        return {key: none for key in TAB_KEYS}
    org = user.org_id
    mine = Q(handler=user.pk) if _only_own_cases(user) else Q(current_org=org)
    running = Q(status__in=OPEN_STATES, hearing_open=False)  # a hearing pauses the clock: not due
    acting = acting_org_ids(user)
    co_report = none
    if user.has_role(Role.HANDLER, Role.UNIT_HEAD, Role.PETITION_OFFICER):  # who may report (permissions)
        # pk IN (subquery) keeps it an indexed search (caseorg_org_case_idx) inside the tab union.
        owed = CaseOrg.objects.filter(org=org, role=ParticipantRole.CO, reported_at__isnull=True)
        co_report = Q(pk__in=Subquery(owed.values("case_id")), status__in=[Status.HANDLING, Status.REPLIED])
    return {
        "registered": Q(status=Status.REGISTERED, current_org=org),
        "to_sign": Q(status__in=[Status.FORWARDED, Status.ASSIGNED], current_org=org),
        "to_decide": Q(status=Status.TO_DECIDE, current_org=org),
        "handling": Q(status=Status.HANDLING) & mine,
        "due_soon": running & mine & Q(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS)),
        "overdue": running & mine & Q(due_date__lt=today),
        # Each OR branch leads with an indexed equality (case_eval_*_idx) so the
        # database can union two index searches instead of scanning closed cases.
        "co_report": co_report,
        "to_evaluate": Q(competent_org=org, evaluation="", status__in=_EVALUABLE, reply_delivered_on__isnull=False)
        | Q(routing_org=org, evaluation="", status__in=_EVALUABLE, reply_delivered_on__isnull=False),
        "to_confirm": Q(status=Status.REPORTED, routing_org=org),
        "review": Q(status=Status.REVIEW_REQUESTED, review_org__in=acting)
        | Q(status=Status.REEXAM_REQUESTED, reexam_org__in=acting),
    }


def todo_q(filters: dict[str, Q]) -> Q:
    total = Q(pk__in=[])
    for key, q in filters.items():
        if key not in SUBSET_TABS:
            total |= q
    return total


def counts(user, today=None) -> dict[str, int]:
    """Every tab's count and the total to-do count ("todo"), in one query.

    The rows are first narrowed to the union of the tabs (each tab is an
    indexed search), so the conditional counts run over the user's to-do
    list, not over every case they may see.
    """
    filters = tab_filters(user, today)
    aggregates = {key: Count("pk", filter=q) for key, q in filters.items()}
    aggregates["todo"] = Count("pk", filter=todo_q(filters))
    union = Q(pk__in=[])
    for q in filters.values():
        union |= q
    return scoped_cases(user).filter(union).aggregate(**aggregates)


def todo_count(user) -> int:
    """The nav badge: one COUNT over the union of the to-do tabs."""
    return scoped_cases(user).filter(todo_q(tab_filters(user))).count()


LIST_RELATED = ("current_org", "competent_org", "category", "category__parent", "handler")


def tab_queryset(user, tab: str, today=None):
    if tab == SEARCH_TAB.key:
        return scoped_cases(user).select_related(*LIST_RELATED)
    filters = tab_filters(user, today)
    q = filters.get(tab) if tab != "all" else todo_q(filters)
    if q is None:
        q = todo_q(filters)
    return scoped_cases(user).filter(q).select_related(*LIST_RELATED)


def due_filter(value: str, today=None) -> Q | None:
    """The 期限 filter over open cases whose deadline is running (a hearing pauses it)."""
    today = today or clock.today()
    running = Q(status__in=OPEN_STATES, hearing_open=False)
    return {
        "overdue": running & Q(due_date__lt=today),
        "due_soon": running & Q(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS)),
        "provisional": Q(status__in=OPEN_STATES, due_provisional=True),
    }.get(value)


def due_state(due, today=None, *, soon_days: int = DUE_SOON_DAYS) -> tuple[str, int | None]:
    """('overdue'|'due_soon'|'ok'|'', days left): shared by the row class and the tag."""
    if due is None:
        return "", None
    today = today or clock.today()
    left = (due - today).days
    if left < 0:
        return "overdue", left
    if left <= soon_days:
        return "due_soon", left
    return "ok", left
