"""The application shell: navigation by role, the user's org."""

from django.urls import NoReverseMatch, reverse

from xinfang.orgs.models import Role

ANY = None

# (label, url name, roles that see it or ANY). Entries whose URL does not
# exist yet are skipped, so apps can land one at a time.
NAV = [
    ("工作台", "cases:workbench", ANY),
    ("登记信访件", "cases:register", {Role.REGISTRAR, Role.PETITION_OFFICER}),
    ("信访人", "petitioners:list", {Role.REGISTRAR, Role.PETITION_OFFICER, Role.HANDLER, Role.UNIT_HEAD}),
    ("工作日历", "clock:calendar", ANY),
    ("系统管理", "admin:index", {Role.ADMINISTRATOR}),
]


def nav_for(user) -> list[dict]:
    roles = user.role_set()
    items = []
    for label, url_name, allowed in NAV:
        if allowed is not ANY and not (roles & allowed) and not user.is_superuser:
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
    """The workbench badge: reuse the workbench's own count, else one COUNT query."""
    cached = getattr(request, "_cases_todo_count", None)
    if cached is not None:
        return cached
    try:
        from xinfang.cases.workbench import todo_count
    except ImportError:  # pragma: no cover - the cases app not installed
        return None
    return todo_count(user)


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(user.role_set())
    items = nav_for(user)
    for item in items:
        if item["name"] == "cases:workbench":
            item["count"] = _todo_count(request, user)
    return {
        "nav_items": items,
        "user_org": user.org,
        "user_roles": [Role(r).label for r in roles],
    }
