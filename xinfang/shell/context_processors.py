"""The application shell: navigation by role, the user's org, the calendar warning."""

from datetime import date

from django.db.models import Count, Max, Min
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from xinfang.clock.models import Deadline, DeadlineStatus
from xinfang.clock.services import get_work_calendar, uncovered_years
from xinfang.clock.workcalendar import cached_revision
from xinfang.core import clock
from xinfang.orgs.models import Role
from xinfang.stats.table import STATS_ROLES

ANY = None

# (label, url name, roles that see it or ANY). Entries whose URL does not
# exist yet are skipped, so apps can land one at a time.
NAV = [
    # The leaders' and the bureau's overview of the month (issue 12).
    ("工作概览", "stats:dashboard", STATS_ROLES),
    ("工作台", "cases:workbench", ANY),
    ("消息", "notifications:inbox", ANY),
    ("登记信访件", "cases:register", {Role.REGISTRAR, Role.PETITION_OFFICER}),
    # Letters written on the portal, waiting for the bureau's clerks to register them.
    ("网上来信", "portal_staff:inbox", {Role.REGISTRAR, Role.PETITION_OFFICER}),
    ("信访人", "petitioners:list", {Role.REGISTRAR, Role.PETITION_OFFICER, Role.HANDLER, Role.UNIT_HEAD}),
    ("统计", "stats:monthly", STATS_ROLES),
    ("单位排名", "stats:ranking", STATS_ROLES),
    # A county's past years from its Excel ledgers (issue 14).
    ("台账导入", "ledgers:imports", {Role.REGISTRAR, Role.PETITION_OFFICER}),
    # The units' yellow and red cards: for those who supervise or answer for units, not for case clerks.
    ("问责登记簿", "escalation:register", {Role.SUPERVISOR, Role.LEADER, Role.UNIT_HEAD, Role.PETITION_OFFICER}),
    ("工作日历", "clock:calendar", ANY),
    ("系统管理", "admin:index", {Role.ADMINISTRATOR}),
]


def nav_for(user) -> list[dict]:
    roles = user.role_set()
    items = []
    for label, url_name, allowed in NAV:
        # The superuser flag opens the admin, not the case work (it does not widen case access either).
        if allowed is not ANY and not (roles & allowed) and not (user.is_superuser and url_name.startswith("admin:")):
            continue
        if url_name.startswith("admin:") and not user.is_staff:
            continue  # the admin site itself would turn them away
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "name": url_name})
    return items


def _todo_count(request, user) -> int | None:
    """The workbench badge: the workbench's own count on the workbench, else a short-lived cached one.

    Every page shows the badge; counting the to-do union on each of them would
    repeat the workbench's work a hundred times a day per clerk. The count is
    kept per user for ``BADGE_SECONDS`` (the workbench and the user's own
    actions refresh it), so a page pays for it at most once a minute.
    """
    cached = getattr(request, "_cases_todo_count", None)
    if cached is not None:
        return cached
    try:
        from xinfang.cases.workbench import cached_todo_count
    except ImportError:  # pragma: no cover - the cases app not installed
        return None
    return cached_todo_count(user)


def _unread_count(user) -> int | None:
    """The unread badge: one count on a partial index of the user's unread notifications."""
    try:
        from xinfang.notifications.services import unread_count
    except ImportError:  # pragma: no cover - the notifications app not installed
        return None
    return unread_count(user)


def _may_fix_calendar(user) -> bool:
    """Administrators, and staff who may load a year's schedule in the admin."""
    if user.is_superuser or Role.ADMINISTRATOR in user.role_set():
        return True
    return user.is_staff and user.has_perm("clock.add_calendaryear")


def _first_gap(covered: frozenset[int]) -> int | None:
    """The first year without a schedule after the earliest loaded one (None: nothing loaded)."""
    if not covered:
        return None
    year = min(covered)
    while year in covered:
        year += 1
    return year


# The summary below is the whole system's (29,286 open provisional deadlines at 10^6 cases, 55 ms to
# aggregate): an administrator's every page would pay it. Kept for the clock's current minute per
# calendar revision: a change of the calendar shows at once, a new provisional deadline within the minute.
WARNING_SECONDS = 60


def _provisional_summary(first_gap: int | None) -> dict:
    from django.core.cache import cache

    # The minute from the clock seam (not only the cache's own expiry), so that tests move it.
    minute = int(clock.now().timestamp() // WARNING_SECONDS)
    key = f"xinfang:provisional-deadlines:{cached_revision()}:{first_gap}:{minute}"
    found = cache.get(key)
    if found is None:
        provisional = Deadline.objects.filter(status=DeadlineStatus.OPEN, provisional=True)
        if first_gap is not None:
            provisional = provisional.filter(due_date__gte=date(first_gap, 1, 1))
        found = provisional.aggregate(count=Count("pk"), first=Min("start"), last=Max("due_date"))
        cache.set(key, found, WARNING_SECONDS)
    return found


def calendar_warning(user) -> dict | None:
    """Open deadlines flagged 暂定 because a year's official schedule is not loaded, for those who can load it.

    One aggregate over the open provisional deadlines (a minute in the cache), on the (status,
    due_date) index: a provisional deadline's window reaches a year without a
    schedule, so its due date is on or after 1 January of the first such year
    (years before the earliest loaded one are out of any open deadline's
    reach). The calendar itself is the per-process cached copy (one
    primary-key read of its revision token).
    """
    if not _may_fix_calendar(user):
        return None
    cal = get_work_calendar()
    first_gap = _first_gap(cal.covered_years)
    found = _provisional_summary(first_gap)
    if not found["count"]:
        return None
    years = [y for y in uncovered_years(found["first"], found["last"], cal) if first_gap is None or y >= first_gap]
    if not years:
        return None  # flags older than the calendar: `clock recompute` clears them
    links = None
    if user.is_staff:  # the admin site turns others away
        links = {
            "days": reverse("admin:clock_calendarday_changelist"),
            "years": reverse("admin:clock_calendaryear_changelist"),
        }
    return {
        "years": years,
        "years_label": "、".join(map(str, years)),
        "which": "该年" if len(years) == 1 else "各年",
        "count": found["count"],
        "admin": links,
    }


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(user.role_set())
    items = nav_for(user)
    for item in items:
        if item["name"] == "cases:workbench":
            item["count"] = _todo_count(request, user)
        elif item["name"] == "notifications:inbox":
            item["count"] = _unread_count(user)
    return {
        "nav_items": items,
        "user_org": user.org,
        "user_roles": [Role(r).label for r in roles],
        # Lazy: asked only by pages that show it (base.html), not by htmx fragments.
        "calendar_warning": SimpleLazyObject(lambda: calendar_warning(user)),
    }
