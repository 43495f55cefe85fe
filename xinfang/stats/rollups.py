"""Rollups for the statistics: per-case facts and their sums per (unit, month, channel, first-level category, kind).

Design (docs/metrics.md §8):

* ``CaseFact`` rows hold what one case adds to each additive base count of
  ``metrics.aggregates``, each dated by that count's own date, truncated to its
  month: 收件 counts by the month of receipt, 受理 by the month accepted, 答复
  and its evaluation by the month replied, 复查/复核意见 and 答复意见书 by the
  month of the event, 受理决定 by the month the acceptance clock was met, 按期办结
  by the month the handling deadline fell due. The counts that also need the
  办结 date (受理件中已办结, 领导批示件办结) carry it as a second month. The key
  is the case's handling unit (competent org, else the org holding it, as the
  monthly table groups), its channel, first-level category and kind.
* ``Rollup`` rows are the sums of the facts per key: a city's month is a few
  thousand rows whatever the number of cases. ``UnitRollup`` rows are the same
  sums over the categories (half the rows), which every read without a
  category reads. Rates are never stored.
* A period of whole months reads the rollups; a case the rollups cannot count
  exactly for that period is taken out (its facts subtracted) and counted by the
  direct queries instead (``exceptions``): a case with pending events (so the
  figures never lag the outbox), one of an accusation the viewer may not see,
  one with 受理决定 or 办理期限 facts in two months of a longer period (it counts
  once), one closed after the period's cutoff in the cutoff's month. Each of
  these sets is found by an index. A running handling deadline falling due from
  today on is not judged yet, but its fact counts it judged and late (as it will
  be once the day has passed, with no event to say so): the fact row also holds
  that deadline's due date and what it adds, which a period not yet ended takes
  out (``undue_summed``), so such cases are not counted directly. 期初积案 and its 化解 (a stock, not a flow)
  are counted directly over the few cases that can be in it: a handling
  deadline still open and due before the period, or met late across its start.
* Anything else (a range of days, an urgency or second-level category slice, a
  viewer whose scope does not cover the unit's whole subtree) uses the direct
  queries of ``metrics``, unchanged.

Maintenance: the ``stats-rollups`` consumer of the case-event outbox
(xinfang/cases/outbox.py) recomputes the event's case: it locks the case,
computes its facts, and applies new minus old to the rollup rows by atomic
increments (to both rollup tables), in the same transaction that marks the entry done. A replay finds
no difference; a worker killed mid-way leaves all or nothing. Raw rows written
outside the actions (the scale generator, imports) and deadline dates moved
without an event (a calendar edit's ``clock recompute``) are covered by
``manage.py recompute_rollups``, which rebuilds the three tables from the cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from xinfang.cases.models import Case, CaseEvent, OutboxEntry
from xinfang.cases.states import Action, Channel, Evaluation, ReviewDecision
from xinfang.clock.models import Clock, Deadline, DeadlineStatus
from xinfang.orgs.models import PATH_STEP, Org
from xinfang.stats.models import ROLLUP_COUNTS, CaseFact, Rollup, UnitRollup
from xinfang.stats.periods import Period

CONSUMER = "stats-rollups"
KEY = ("org_id", "month", "month2", "channel", "category_id", "kind")
# ``UnitRollup``'s key: ``KEY`` without the category (the positions of KEY it keeps, for the projection).
UNIT_KEY = ("org_id", "month", "month2", "channel", "kind")
_UNIT_AT = tuple(KEY.index(name) for name in UNIT_KEY)
CHUNK = 5000
BATCH = 2000


def month_of(d: date) -> date:
    return d.replace(day=1)


def _month_end(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_of(period: Period) -> list[date]:
    out, m = [], month_of(period.start)
    while m <= period.end:
        out.append(m)
        m = _month_end(m) + timedelta(days=1)
    return out


def whole_months(period: Period) -> bool:
    """A period the rollups answer: from a month's first day to a month's last day."""
    return period.start.day == 1 and _month_end(month_of(period.end)) == period.end


# ---------------------------------------------------------------- the facts of cases


def _case_type_id() -> int:
    return ContentType.objects.get_for_model(Case).pk


def _done(closed: date | None, final: date | None) -> date | None:
    days = [d for d in (closed, final) if d is not None]
    return min(days) if days else None


# The columns of a fact row as ``_fact_rows`` gives them (CaseFact's attnames): the case, the key, the
# extras, the counts.
EXTRAS = ("multi", "done_on", "late_span", "running_due", "undue_judged", "undue_late")
FACT_FIELDS = ("case_id", *KEY, *EXTRAS, *ROLLUP_COUNTS)


def _local_dates():
    """``clock.local_date`` with the current time zone looked up once: per moment it was a tenth of the rebuild."""
    tz = timezone.get_current_timezone()

    def local_date(value: datetime) -> date:
        return value.astimezone(tz).date() if timezone.is_aware(value) else value.date()

    return local_date


def facts_for(cases) -> list[CaseFact]:
    """The facts of these cases (a queryset), computed from their stored dates, events and deadlines."""
    return [CaseFact(**dict(zip(FACT_FIELDS, row, strict=True))) for row in _fact_rows(cases)]


def _fact_rows(cases) -> list[tuple]:
    """``facts_for``'s rows as tuples in ``FACT_FIELDS`` order, without model instances (the rebuild's bulk path)."""
    rows = list(
        cases.order_by()
        .annotate(
            unit=Coalesce("competent_org_id", "current_org_id"),
            top=Coalesce("category__parent_id", "category_id"),
        )
        .values_list(
            "pk",
            "unit",
            "channel",
            "top",
            "kind",
            "received_at",
            "person_count",
            "is_collective",
            "repeat_of_id",
            "is_skip_level",
            "leader_instruction",
            "accepted_on",
            "replied_on",
            "evaluation",
            "closed_on",
            "final_on",
        )
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    lo, hi = min(ids), max(ids)
    wanted = set(ids)
    local_date = _local_dates()
    # One scan of the id range's events through the (case, ...) index, unordered (the default ordering by
    # time made the database sort them). A review request counts for 申请复查 on or after the reply's local
    # day: the comparison an ``Exists(... at__date__gte=replied_on)`` per case made, done here per event.
    events = CaseEvent.objects.filter(
        case_id__gte=lo,
        case_id__lte=hi,
        action__in=[Action.REVIEW, Action.REEXAMINE, Action.REPLY, Action.REQUEST_REVIEW],
    ).order_by()
    asked_on: dict[int, date] = {}  # the latest local day a review was requested, per case
    dated = []
    for case_id, action, at, decision in events.values_list("case_id", "action", "at", "data__decision").iterator(
        chunk_size=BATCH
    ):
        if case_id not in wanted:
            continue
        day = local_date(at)
        if action == Action.REQUEST_REVIEW:
            if case_id not in asked_on or asked_on[case_id] < day:
                asked_on[case_id] = day
        else:
            dated.append((case_id, action, day, decision))
    # (case, month, month2) -> counts, plus the per-row extras
    acc: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(ROLLUP_COUNTS, 0))
    extra: dict[tuple, dict] = defaultdict(dict)
    keys: dict[int, tuple] = {}
    for (
        pk,
        unit,
        channel,
        top,
        kind,
        received_at,
        persons,
        collective,
        repeat_of,
        skip,
        leader,
        accepted_on,
        replied_on,
        evaluation,
        closed_on,
        final_on,
    ) in rows:
        keys[pk] = (unit, channel, top, kind)
        done = _done(closed_on, final_on)
        received = month_of(local_date(received_at))
        r = acc[(pk, received, None)]
        r["total"] = 1
        r["persons"] = persons
        if channel == Channel.VISIT and collective:
            r["collective"] = 1
            r["collective_persons"] = persons
        r["repeat"] = int(repeat_of is not None)
        r["skip_level"] = int(bool(skip))
        if leader:
            r["leader_instructed"] = 1
            if done is not None:
                k = (pk, received, month_of(done))
                acc[k]["leader_done"] = 1
                extra[k]["done_on"] = done
        if accepted_on is not None:
            acc[(pk, month_of(accepted_on), None)]["accepted"] = 1
            if done is not None:
                k = (pk, month_of(accepted_on), month_of(done))
                acc[k]["accepted_done"] = 1
                extra[k]["done_on"] = done
        if replied_on is not None:
            r = acc[(pk, month_of(replied_on), None)]
            r["replied"] = 1
            r["evaluated"] = int(evaluation != "")
            r["satisfied"] = int(evaluation in (Evaluation.SATISFIED, Evaluation.BASIC))
            r["unsatisfied"] = int(evaluation == Evaluation.UNSATISFIED)
            asked = asked_on.get(pk)
            r["review_requested"] = int(asked is not None and asked >= replied_on)
    for case_id, action, day, decision in dated:
        r = acc[(case_id, month_of(day), None)]
        upheld = int(decision == ReviewDecision.UPHOLD)
        if action == Action.REPLY:
            r["replies_issued"] += 1
        elif action == Action.REVIEW:
            r["reviews"] += 1
            r["reviews_upheld"] += upheld
        else:
            r["reexams"] += 1
            r["reexams_upheld"] += upheld
    deadlines = (
        Deadline.objects.filter(
            owner_type_id=_case_type_id(),
            owner_id__gte=lo,
            owner_id__lte=hi,
            clock__in=[Clock.ACCEPTANCE, Clock.HANDLING],
        )
        .order_by()
        .values_list("owner_id", "clock", "status", "paused", "due_date", "met_at")
    )
    months_with: dict[int, set] = defaultdict(set)
    # Per (case, month) of handling deadlines: whether a met one is judged, and late; the earliest running one.
    met_in: dict[tuple, int] = {}
    running_in: dict[tuple, date] = {}
    for owner, clk, status, paused, due_date, met_at in deadlines.iterator(chunk_size=BATCH):
        if owner not in wanted:
            continue
        met = status == DeadlineStatus.MET
        if clk == Clock.ACCEPTANCE:
            if met:  # 受理决定 in the month met; late when met after the due date
                m = month_of(met_at)
                r = acc[(owner, m, None)]
                r["decided"] = 1
                r["decided_late"] = max(r["decided_late"], int(met_at > due_date))
                months_with[owner].add(("a", m))
            continue
        if status == DeadlineStatus.CANCELLED:
            continue
        if met and met_at > due_date:  # late across the month starts after its due date: a backlog candidate
            k = (owner, month_of(due_date), month_of(met_at))
            acc[k]  # noqa: B018  (the row exists even when it counts nothing else)
            extra[k]["late_span"] = 1
        running = status == DeadlineStatus.OPEN and not paused
        if met or running:  # judged once its due date has passed (a running one: see ``undue_summed``)
            m = month_of(due_date)
            r = acc[(owner, m, None)]
            r["judged"] = 1
            r["late"] = max(r["late"], int(running or met_at > due_date))
            months_with[owner].add(("h", m))
            if met:
                met_in[(owner, m)] = max(met_in.get((owner, m), 0), int(met_at > due_date))
            elif (owner, m) not in running_in or due_date < running_in[(owner, m)]:
                running_in[(owner, m)] = due_date
    # Before its earliest running deadline's day, the row's judged and late are what its met deadlines
    # give: 1 - (a met one), 1 - (a met one late). From that day on the running ones count it late.
    for (owner, m), due_date in running_in.items():
        more = extra[(owner, m, None)]
        more["running_due"] = due_date
        met_late = met_in.get((owner, m))
        more["undue_judged"] = int(met_late is None)
        more["undue_late"] = int(not met_late)
    multi = {
        pk
        for pk, seen in months_with.items()
        if len({m for t, m in seen if t == "a"}) > 1 or len({m for t, m in seen if t == "h"}) > 1
    }
    out = []
    for (pk, month, month2), counts in acc.items():
        unit, channel, top, kind = keys[pk]
        more = extra.get((pk, month, month2), {})
        out.append(
            (
                pk,
                unit,
                month,
                month2,
                channel,
                top,
                kind,
                pk in multi,
                more.get("done_on"),
                more.get("late_span", 0),
                more.get("running_due"),
                more.get("undue_judged", 0),
                more.get("undue_late", 0),
                *counts.values(),  # dict.fromkeys(ROLLUP_COUNTS): in ROLLUP_COUNTS order
            )
        )
    return out


def _key(fact) -> tuple:
    return tuple(getattr(fact, name) for name in KEY)


def _sum_into(sums: dict[tuple, list[int]], facts: Iterable[CaseFact], sign: int = 1) -> None:
    """Add the facts' counts (in ``ROLLUP_COUNTS`` order) into ``sums`` per ``KEY``."""
    for fact in facts:
        into = sums.setdefault(_key(fact), [0] * len(ROLLUP_COUNTS))
        for i, name in enumerate(ROLLUP_COUNTS):
            into[i] += sign * getattr(fact, name)


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert tuples of these attnames into ``model``'s table: ``COPY`` on PostgreSQL, else one ``executemany``.

    What ``bulk_create`` writes, without a model instance and a compiled statement per row: on SQLite
    its 999-variable limit cut the 34 columns of a fact into batches of 29 rows, and preparing each
    value through its field took most of the rebuild. psycopg's ``executemany`` sends a statement
    per row (two thirds of the rebuild at 10^5 on PostgreSQL); ``COPY`` takes the tuples as they are.
    On SQLite only the dates need the driver's form.
    """
    if not rows:
        return
    db = connections[model.objects.db]
    meta = model._meta
    qn = db.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in fields)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        dates = [i for i, name in enumerate(fields) if meta.get_field(name).get_internal_type() == "DateField"]
        params: list[list] = [list(row) for row in rows]
        day = db.ops.adapt_datefield_value
        for param in params:
            for i in dates:
                if param[i] is not None:
                    param[i] = day(param[i])
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})", params)  # noqa: S608


def recompute_all() -> int:
    """Rebuild the facts and the rollups from every case (in chunks of ids); returns the rollup rows written."""
    width = len(KEY)
    counts_at = 1 + width + len(EXTRAS)
    with transaction.atomic():
        Rollup.objects.all().delete()
        UnitRollup.objects.all().delete()
        CaseFact.objects.all().delete()
        sums: dict[tuple, list[int]] = {}
        last = 0
        while True:
            ids = list(Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            rows = _fact_rows(Case.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]))
            _insert(CaseFact, FACT_FIELDS, rows)
            for row in rows:  # the sums per key
                key = row[1 : 1 + width]
                into = sums.get(key)
                if into is None:
                    sums[key] = list(row[counts_at:])
                else:
                    for i, n in enumerate(row[counts_at:]):
                        into[i] += n
            last = ids[-1]
        _insert(Rollup, (*KEY, *ROLLUP_COUNTS), [(*key, *counts) for key, counts in sums.items()])
        _insert(UnitRollup, (*UNIT_KEY, *ROLLUP_COUNTS), [(*key, *counts) for key, counts in _by_unit(sums).items()])
        return len(sums)


def _by_unit(sums: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Sums per ``KEY`` (the rebuild's, a case's difference) summed over the categories, per ``UNIT_KEY``."""
    out: dict[tuple, list[int]] = {}
    for key, counts in sums.items():
        into = out.setdefault(tuple(key[i] for i in _UNIT_AT), [0] * len(counts))
        for i, n in enumerate(counts):
            into[i] += n
    return out


def _where(names: tuple[str, ...], key: tuple) -> dict:
    return {
        (name if value is not None else f"{name}__isnull"): (value if value is not None else True)
        for name, value in zip(names, key, strict=True)
    }


def _apply(model, names: tuple[str, ...], diff: dict[tuple, list[int]]) -> None:
    """Add each key's non-zero differences (in ``ROLLUP_COUNTS`` order) to ``model``'s row of that key
    (created when missing)."""
    for key, counts in diff.items():
        delta = {name: n for name, n in zip(ROLLUP_COUNTS, counts, strict=True) if n}
        if not delta:
            continue
        # One row per key is updated by an atomic increment; two workers creating the same key at once
        # make two rows, which sum the same.
        pk = model.objects.filter(**_where(names, key)).values_list("pk", flat=True).first()
        if pk is None:
            model.objects.create(**dict(zip(names, key, strict=True)), **delta)
        else:
            model.objects.filter(pk=pk).update(**{name: F(name) + n for name, n in delta.items()})


def refresh_case(case_id: int) -> None:
    """Recompute one case's facts and apply the difference to the rollups (idempotent; call in a transaction)."""
    # Lock the case: two workers applying events of one case must not both subtract the same old facts.
    if not Case.objects.select_for_update().filter(pk=case_id).exists():
        return
    old = list(CaseFact.objects.filter(case_id=case_id))
    new = facts_for(Case.objects.filter(pk=case_id))
    diff: dict[tuple, list[int]] = {}
    _sum_into(diff, old, -1)
    _sum_into(diff, new)
    CaseFact.objects.filter(case_id=case_id).delete()
    CaseFact.objects.bulk_create(new)
    _apply(Rollup, KEY, diff)
    _apply(UnitRollup, UNIT_KEY, _by_unit(diff))


def on_case_event(event) -> None:
    """The outbox handler: the event's case may have changed any of its dates, unit or facts."""
    refresh_case(event.case_id)


# ---------------------------------------------------------------- reading


def pending_cases():
    """Cases with an event the consumer has not applied yet (read through the pending-entries index)."""
    return OutboxEntry.objects.filter(consumer=CONSUMER, done_at__isnull=True, failed_at__isnull=True).values(
        "event__case_id"
    )


def exceptions(period: Period, today: date) -> list:
    """Id subqueries of the cases whose facts do not give their exact counts for this period (see the module's head),
    besides the pending ones (``pending_cases``: the caller asks for those first).

    The running handling deadlines not yet due are apart (``undue_summed``): only their 按期办结 facts
    are wrong, and by an amount their facts hold.
    """
    months = months_of(period)
    cut = period.cutoff(today)
    out = []
    if len(months) > 1:  # 受理决定 or 办理期限 facts in two of its months: the case counts once
        out.append(CaseFact.objects.filter(multi=True, month__gte=months[0], month__lte=months[-1]).values("case_id"))
    if cut < _month_end(month_of(cut)):  # 办结 after the cutoff but within its month
        eom = _month_end(month_of(cut))
        out.append(CaseFact.objects.filter(done_on__gt=cut, done_on__lte=eom).values("case_id"))
    return out


def backlog_candidates(period: Period) -> list:
    """Id subqueries of the cases with a handling deadline overdue at the start: open and due before it,
    or met late across it. Each such case is in 期初积案 when accepted before the start and not 办结
    before it (``metrics.backlog_of_overdue``), unless its facts lag (a pending case).

    The period starts on a month's first day (as every period the rollups answer), so "due before the
    start, met on or after it" is "due in an earlier month, met in this one or later" on the facts'
    months, exactly. The open ones through ``clock_deadline_handling``: the open deadlines of
    every clock due before the start are several times as many (the review windows above all).
    """
    start = period.start
    open_before = Deadline.objects.filter(
        Q(met_at__isnull=True) | Q(met_at__gte=start),
        status=DeadlineStatus.OPEN,
        clock=Clock.HANDLING,
        due_date__lt=start,
        owner_type_id=_case_type_id(),
    ).values("owner_id")
    across = CaseFact.objects.filter(late_span__gt=0, month2__gte=month_of(start), month__lt=month_of(start))
    return [open_before, across.values("case_id")]


SUMS = {name: Coalesce(Sum(name), Value(0)) for name in ROLLUP_COUNTS}


def undue_summed(where: Q, org: Org, period: Period, today: date) -> dict[str, dict[str, int]]:
    """What the running handling deadlines not yet due add to ``where``'s 按期办结 facts, per unit row.

    A running deadline's fact counts it judged and late, as it will be once its day has passed, with no
    event to say so; before that day (the direct count judges an open deadline from the day after its
    due date) the row's ``undue_judged`` and ``undue_late`` are to be taken out. Only a period that
    has not ended has such rows: a few thousand of a city's facts in the current month, found through
    the partial index on ``running_due``. (Counting these cases directly was most of the dashboard.)
    """
    if today > period.end:
        return {}
    sums = {name: Coalesce(Sum(name), Value(0)) for name in ("undue_judged", "undue_late")}
    due = Q(running_due__gte=max(today, period.start), running_due__lte=period.end)
    return {row.pop("row"): row for row in _per_row(CaseFact, where & due, org, period, (), sums)}


def untake_undue(sums: dict[str, int], base: dict[str, int]) -> None:
    """Take ``undue_summed``'s counts out of the base counts (``to_base``'s 按期办结 terms with the sign -1)."""
    base["handling_due"] -= sums["undue_judged"]
    base["handled_late"] -= sums["undue_late"]
    base["handled_on_time"] -= sums["undue_judged"] - sums["undue_late"]


def to_base(rows: Iterable[dict], base: dict[str, int], sign: int = 1) -> None:
    """Add summed fact columns (one dict per channel and kind) into the base counts of ``metrics.aggregates``."""
    for s in rows:
        total, persons = s["total"] * sign, s["persons"] * sign
        base["total"] += total
        base["persons"] += persons
        if s["channel"] == Channel.VISIT:
            base["visit_batches"] += total
            base["visit_persons"] += persons
        base[f"channel_{s['channel']}"] += total
        base[f"kind_{s['kind']}"] += total
        for code, name in (
            ("collective_batches", "collective"),
            ("collective_persons", "collective_persons"),
            ("repeat", "repeat"),
            ("skip_level", "skip_level"),
            ("leader_instructed", "leader_instructed"),
            ("leader_instructed_done", "leader_done"),
            ("accepted", "accepted"),
            ("accepted_done", "accepted_done"),
            ("decided", "decided"),
            ("handling_due", "judged"),
            ("handled_late", "late"),
            ("replied", "replied"),
            ("evaluated", "evaluated"),
            ("satisfied", "satisfied"),
            ("unsatisfied", "unsatisfied"),
            ("review_requested", "review_requested"),
            ("reviews", "reviews"),
            ("reviews_upheld", "reviews_upheld"),
            ("reexams", "reexams"),
            ("reexams_upheld", "reexams_upheld"),
            ("replies_issued", "replies_issued"),
        ):
            base[code] += sign * s[name]
        base["first"] += total - sign * s["repeat"]
        base["decided_on_time"] += sign * (s["decided"] - s["decided_late"])
        base["handled_on_time"] += sign * (s["judged"] - s["late"])


def _per_row(model, where: Q, org: Org, period: Period, fields: tuple[str, ...], sums: dict):
    """``model``'s rows (a rollup table or CaseFact) in the period's months under ``org``, ``sums`` per unit
    row and ``fields``.

    The unit row is the path of the child of ``org`` the unit lies under, ``org.path`` for its own.
    """
    months = months_of(period)
    return (
        model.objects.filter(where, month__gte=months[0], month__lte=months[-1], org__path__startswith=org.path)
        .annotate(row=Substr("org__path", 1, len(org.path) + PATH_STEP))
        .order_by()
        .values("row", *fields)
        .annotate(**sums)
    )


def summed(model, where: Q, org: Org, period: Period, today: date) -> dict[str, list[dict]]:
    """The rows of ``model`` (a rollup table or CaseFact) in the period's months under ``org``, summed per unit row.

    Keyed like the monthly table: the path of the child of ``org`` the unit lies under, ``org.path`` for its own.
    """
    out: dict[str, list[dict]] = defaultdict(list)
    # The rows with a second month hold only the 办结-dated counts: those done after the cutoff's month
    # count nothing here (a past month's are most of its rows), so they are left out of the sums.
    done = Q(month2__isnull=True) | Q(month2__lte=month_of(period.cutoff(today)))
    for row in _per_row(model, where & done, org, period, ("channel", "kind"), SUMS):
        out[row.pop("row")].append(row)
    return out


__all__ = [
    "CONSUMER",
    "backlog_candidates",
    "exceptions",
    "facts_for",
    "on_case_event",
    "recompute_all",
    "refresh_case",
    "summed",
    "to_base",
    "undue_summed",
    "untake_undue",
    "whole_months",
]
