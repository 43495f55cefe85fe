"""The statistics' metrics: one definition each, computed in SQL over a scope of cases.

Every figure is an aggregate over stored dates and states (docs/metrics.md
defines each one: numerator, denominator, the date that puts a case in the
period, what is excluded). ``counts(qs, period)`` computes all the base
counts in one query; ``grouped_counts`` the same per unit of the monthly
table, grouped in SQL; the ``Metric`` registry turns counts into figures
(a count, or a rate = numerator ÷ denominator); and one function per metric
(``total``, ``closure_rate`` ...) answers a single figure.

The scope is whatever queryset the caller passes: the pages and the API pass
``xinfang.cases.access.scoped_cases(user)``, so statistics never reach
further than the case list does. Nothing here loops over cases in Python.

No figure here ranks or lists petitioners, and none is a score: collective,
repeat and skip-level counts describe what arrived, to find problems left
unresolved (DESIGN.md §1, principle 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.states import Action, Channel, Evaluation, Kind, ReviewDecision
from xinfang.clock.models import Clock, Deadline, DeadlineStatus
from xinfang.core import clock
from xinfang.stats.periods import Period

HUNDREDTH = Decimal("0.01")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator as a percentage with two decimals (half up); None when nothing to divide by.

    rate(234, 259) == Decimal("90.35"); rate(40, 49) == Decimal("81.63").
    """
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def change(current, previous, *, is_rate: bool) -> Decimal | None:
    """同比/环比: the relative change of a count in percent, or the difference of a rate in percentage points.

    None when it cannot be said (no previous figure, or a count that was 0).
    """
    if current is None or previous is None:
        return None
    if is_rate:
        return (Decimal(current) - Decimal(previous)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if not previous:
        return None
    relative = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return relative.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- the stored facts


def _case_type_id() -> int:
    return ContentType.objects.get_for_model(Case).pk  # cached by ContentType's manager


def _deadlines(clock_code: str):
    """The case's stored deadlines of one clock (a correlated subquery on the outer case)."""
    return Deadline.objects.filter(owner_type_id=_case_type_id(), owner_id=OuterRef("pk"), clock=clock_code)


def _events(action: str, period: Period | None = None, **data):
    qs = CaseEvent.objects.filter(case=OuterRef("pk"), action=action)
    if period is not None:
        first, after = period.moments()
        qs = qs.filter(at__gte=first, at__lt=after)
    if data:
        qs = qs.filter(**{f"data__{key}": value for key, value in data.items()})
    return qs


def _event_count(action: str, period: Period, **data):
    """How many such events the case had in the period (0 when none), for Sum()."""
    counted = _events(action, period, **data).order_by().values("case").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _done_by(day: date) -> Q:
    """办结 on or before ``day``: closed at this level, or made final without a closure (终结)."""
    return Q(closed_on__lte=day) | Q(final_on__lte=day)


def _count(q) -> Count:
    return Count("pk", filter=q)


def _sum_persons(q) -> Coalesce:
    return Coalesce(Sum("person_count", filter=q), Value(0))


@cache
def base_names() -> tuple[str, ...]:
    """The names of the base counts, in ``aggregates``' order (built once: a zero row needs only these)."""
    return tuple(aggregates(Period.month(2000, 1), date(2000, 1, 1)))


def aggregates(period: Period, today: date | None = None) -> dict:
    """Every base count of the period as a named aggregate over cases (see docs/metrics.md)."""
    return dict(_aggregates(period, today or clock.today(), _case_type_id()))


# Building the ~50 expressions costs several ms and a page asks for the same few periods over and over.
# Expressions are resolved into copies when a query uses them, so one dict serves every query; the
# content type's id is in the key because a test database may give it another id.
@lru_cache(maxsize=64)
def _aggregates(period: Period, today: date, _case_type: int) -> dict:
    start, end = period.start, period.end
    cut = period.cutoff(today)
    first, after = period.moments()

    received = Q(received_at__gte=first, received_at__lt=after)
    visit = Q(channel=Channel.VISIT)
    collective = received & visit & Q(is_collective=True)
    leader = received & ~Q(leader_instruction="")
    accepted = Q(accepted_on__gte=start, accepted_on__lte=end)
    replied = Q(replied_on__gte=start, replied_on__lte=end)

    # 受理决定: the acceptance clock (受理告知期限) met in the period; late when met after its due date.
    acceptance = _deadlines(Clock.ACCEPTANCE).filter(status=DeadlineStatus.MET, met_at__gte=start, met_at__lte=end)
    decided = Exists(acceptance)
    decided_late = Exists(acceptance.filter(met_at__gt=F("due_date")))

    # 按期办结: handling deadlines falling due in the period that can be judged now (met, or open and
    # already past their date while running); late when met after the date or still open past it.
    handling = _deadlines(Clock.HANDLING).filter(due_date__gte=start, due_date__lte=end)
    open_past = Q(status=DeadlineStatus.OPEN, paused=False, due_date__lt=today)
    judged = Exists(handling.filter(Q(status=DeadlineStatus.MET) | open_past))
    late = Exists(handling.filter(Q(status=DeadlineStatus.MET, met_at__gt=F("due_date")) | open_past))

    # 期初积案: accepted before the start, not 办结 before it, with a handling period already run out by then.
    backlog = _open_at(start) & Q(_overdue_at(start))
    resolved = _resolved(start, cut)

    # 复查率: of the replies in the period, those the petitioner asked to have reviewed (after that reply).
    review_asked = Exists(_events(Action.REQUEST_REVIEW).filter(at__date__gte=OuterRef("replied_on")))

    out = {
        "total": _count(received),
        "persons": _sum_persons(received),
        "visit_batches": _count(received & visit),
        "visit_persons": _sum_persons(received & visit),
        "collective_batches": _count(collective),
        "collective_persons": _sum_persons(collective),
        "first": _count(received & Q(repeat_of__isnull=True)),
        "repeat": _count(received & Q(repeat_of__isnull=False)),
        "skip_level": _count(received & Q(is_skip_level=True)),
        "leader_instructed": _count(leader),
        "leader_instructed_done": _count(leader & _done_by(cut)),
        "accepted": _count(accepted),
        "accepted_done": _count(accepted & _done_by(cut)),
        "decided": _count(Q(decided)),
        "decided_on_time": _count(Q(decided) & ~Q(decided_late)),
        "handling_due": _count(Q(judged)),
        "handled_on_time": _count(Q(judged) & ~Q(late)),
        "handled_late": _count(Q(judged) & Q(late)),
        "replied": _count(replied),
        "evaluated": _count(replied & ~Q(evaluation="")),
        "satisfied": _count(replied & Q(evaluation__in=[Evaluation.SATISFIED, Evaluation.BASIC])),
        "unsatisfied": _count(replied & Q(evaluation=Evaluation.UNSATISFIED)),
        "review_requested": _count(replied & Q(review_asked)),
        "reviews": Sum(_event_count(Action.REVIEW, period)),
        "reviews_upheld": Sum(_event_count(Action.REVIEW, period, decision=ReviewDecision.UPHOLD)),
        "reexams": Sum(_event_count(Action.REEXAMINE, period)),
        "reexams_upheld": Sum(_event_count(Action.REEXAMINE, period, decision=ReviewDecision.UPHOLD)),
        "replies_issued": Sum(_event_count(Action.REPLY, period)),
        "backlog_start": _count(backlog),
        "backlog_resolved": _count(backlog & resolved),
    }
    for code in Channel.values:
        out[f"channel_{code}"] = _count(received & Q(channel=code))
    for code in Kind.values:
        out[f"kind_{code}"] = _count(received & Q(kind=code))
    return out


def _overdue_at(start: date) -> Exists:
    """期初积案's deadline condition: a handling period already run out by the start and not met before it."""
    return Exists(
        _deadlines(Clock.HANDLING)
        .exclude(status=DeadlineStatus.CANCELLED)
        .filter(due_date__lt=start)
        .filter(Q(met_at__isnull=True) | Q(met_at__gte=start))
    )


def _open_at(start: date) -> Q:
    """期初积案's own dates: accepted before the start, not 办结 before it."""
    return Q(accepted_on__lt=start) & ~Q(closed_on__lt=start) & ~Q(final_on__lt=start)


def _resolved(start: date, cut: date) -> Q:
    """积案化解's dates: 办结 from the start to the cutoff."""
    return Q(closed_on__gte=start, closed_on__lte=cut) | Q(final_on__gte=start, final_on__lte=cut)


def backlog_of_overdue(period: Period, today: date | None = None, *, unknown: Q | None = None) -> dict:
    """期初积案 and its 化解 over cases known to have a handling deadline overdue at the start.

    ``aggregates``' two backlog counts without their deadline condition, which the caller's cases
    already meet (the rollups' candidates: an open handling deadline due before the start, or one met
    late across it): the two correlated deadline look-ups per case were most of their cost. The cases
    of ``unknown`` (the caller's cases not known so) are asked the deadline condition as well.
    """
    start, cut = period.start, period.cutoff(today or clock.today())
    backlog = _open_at(start)
    if unknown is not None:
        backlog &= ~unknown | Q(_overdue_at(start))
    return {"backlog_start": _count(backlog), "backlog_resolved": _count(backlog & _resolved(start, cut))}


def clean(row: Mapping) -> dict[str, int]:
    return {key: int(value or 0) for key, value in row.items()}


def relevant(period: Period, today: date | None = None) -> Q:
    """The cases any base count of the period can count: every aggregate's filter implies this one.

    Narrowing to them first means the per-case subqueries of ``aggregates`` run for the
    period's cases, not for the whole scope's history (a year of a county, not ten).
    """
    today = today or clock.today()
    start, end = period.start, period.end
    cut = period.cutoff(today)
    first, after = period.moments()
    deadlines = Deadline.objects.filter(owner_type_id=_case_type_id(), clock__in=[Clock.ACCEPTANCE, Clock.HANDLING])
    dated = deadlines.filter(Q(due_date__gte=start, due_date__lte=end) | Q(met_at__gte=start, met_at__lte=end))
    events = CaseEvent.objects.filter(
        action__in=[Action.REVIEW, Action.REEXAMINE, Action.REPLY], at__gte=first, at__lt=after
    )
    return (
        Q(received_at__gte=first, received_at__lt=after)
        | Q(accepted_on__gte=start, accepted_on__lte=end)
        | Q(replied_on__gte=start, replied_on__lte=end)
        | Q(closed_on__gte=start, closed_on__lte=cut)
        | Q(final_on__gte=start, final_on__lte=cut)
        # the backlog's candidates: accepted before the start and not 办结 before it
        | _open_at(start)
        | Q(pk__in=dated.values("owner_id"))
        | Q(pk__in=events.values("case_id"))
    )


def counts(qs, period: Period, *, today: date | None = None) -> dict[str, int]:
    """All base counts of the period over this scope, in one query."""
    qs = qs.filter(relevant(period, today)).order_by()
    return clean(qs.aggregate(**aggregates(period, today)))


def grouped_counts(qs, period: Period, group: str, *, today: date | None = None) -> dict:
    """The base counts per value of the annotation ``group`` (e.g. the monthly table's unit), in one query."""
    rows = qs.filter(relevant(period, today)).order_by().values(group).annotate(**aggregates(period, today))
    return {row.pop(group): clean(row) for row in rows}


# ---------------------------------------------------------------- the figures


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str  # 件 / 批次 / 人次 / 份 / 次 / %
    numerator: str
    denominator: str | None = None
    help: str = ""  # the short definition shown with the column (the full one: docs/metrics.md)

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def definition(self) -> str:
        """What the figure is, for people (the 统计口径 page, the column's tooltip): a rate reads as
        its numerator ÷ its denominator, in their own names, so the two cannot drift apart."""
        if self.denominator is None or self.help:
            return self.help
        num, den = METRICS[self.numerator], METRICS[self.denominator]
        return f"{num.label}（{num.unit}）÷ {den.label}（{den.unit}）"

    def value(self, base: Mapping[str, int]) -> int | Decimal | None:
        if self.denominator is None:
            return base[self.numerator]
        return rate(base[self.numerator], base[self.denominator])

    def of(self, qs, period: Period, *, today: date | None = None):
        return self.value(counts(qs, period, today=today))


def _m(code, label, unit, numerator=None, denominator=None, help=""):
    return Metric(code, label, unit, numerator or code, denominator, help)


METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        _m("total", "信访总量", "件", help="收件日期在期内的信访件（含重复件）"),
        _m("persons", "信访总量", "人次", help="收件日期在期内各件的人数之和"),
        _m("visit_batches", "来访", "批次", help="来访件，一次来访登记为一批"),
        _m("visit_persons", "来访", "人次", help="收件日期在期内的来访件的人数之和"),
        _m("collective_batches", "集体访", "批次", help="来访且人数达到集体访标准"),
        _m("collective_persons", "集体访", "人次", help="收件日期在期内的集体访各件的人数之和"),
        _m("first", "初信初访", "件", help="未标为重复信访的件"),
        _m("repeat", "重复信访", "件", help="登记或合并为重复件的件"),
        _m("repeat_rate", "重复信访率", "%", "repeat", "total"),
        _m("skip_level", "越级信访", "件", help="登记机关高于问题属地有权处理层级的件（仅作情况反映，不作扣分）"),
        *[
            _m(f"channel_{c}", f"{label}", "件", help=f"收件日期在期内、来源渠道为{label}的件")
            for c, label in Channel.choices
        ],
        *[_m(f"share_channel_{c}", f"{label}占比", "%", f"channel_{c}", "total") for c, label in Channel.choices],
        *[_m(f"kind_{c}", f"{label}", "件") for c, label in Kind.choices],
        *[_m(f"share_kind_{c}", f"{label}占比", "%", f"kind_{c}", "total") for c, label in Kind.choices],
        _m("accepted", "受理", "件", help="受理日期在期内"),
        _m("accepted_done", "受理件中已办结", "件", help="期内受理、截至期末（或今日）已办结或终结"),
        _m("closure_rate", "办结率", "%", "accepted_done", "accepted"),
        _m("decided", "作出受理决定", "件", help="受理告知期限在期内完成（受理、不予受理、不再受理、导入法定途径）"),
        _m("decided_on_time", "按时作出受理决定", "件", help="其中在受理告知期限内作出决定的件"),
        _m("timely_acceptance_rate", "及时受理率", "%", "decided_on_time", "decided"),
        _m("handling_due", "期内应办结", "件", help="办理期限在期内届满、已可判断是否按期的件"),
        _m("handled_on_time", "按期办结", "件", help="其中在办理期限届满日或之前出具处理意见的件"),
        _m("on_time_rate", "按期办结率", "%", "handled_on_time", "handling_due"),
        _m("handled_late", "超时", "件", help="超过办理期限才出具处理意见，或期限已过仍未出具"),
        _m("overdue_rate", "超时率", "%", "handled_late", "handling_due"),
        _m("replied", "出具处理意见", "件", help="答复日期在期内"),
        _m("evaluated", "参评", "件", help="期内答复的件中已记录评价的件"),
        _m("evaluation_rate", "参评率", "%", "evaluated", "replied"),
        _m("satisfied", "满意和基本满意", "件", help="参评件中评价为满意或基本满意的件"),
        _m("satisfaction_rate", "满意率", "%", "satisfied", "evaluated"),
        _m("unsatisfied", "不满意", "件", help="参评件中评价为不满意的件"),
        _m("dissatisfaction_rate", "不满意率", "%", "unsatisfied", "evaluated"),
        _m("review_requested", "申请复查", "件", help="期内答复的件中信访人申请复查的件"),
        _m("review_rate", "复查率", "%", "review_requested", "replied"),
        _m("reviews", "复查意见", "次", help="期内作出的复查意见"),
        _m("reviews_upheld", "复查维持", "次", help="其中维持原处理意见的复查意见"),
        _m("review_upheld_rate", "复查维持率", "%", "reviews_upheld", "reviews"),
        _m("reexams", "复核意见", "次", help="期内作出的复核意见"),
        _m("reexams_upheld", "复核维持", "次", help="其中维持复查意见的复核意见"),
        _m("reexam_upheld_rate", "复核维持率", "%", "reexams_upheld", "reexams"),
        _m("backlog_start", "期初积案", "件", help="期初前受理、期初时已超过办理期限仍未办结"),
        _m("backlog_resolved", "积案化解", "件", help="期初积案中期内办结的"),
        _m("backlog_resolution_rate", "积案化解率", "%", "backlog_resolved", "backlog_start"),
        _m("replies_issued", "出具答复意见书", "份", help="期内签发的处理意见书（重新处理后再次签发的另计一份）"),
        _m("leader_instructed", "领导批示件", "件", help="收件日期在期内、有领导批示的件"),
        _m("leader_instructed_done", "领导批示件办结", "件", help="其中截至期末（或今日）已办结或终结的件"),
        _m("leader_instructed_closure_rate", "领导批示件办结率", "%", "leader_instructed_done", "leader_instructed"),
    ]
}


def figures(base: Mapping[str, int], codes: Iterable[str] | None = None) -> dict[str, int | Decimal | None]:
    return {code: METRICS[code].value(base) for code in (codes or METRICS)}


def value(code: str, qs, period: Period, *, today: date | None = None):
    return METRICS[code].of(qs, period, today=today)


@dataclass(frozen=True)
class Compared:
    """A figure with the same figure for the previous period (环比) and a year earlier (同比)."""

    value: int | Decimal | None
    previous: int | Decimal | None
    last_year: int | Decimal | None
    mom: Decimal | None  # 环比: % change of a count, percentage points of a rate
    yoy: Decimal | None  # 同比


def compared(code: str, qs, period: Period, *, today: date | None = None) -> Compared:
    metric = METRICS[code]
    now, before, year_ago = (metric.of(qs, p, today=today) for p in (period, period.previous(), period.last_year()))
    return Compared(
        now,
        before,
        year_ago,
        change(now, before, is_rate=metric.is_rate),
        change(now, year_ago, is_rate=metric.is_rate),
    )


# ---------------------------------------------------------------- shares by dimension


def shares(qs, period: Period, by: str) -> list[dict]:
    """Cases received in the period by channel, kind or first-level category: count and share of the total."""
    first, after = period.moments()
    received = qs.filter(received_at__gte=first, received_at__lt=after).order_by()
    if by == "category":
        rows = received.annotate(key=Coalesce("category__parent_id", "category_id")).values("key")
    elif by in ("channel", "kind"):
        rows = received.annotate(key=F(by)).values("key")
    else:
        raise ValueError(by)
    return share_rows({row["key"]: row["n"] for row in rows.annotate(n=Count("pk"))})


def share_rows(found: Mapping) -> list[dict]:
    """Counts per key as rows with their share of the total, the largest first."""
    total = sum(found.values())
    return [{"key": key, "count": n, "share": rate(n, total)} for key, n in sorted(found.items(), key=_order)]


def _order(item):
    key, n = item
    return (-n, str(key))


# ---------------------------------------------------------------- one function per metric


def total(qs, period, **kw):
    """信访总量（件）."""
    return value("total", qs, period, **kw)


def persons(qs, period, **kw):
    """信访总量（人次）."""
    return value("persons", qs, period, **kw)


def visit_batches(qs, period, **kw):
    return value("visit_batches", qs, period, **kw)


def collective_batches(qs, period, **kw):
    return value("collective_batches", qs, period, **kw)


def collective_persons(qs, period, **kw):
    return value("collective_persons", qs, period, **kw)


def first_petitions(qs, period, **kw):
    return value("first", qs, period, **kw)


def repeat_petitions(qs, period, **kw):
    return value("repeat", qs, period, **kw)


def repeat_rate(qs, period, **kw):
    return value("repeat_rate", qs, period, **kw)


def skip_level(qs, period, **kw):
    return value("skip_level", qs, period, **kw)


def closure_rate(qs, period, **kw):
    return value("closure_rate", qs, period, **kw)


def timely_acceptance_rate(qs, period, **kw):
    return value("timely_acceptance_rate", qs, period, **kw)


def on_time_rate(qs, period, **kw):
    return value("on_time_rate", qs, period, **kw)


def overdue_rate(qs, period, **kw):
    return value("overdue_rate", qs, period, **kw)


def evaluation_rate(qs, period, **kw):
    return value("evaluation_rate", qs, period, **kw)


def satisfaction_rate(qs, period, **kw):
    return value("satisfaction_rate", qs, period, **kw)


def dissatisfaction_rate(qs, period, **kw):
    return value("dissatisfaction_rate", qs, period, **kw)


def review_rate(qs, period, **kw):
    return value("review_rate", qs, period, **kw)


def review_upheld_rate(qs, period, **kw):
    return value("review_upheld_rate", qs, period, **kw)


def reexam_upheld_rate(qs, period, **kw):
    return value("reexam_upheld_rate", qs, period, **kw)


def backlog_start(qs, period, **kw):
    return value("backlog_start", qs, period, **kw)


def backlog_resolved(qs, period, **kw):
    return value("backlog_resolved", qs, period, **kw)


def replies_issued(qs, period, **kw):
    return value("replies_issued", qs, period, **kw)
