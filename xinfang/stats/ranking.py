"""The unit ranking (排名) of a period: the units directly under an org, scored by the scheme in force.

The units are the monthly table's unit rows (``table``): each child of the
chosen org with everything below it, its cases attributed the same way (the
handling unit). The chosen org's own cases (本级) and cases handled outside
its area are not a unit being ranked. Each unit's values are the rates of
``metrics`` from the same grouped SQL as the table, its supervision items
that ran past their due date (``supervision``), and the yellow and red cards
recorded against it (``escalation.cards.cards_for``): one query each for all
units, whatever their number.

The scheme is the one assigned to the chosen org or its nearest ancestor and
in force on the period's last day, else the default in force (``scheme_for``):
every unit ranked together is scored by the same rules. Ranks: units not
vetoed first, by total (equal totals share a rank, the next rank skips), then
vetoed units by total, then units with nothing to score (no rank).

Collective, skip-level and repeat petitions and the volume are shown beside
the scores as information (``INFO``) and never enter them. Nothing here
counts, ranks or lists petitioners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr

from xinfang.core import clock
from xinfang.escalation.cards import cards_for
from xinfang.escalation.models import CardColor, in_effect_q
from xinfang.orgs.models import PATH_STEP, Org
from xinfang.stats import metrics as m
from xinfang.stats import table as t
from xinfang.stats.models import RATES, OrgScoringScheme, ScoringItem, ScoringScheme, ScoringVeto
from xinfang.stats.periods import Period
from xinfang.stats.scoring import Score, score
from xinfang.supervision.models import SupervisionItem, SupervisionStatus

# Shown beside the scores as what arrived, never scored (docs/metrics.md §9).
INFO = ("total", "collective_batches", "skip_level", "repeat")


@dataclass
class RankRow:
    org: Org
    score: Score
    info: dict[str, int]
    rank: int | None = None
    drill: str = ""  # the ranking one level down, for a unit with units under it (set by the page)


@dataclass
class Ranking:
    org: Org
    root: Org
    period: Period
    scheme: ScoringScheme | None
    items: list[ScoringItem]
    vetoes: list[ScoringVeto]
    rows: list[RankRow] = field(default_factory=list)
    today: date | None = None

    @property
    def info_columns(self) -> list[m.Metric]:
        return [m.METRICS[code] for code in INFO]


# ---------------------------------------------------------------- the scheme in force


def scheme_for(org: Org, on: date) -> ScoringScheme | None:
    """The scheme of the nearest ancestor (the org included) whose latest started assignment is in force on ``on``.

    Without one, the default scheme in force. Mirrors ``escalation.rules`` (the rule sets).
    """
    prefixes = [org.path[:i] for i in range(PATH_STEP, len(org.path) + 1, PATH_STEP)]
    assignments = OrgScoringScheme.objects.filter(org__path__in=prefixes, effective_from__lte=on).select_related(
        "scheme", "org"
    )
    latest: dict[str, OrgScoringScheme] = {}
    for a in assignments:
        current = latest.get(a.org.path)
        if current is None or a.effective_from > current.effective_from:
            latest[a.org.path] = a
    for path in sorted(latest, key=len, reverse=True):  # nearest ancestor first
        if latest[path].scheme.in_effect(on):
            return latest[path].scheme
    return ScoringScheme.objects.filter(in_effect_q(on), is_default=True).order_by("-effective_from", "pk").first()


# ---------------------------------------------------------------- the values per unit


def _row(path_field: str, org: Org):
    # Paths grow by PATH_STEP characters a level: this prefix names the child of ``org`` a path lies under.
    return Substr(path_field, 1, len(org.path) + PATH_STEP)


def _midnight(d: date) -> datetime:
    return clock.aware(datetime.combine(d, time.min))


def supervised_overdue(qs, org: Org, period: Period, today: date) -> dict[str, int]:
    """Per unit: supervision items owed by it that were past their due date on some day of the period.

    Overdue on a day after the due date while not yet concluded: an item still open
    whose due date is before the cutoff, or one concluded (or handed up, 提级) in or
    after the period on a day after its due date. Only items on cases of the scope.
    """
    cut = period.cutoff(today)
    if cut < period.start:  # a period not begun: nothing can have been overdue in it
        return {}
    # Two index ranges (an item is open exactly while it has no closed_at): the open items due before the
    # cutoff (supervision_open_due_idx) and those closed since the period began (supervision_closed_idx),
    # each probed for the scope. Asked as "case in the scope's cases", it read every case of the scope:
    # 3.4 s for a city's ranking at 10^6 cases.
    still_open = Q(status=SupervisionStatus.OPEN, closed_at__isnull=True)
    closed_late = Q(closed_at__gte=_midnight(period.start), closed_at__date__gt=F("due_on"))
    items = (
        SupervisionItem.objects.filter(still_open | closed_late, due_on__lt=cut)
        .filter(owed_by_org__path__startswith=org.path)
        .filter(Exists(qs.filter(pk=OuterRef("case_id"))))
    )
    rows = items.annotate(row=_row("owed_by_org__path", org)).order_by().values("row").annotate(n=Count("pk"))
    return {r["row"]: r["n"] for r in rows}


def card_counts(org: Org, period: Period) -> dict[str, dict[str, int]]:
    """Per unit: standing yellow and red cards recorded against it (or below it) within the period."""
    cards = cards_for(org, (period.start, period.end), subtree=True)
    rows = cards.annotate(row=_row("org__path", org)).order_by().values("row", "color").annotate(n=Count("pk"))
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["row"], {})[r["color"]] = r["n"]
    return out


def unit_values(base: dict[str, int], overdue: int, cards: dict[str, int]) -> dict:
    """The scorable values of one unit (docs/metrics.md: the rates; the ranking's counts)."""
    values: dict = {code: m.METRICS[code].value(base) for code in RATES}
    values["supervised_overdue"] = overdue
    values["yellow_cards"] = cards.get(CardColor.YELLOW, 0)
    values["red_cards"] = cards.get(CardColor.RED, 0)
    return values


# ---------------------------------------------------------------- the ranking


def _order(row: RankRow):
    s = row.score
    group = 2 if not s.is_ranked else (1 if s.is_vetoed else 0)
    return (group, -(s.total or 0), row.org.path)


def rank(rows: list[RankRow]) -> list[RankRow]:
    """Sort and number: not vetoed by total, then vetoed by total; equal totals share a rank (1, 1, 3)."""
    rows = sorted(rows, key=_order)
    previous, current = None, 0
    for position, row in enumerate((r for r in rows if r.score.is_ranked), start=1):
        key = (row.score.is_vetoed, row.score.total)
        if key != previous:
            current, previous = position, key
        row.rank = current
    return rows


def build(qs, org: Org, period: Period, *, root: Org | None = None, today: date | None = None, viewer=None) -> Ranking:
    """The ranking of the units under ``org`` over the scope ``qs`` (a queryset from the access layer)."""
    today = today or clock.today()
    root = root or org
    scheme = scheme_for(org, period.end)
    items = list(scheme.items.all()) if scheme else []
    vetoes = list(scheme.vetoes.all()) if scheme else []
    ranking = Ranking(org, root, period, scheme, items, vetoes, today=today)
    if scheme is None:
        return ranking
    children = list(Org.objects.filter(parent=org).order_by("path"))
    grouped = t.unit_counts(qs, org, period, today, top=org.pk == root.pk, viewer=viewer)
    overdue = supervised_overdue(qs, org, period, today)
    cards = card_counts(org, period)
    zero = t.zero_counts()
    rows = []
    for child in children:
        base = grouped.get(child.path, zero)
        late, carded = overdue.get(child.path, 0), cards.get(child.path, {})
        if not (child.is_active or any(base.values()) or late or carded):
            continue
        values = unit_values(base, late, carded)
        rows.append(RankRow(child, score(items, vetoes, values), {code: base[code] for code in INFO}))
    ranking.rows = rank(rows)
    return ranking
