"""EXPLAIN guard: no staff page reads the whole case, participant, event or deadline table.

The pages a clerk opens all day must cost what their page and the user's own
to-do list cost, not what the county's history costs (issue 10). A timed test
cannot say that on a shared machine; the query plan can. On a generated
county (the scale generator, a few thousand cases, ANALYZE so that the
planner weighs real statistics) every demo role opens the workbench (every
tab, with its counts), the case page and the navigation badge;
every SELECT they run is EXPLAINed, and a full scan of one of the big tables
fails the test with the page, the query and the plan:

* SQLite: a ``SCAN <table>`` step that uses no index;
* PostgreSQL: a ``Seq Scan on <table>`` (sequential scans disabled for the
  check, so that the planner shows a seq scan only where no index can serve).

``test_the_guard_sees_a_dropped_index`` drops the index the 待协办反馈 branch
depends on and expects the guard to fail.
"""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from xinfang.api.models import ApiToken
from xinfang.cases import workbench as wb
from xinfang.cases.access import PARTICIPATION_BUDGET, open_in_scope, scoped_cases
from xinfang.cases.models import Case, CaseOrg
from xinfang.cases.states import Kind
from xinfang.devdata.cases import _ensure_discipline_staff
from xinfang.devdata.county import DemoContext, build_orgs, build_petitioners, build_staff
from xinfang.devdata.scale import generate
from xinfang.orgs.models import DataScope, User

pytestmark = pytest.mark.django_db

CASES, DAYS = 600, 120
SCALE = 1000  # SQLite plans as if the tables were this many times larger (see _as_if_bigger)
BIG_TABLES = ("cases_case", "cases_caseorg", "cases_caseevent", "clock_deadline")


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """The demo county with CASES generated cases and fresh statistics; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(write=lambda _msg: None)
        build_orgs(ctx)
        build_staff(ctx)
        build_petitioners(ctx, 60)
        _ensure_discipline_staff(ctx)
        generate(CASES, write=lambda _msg: None, days=DAYS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if connection.vendor == "sqlite":
                _as_if_bigger(cursor, SCALE)
        yield
        transaction.set_rollback(True)


def _as_if_bigger(cursor, factor: int) -> None:
    """SQLite: statistics as if every table held ``factor`` times the rows (the same county, a longer history).

    A few hundred cases are cheaper to scan than to search, so SQLite would
    rightly scan them; scaled statistics make it plan as it does at 10^6
    (tables and rows per org and state grow, unique keys stay unique).
    ``ANALYZE sqlite_schema`` makes the planner read them again.
    """
    cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
    for tbl, idx, stat in cursor.fetchall():
        numbers = stat.split()
        scaled = [str(int(numbers[0]) * factor)]
        if idx and _leading_column(cursor, idx) in PER_CASE:
            # Rows per case (a case's participants, events, deadlines) stay as they are: the
            # cases are what grows. Scaled, a case would seem to have thousands of rows and
            # SQLite would plan a skip-scan over the few "distinct" cases.
            scaled += numbers[1:]
        else:
            scaled += [n if n == "1" or not n.isdigit() else str(int(n) * factor) for n in numbers[1:]]
        cursor.execute("UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx IS %s", [" ".join(scaled), tbl, idx])
    cursor.execute("ANALYZE sqlite_schema")


PER_CASE = frozenset({"case_id"})


def _leading_column(cursor, index: str) -> str | None:
    cursor.execute(f'PRAGMA index_info("{index}")')
    rows = cursor.fetchall()
    return rows[0][2] if rows else None


def _demo_users():
    """One user per distinct set of role grants and org kind: every demo role, each once."""
    seen, out = set(), []
    users = User.objects.filter(is_active=True).select_related("org").prefetch_related("role_grants")
    for user in users.order_by("pk"):
        key = (
            user.org.kind if user.org else None,
            user.org.level if user.org else None,
            frozenset((g.role, g.scope) for g in user.role_grants.all()),
        )
        if key not in seen:
            seen.add(key)
            out.append(user)
    return out


class Recorder:
    """Every SELECT a block runs, with its parameters (to EXPLAIN exactly what ran)."""

    def __init__(self):
        self.queries: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in BIG_TABLES):
            self.queries.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)


@contextmanager
def recording():
    rec = Recorder()
    with connection.execute_wrapper(rec):
        yield rec


_explained = itertools.count()


def plan(sql: str, params: tuple) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            return [row[0] for row in cursor.fetchall()]
        # A text of its own each time: Python's sqlite3 reuses a prepared statement of the same text,
        # and SQLite lists an EXPLAIN's plan as prepared, without preparing it again after a schema
        # change, so a plan explained before a test's DROP INDEX would still name the dropped index.
        cursor.execute(f"EXPLAIN QUERY PLAN {sql} /* plan {next(_explained)} */", params)
        return [row[-1] for row in cursor.fetchall()]


# An org's participant rows read by the org alone: every case the org ever took part in
# (the 待协办反馈 branch did this before caseorg_co_pending_idx). A look-up of one case's
# row (org and case) is fine.
_ORG_HISTORY = re.compile(r"(caseorg_org_case_idx|cases_caseorg_org_id_\w+)")


def full_scans(lines: list[str], sql: str = "") -> list[str]:
    # access.count_up_to reads a scope's participant rows by org, but only up to its budget, and
    # says so in the statement (LIMIT PARTICIPATION_BUDGET): that read is bounded, not a history.
    bounded = f"LIMIT {PARTICIPATION_BUDGET}" in sql
    # SQLite names a subquery's table by its alias (SCAN V0): read the aliases off the statement.
    aliases = dict((alias, table) for table, alias in re.findall(r'"(\w+)" ([A-Z]\d+)\b', sql))
    bad = []
    for i, line in enumerate(lines):
        if connection.vendor == "postgresql":
            for table in BIG_TABLES:
                if re.search(rf"Seq Scan on {table}\b", line):
                    bad.append(line.strip())
        elif (
            (scan := re.search(r"\bSCAN (\w+)", line))
            and "INDEX" not in line
            and aliases.get(scan[1], scan[1]) in BIG_TABLES
        ):
            bad.append(f"{line.strip()} ({aliases.get(scan[1], scan[1])})")
        if connection.vendor == "sqlite" and re.search(r"ANY\((case_id|owner_type_id|owner_id)\)", line):
            bad.append(line.strip())  # a skip-scan with one probe per case: every case
        if _ORG_HISTORY.search(line) and not bounded:
            if connection.vendor == "postgresql":
                cond = next((x for x in lines[i + 1 : i + 4] if "Index Cond" in x), "")
                # The org's open rows (access.open_in_scope) by the org index and a case_open filter: on a
                # few hundred cases PostgreSQL costs that the same as caseorg_open_idx and picks either, by
                # the day the data was generated for; at 10^6 it reads caseorg_open_idx (seen on the bench
                # database). SQLite's scaled statistics check the real choice.
                open_rows = any("Filter: case_open" in x for x in lines[max(0, i - 2) : i])
                if "case_id" not in cond and not open_rows:
                    bad.append(f"{line.strip()} {cond.strip()}")
            elif "case_id=" not in line:
                bad.append(line.strip())
    return bad


@contextmanager
def planner_prefers_indexes():
    """PostgreSQL: a seq scan only where no index can serve (small tables make it cheaper anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")


def _pages(user) -> list[tuple[str, object]]:
    """What this user opens: the workbench and each of its tabs, a case page, the badge."""
    client = Client()
    client.force_login(user)
    pages: list[tuple[str, object]] = [("/cases/", lambda: client.get("/cases/"))]
    for tab in wb.tabs_for(user, wb.counts(user)):
        url = f"/cases/?tab={tab['key']}"
        pages.append((url, lambda url=url: client.get(url)))
    case_id = scoped_cases(user).order_by("-pk").values_list("pk", flat=True).first()
    if case_id is not None:
        pages.append((f"/cases/{case_id}/", lambda: client.get(f"/cases/{case_id}/")))
    pages.append(("badge", lambda: wb.cached_todo_count(user)))
    _token, raw = ApiToken.issue(user, name="plans")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    pages.append(("/api/v1/cases", lambda: api.get("/api/v1/cases")))
    return pages


def scans_of_every_page(users=None) -> list[str]:
    problems: list[str] = []
    explained: dict[tuple[str, tuple], list[str]] = {}
    if users is None:
        users = _demo_users()
        assert len(users) >= 15
    for user in users:
        for name, open_page in _pages(user):
            cache.clear()  # the badge counts again
            with recording() as rec:
                response = open_page()
            status = getattr(response, "status_code", 200)
            assert status in (200, 403), (user.username, name, status)
            for sql, params in rec.queries:
                key = (sql, params)
                if key not in explained:
                    with planner_prefers_indexes():
                        explained[key] = full_scans(plan(sql, params), sql)
                if explained[key]:
                    problems.append(f"{user.username} {name}: {explained[key]} in {sql[:300]}")
    return problems


# Every demo role's pages take about a minute to EXPLAIN on SQLite: in parts, the suite's workers share them.
PARTS = 4


@pytest.mark.parametrize("part", range(PARTS))
def test_no_page_scans_a_big_table(county, part):
    users = _demo_users()
    assert len(users) >= 15
    # On PostgreSQL too since the scope's EXISTS is a per-row probe (``predicates.Probe``) and the
    # supervision tabs' and the capped count's id sets are ``in_select``: before, PostgreSQL read
    # every participant row of the user's orgs (a bureau's whole history) for each page.
    users = users[part::PARTS]
    problems = scans_of_every_page(users)
    assert problems == [], "\n".join(problems[:20])


def test_the_guard_sees_a_dropped_index(county):
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX caseorg_co_pending_idx")
        # Without both co-unit indexes: the one of the unit's co-unit parts alone would
        # serve the branch from the unit's whole co-unit history.
        cursor.execute("DROP INDEX caseorg_co_idx")
    problems = scans_of_every_page(list(User.objects.filter(username="officer")))
    # Without it SQLite walks every case's participant rows (a skip-scan of the unique index) or
    # every participant row of the bureau: either way the guard names the co-unit branch.
    assert any("co_report" in p and "caseorg" in p for p in problems), problems[:5]


def _due_queries(users) -> set[tuple[str, tuple]]:
    """建议催办's list and count for these users, as run.

    (Not the due tabs: anyone's due tabs lie within their to-do list, whose branches each lead with
    their org, and an overseer's are the city's due cases: see workbench._tab_filters.)"""
    with recording() as rec:
        for user in users:
            if "propose_urging" in wb.tab_filters(user):
                rows = wb.tab_queryset(user, "propose_urging")
                list(rows[:20])
                rows.count()
    return set(rec.queries)


def city_wide_indexes(cursor) -> list[str]:
    """The indexes of cases and deadlines that lead with their state or date: ranges over every
    county's due cases. A user whose scope is bounded (a county, a unit) must not depend on them."""
    names = []
    for table in ("cases_case", "clock_deadline"):
        for name, info in connection.introspection.get_constraints(cursor, table).items():
            if info["index"] and not info["primary_key"] and info["columns"][:1] in (["status"], ["due_date"]):
                names.append(name)
    assert {"case_status_due_idx", "clock_deadline_status_due"} <= set(names), names
    return names


def scans_without_the_city_wide_indexes(users) -> list[str]:
    """Queries that scan a big table once CITY_WIDE_INDEXES are gone, and did not before."""
    queries = _due_queries(users)

    def scans():
        # A skip-scan (SQLite: ANY(current_org_id)) reads the date range of every org: the city too.
        with planner_prefers_indexes():
            plans = {q: plan(*q) for q in queries}
        return {q: full_scans(lines, q[0]) + [x.strip() for x in lines if "ANY(" in x] for q, lines in plans.items()}

    before = scans()
    with connection.cursor() as cursor:
        for index in city_wide_indexes(cursor):
            cursor.execute(f'DROP INDEX "{index}"')
    after = scans()
    return [f"{after[q]} in {q[0][:300]}" for q in queries if after[q] and not before[q]]


def _bounded_users():
    """Who has 建议催办 over a county's or a unit's open cases (a city's scope reads the city's)."""
    users = [u for u in _demo_users() if "propose_urging" in wb.tab_filters(u) and open_in_scope(u) is not None]
    assert {"supervisor", "officer", "zrzy_officer"} <= {u.username for u in users}, [u.username for u in users]
    return users


def test_no_bounded_scope_depends_on_the_city_s_due_indexes(county):
    """建议催办 starts from the scope's open cases (caseorg_open_idx): with the city-wide date indexes
    dropped, nothing a county's or a unit's user runs for it turns into a scan. (The planner may still
    prefer such an index where it is the cheaper path; it must never be the only one.)"""
    problems = scans_without_the_city_wide_indexes(_bounded_users())
    assert problems == [], "\n".join(problems[:10])


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL, told to avoid seq scans, walks a whole other index instead, which the guard does not name",
)
def test_the_due_guard_sees_a_suggestion_that_reads_the_whole_city(county, monkeypatch):
    """Without the scope's open cases, 建议催办 has nothing to start from but the city's due deadlines."""
    from xinfang.supervision import proposals

    monkeypatch.setattr(proposals, "open_in_scope", lambda who: None)
    users = list(User.objects.filter(username__in=["supervisor", "officer"]))
    problems = scans_without_the_city_wide_indexes(users)
    assert any("(clock_deadline)" in p for p in problems), problems[:3]


def test_the_statistics_pages_scan_no_big_table(county):
    """The dashboard and the monthly table read the rollups; the cases they count directly are found by index,
    and so are the supervision items the ranking counts."""
    from xinfang.stats import rollups

    rollups.recompute_all()  # the generator writes raw rows, as an import does
    problems: list[str] = []
    for user in User.objects.filter(username__in=["leader", "statistician", "city_leader"]):
        client = Client()
        client.force_login(user)
        for url in ("/stats/dashboard/", "/stats/", "/stats/ranking/"):
            with recording() as rec:
                assert client.get(url).status_code == 200, (user.username, url)
            for sql, params in rec.queries:
                with planner_prefers_indexes():
                    scans = full_scans(plan(sql, params))
                if scans:
                    problems.append(f"{user.username} {url}: {scans} in {sql[:300]}")
    assert problems == [], "\n".join(problems[:20])


def _handlers():
    """The demo cast's handlers (assigned scope only), who hold a few cases of the county each.

    Not the generator's staff (scale*_handler): in this small county each holds a fifth of
    the cases, and for them walking newest-first finds twenty rows at once (PostgreSQL,
    whose statistics are not scaled, rightly does so).
    """
    users = [
        u
        for u in _demo_users()
        if {g.scope for g in u.role_grants.all()} == {DataScope.ASSIGNED} and not u.username.startswith("scale")
    ]
    assert {u.username for u in users} >= {"handler", "zrzy_handler"}
    return users


def _handler_list_queries(handlers):
    """(user, page, sql, params) of every statement of each handler's two lists (全部信访件, the API)."""
    for user in handlers:
        pages = [p for p in _pages(user) if p[0] in ("/cases/?tab=search", "/api/v1/cases")]
        assert len(pages) == 2, user.username
        for name, open_page in pages:
            with recording() as rec:
                assert open_page().status_code == 200
            for sql, params in rec.queries:
                yield user, name, sql, params


def walks_of_handler_lists(handlers) -> list[str]:
    """Steps of a handler's list queries that walk the case table instead of starting from their cases."""
    walks: list[str] = []
    for user, name, sql, params in _handler_list_queries(handlers):
        if not sql.lstrip().upper().startswith('SELECT "CASES_CASE"'):
            continue
        with planner_prefers_indexes():
            lines = plan(sql, params)
        if connection.vendor == "sqlite":
            walked = [x for x in lines if re.search(r"\bSCAN cases_case\b", x)]
        else:
            walked = [
                x
                for x in lines
                if re.search(r"(Index|Seq) Scan( Backward)? (using \w+ )?on cases_case\b", x)
                and "case_handler_idx" not in x
                and "case_handler_received_idx" not in x
                and "cases_case_pkey" not in x
            ]
        if walked:
            walks.append(f"{user.username} {name}: {walked} in {sql[:200]}")
    return walks


def test_a_handlers_lists_start_from_their_own_cases(county):
    """A handler's scope is their own cases and their unit's open co-unit parts: a few among millions.

    Their lists (全部信访件, the API) must start from those, not walk the newest-first index of
    every case checking each one (which reads the whole table when the handler has none).
    """
    walks = walks_of_handler_lists(_handlers())
    assert walks == [], "\n".join(walks[:10])


def test_the_guard_sees_a_dropped_handler_index(county):
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX case_handler_idx")
        cursor.execute("DROP INDEX case_handler_received_idx")
    walks = walks_of_handler_lists([User.objects.get(username="handler")])
    assert any("/api/v1/cases" in w for w in walks), walks[:5]


def sorts_of_handler_lists(handlers) -> list[str]:
    """The handlers' newest-first list queries (the page and its capped count) that sort what they read."""
    sorts: list[str] = []
    for user, name, sql, params in _handler_list_queries(handlers):
        # The page, and its capped count (a sliced subquery keeps the list's order).
        page = sql.lstrip().startswith('SELECT "cases_case"."id"')
        capped = sql.lstrip().startswith('SELECT COUNT(*) FROM (SELECT "cases_case"."id"')
        if not (page or capped) or "ORDER BY" not in sql:
            continue
        with planner_prefers_indexes():
            lines = plan(sql, params)
        if any("USE TEMP B-TREE FOR ORDER BY" in x for x in lines):
            sorts.append(f"{user.username} {name}: {sql[:200]}")
    return sorts


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL sorts a small county's few rows, rightly")
def test_a_handler_s_list_is_read_newest_first_from_an_index(county):
    """A handler's page and its capped count read their cases in the list's order (case_handler_received_idx)
    and stop at the page: sorting every case they ever handled was 85 of a 97 ms API list at 10^6
    (jw_handler, ~12,000 cases in three years). Their unit's open co-unit parts, when it has any,
    are another branch of the scope (an OR), which is sorted with the handler's own."""
    plain = [u for u in _handlers() if not CaseOrg.objects.filter(org=u.org, role="co", case_open=True).exists()]
    assert plain
    assert sorts_of_handler_lists(plain) == []
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX case_handler_received_idx")
    assert sorts_of_handler_lists(plain[:1])


def test_every_tab_count_is_the_length_of_its_list(county):
    """The one counting query (counts) and each tab's own list agree, for every role, on generated data."""
    checked = 0
    for user in _demo_users():
        counted = wb.counts(user)
        for key in [*wb.tab_filters(user), wb.ALL_TAB.key]:
            expected = counted["todo"] if key == wb.ALL_TAB.key else counted[key]
            assert wb.tab_queryset(user, key).count() == expected, (user.username, key)
            checked += expected > 0
    assert checked >= 20  # the generated county fills most tabs of most roles


def test_registration_finds_the_persons_other_matters_from_their_own_links(county):
    """The warnings at registration (条例 art 19(3), 36(3)) read the person's own cases, not the county's.

    As a join from the cases, SQLite walked every case newest-first for twenty of the
    person's (8.8 s a registration at 10^6 cases).
    """
    from xinfang.cases.access import same_person_matters
    from xinfang.cases.models import CasePetitioner
    from xinfang.petitioners.models import Petitioner

    registrar = User.objects.get(username="registrar")
    # Someone with an ID number on record: they are also found by it under another record.
    link = (
        CasePetitioner.objects.filter(case__registered_org=registrar.org)
        .exclude(petitioner__id_number_hash="")
        .order_by("pk")
        .first()
    )
    petitioner = Petitioner.objects.get(pk=link.petitioner_id)
    assert petitioner.id_number_hash
    with recording() as rec:
        assert same_person_matters(registrar, [petitioner])
    walks = []
    for sql, params in rec.queries:
        with planner_prefers_indexes():
            lines = plan(sql, params)
        # PostgreSQL too: its walk of every case newest-first, probing each for the person's links,
        # took 203 ms a registration at 10^5 (its statistics are not scaled here, and the UNION of
        # the links still starts from them).
        pattern = (
            r"\bSCAN cases_case\b"
            if connection.vendor == "sqlite"
            else r"(Seq Scan on cases_case\b|Index Scan( Backward)? using case_received_idx on cases_case\b)"
        )
        walks += [x for x in lines if re.search(pattern, x)]
    assert walks == []


def test_a_capped_count_is_the_same_by_either_walk(county, monkeypatch):
    """access.count_up_to gives qs[:limit].count() for every role, from the participant rows or not."""
    from xinfang.cases import access

    checked = 0
    for budget in (5, access.PARTICIPATION_BUDGET):  # 5: every scope takes the newest-first walk
        monkeypatch.setattr(access, "PARTICIPATION_BUDGET", budget)
        for user in _demo_users():
            for qs in (scoped_cases(user), scoped_cases(user).filter(status="handling"), wb.tab_queryset(user, "all")):
                qs = qs.order_by("-received_at", "-pk")
                for limit in (3, 1021):
                    assert access.count_up_to(qs, user, limit) == qs[:limit].count(), (user.username, budget, limit)
                    checked += 1
    assert checked > 100
    # A case whose handler's unit takes no part in it (say the handler moved on): still in the count
    # of someone who is both their unit's officer and a handler.
    mixed = User.objects.get(username="jyj_officer")
    other = Case.objects.exclude(participants__org=mixed.org).exclude(kind=Kind.ACCUSATION).first()
    Case.objects.filter(pk=other.pk).update(handler=mixed)
    qs = scoped_cases(mixed).order_by("-received_at", "-pk")
    assert other.pk in set(qs.values_list("pk", flat=True))
    assert access.count_up_to(qs, mixed, 10**6) == qs.count()


def test_a_small_units_capped_count_starts_from_its_participant_rows(county):
    """全部信访件 and the API count up to 1,021 cases. Walking newest-first for a unit in 0.4% of a
    city's cases probes 233,000 of them (308 ms at 10^6); its own participant rows are a few thousand."""
    from xinfang.cases.access import count_up_to

    user = User.objects.get(username="zrzy_officer")
    qs = scoped_cases(user).order_by("-received_at", "-pk")
    with recording() as rec:
        count_up_to(qs, user, 1021)
    counted = [(sql, params) for sql, params in rec.queries if 'FROM "cases_case" ' in sql]
    assert len(counted) == 1
    with planner_prefers_indexes():
        lines = plan(*counted[0])
    if connection.vendor == "sqlite":
        assert any("caseorg_org_case_idx (org_id=?)" in x for x in lines), lines
        assert not any("case_received_idx" in x for x in lines), lines
    else:
        assert any("caseorg_org_case_idx" in x for x in lines), lines


def test_a_co_unit_handler_s_pages_are_those_of_the_whole_scope(county):
    """``access.first_rows`` reads a handler's own cases only up to the page, and their unit's open
    co-unit parts: the same pages and capped counts as the whole scope, in every order, on the
    screen and over the API."""
    from django.db.models import F

    from xinfang.cases.access import count_up_to, first_rows

    mixed = [u for u in _handlers() if CaseOrg.objects.filter(org=u.org, role="co", case_open=True).exists()]
    assert mixed
    orders = (
        ("-received_at", "-pk"),
        ("received_at", "pk"),
        (F("due_date").asc(nulls_last=True), "received_at", "pk"),
    )
    checked = 0
    for user in mixed:
        own = Case.objects.filter(handler=user).count()
        for order in orders:
            qs = scoped_cases(user).order_by(*order)
            total = qs.count()
            assert total > own  # the co-unit parts are in it
            for offset, end in ((0, 5), (5, 10), (max(total - 3, 0), total + 2)):
                page = list(first_rows(qs, user, end)[offset:end].values_list("pk", flat=True))
                assert page == list(qs[offset:end].values_list("pk", flat=True)), (user.username, order, offset)
                checked += len(page)
            assert count_up_to(qs, user, 7) == min(7, total)
            assert count_up_to(qs, user, total + 5) == total
        client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, name='pages')[1]}")
        listed = client.get("/api/v1/cases", {"limit": 4, "offset": 2}).json()
        expected = scoped_cases(user).order_by("-received_at", "-pk")
        assert [c["id"] for c in listed["items"]] == list(expected[2:6].values_list("pk", flat=True))
        assert listed["count"] == expected.count()
    assert checked > 20


def test_an_id_set_is_read_unsorted_and_a_first_rows_set_in_its_order(county):
    """``in_select`` drops a subquery's default ordering (the supervision items' newest first: a sort
    of every open item for a set of ids) and keeps the order of a sliced one (its first rows)."""
    from django.db.models import Q

    from xinfang.supervision.models import SupervisionItem

    items = SupervisionItem.objects.filter(status="open").values("case_id")
    assert SupervisionItem._meta.ordering
    sql = str(Case.objects.filter(Q(pk__in_select=items)).query)
    assert "ORDER BY" not in sql
    first = Case.objects.order_by("-received_at", "-pk").values("pk")[:3]
    newest = list(Case.objects.order_by("-received_at", "-pk").values_list("pk", flat=True)[:3])
    assert "ORDER BY" in str(Case.objects.filter(Q(pk__in_select=first)).query)
    assert sorted(Case.objects.filter(Q(pk__in_select=first)).values_list("pk", flat=True)) == sorted(newest)


def test_the_ranking_reads_its_supervision_items_by_index_and_probes_each_for_the_scope(county):
    """督办超期 (stats.ranking) reads the items open and due, and those closed since the period began.

    Asked as "its case among the scope's cases", it read every case of the scope first (3.4 s
    for the city's ranking at 10^6 cases).
    """
    from xinfang.core import clock
    from xinfang.stats import ranking, table
    from xinfang.stats.periods import Period

    today = clock.today()
    for user in User.objects.filter(username__in=["leader", "city_leader"]):
        with recording() as rec:
            ranking.supervised_overdue(
                scoped_cases(user), table.root_for(user), Period.month(today.year, today.month), today
            )
        (sql, params), *_ = [q for q in rec.queries if "supervision_supervisionitem" in q[0]]
        with planner_prefers_indexes():
            lines = plan(sql, params)
        assert full_scans(lines, sql) == [], (user.username, lines)
        text = "\n".join(lines)
        assert "supervision_open_due_idx" in text and "supervision_closed_idx" in text, (user.username, text)


def test_the_supervision_lists_read_the_org_s_items_and_probe_each_for_the_scope(county):
    """/supervision/: every list from the items' indexes, not from the scope's cases (5 s at 10^6 before)."""
    from xinfang.supervision.views import LISTS

    problems = []
    for user in User.objects.filter(username__in=["supervisor", "officer", "zrzy_officer", "city_officer"]):
        client = Client()
        client.force_login(user)
        for show in LISTS:
            with recording() as rec:
                assert client.get(f"/supervision/?show={show}").status_code == 200
            for sql, params in rec.queries:
                with planner_prefers_indexes():
                    scans = full_scans(plan(sql, params), sql)
                if scans:
                    problems.append(f"{user.username} {show}: {scans} in {sql[:200]}")
    assert problems == [], "\n".join(problems[:10])
