"""Scoring one unit by a scheme: each item's points, the total, the vetoes (docs/metrics.md §9).

Pure arithmetic over a unit's metric values (``values``: code → value, a rate
in percent or a count; ``None`` when a rate has nothing to divide by), so that
every rule can be checked by hand:

* an item earns its full weight at or beyond its full line, nothing at or
  beyond its zero line, and in between the weight × the distance covered
  from the zero line, rounded to two decimals half up;
* an item without data earns its weight (``得满分``) or is left out, and the
  total is then scaled to the scheme's full score (the weights' sum) from the
  weights that were scored;
* a unit with no rate to score at all (nothing fell due, nothing was
  replied, decided or reviewed) is not ranked: a unit that handled nothing
  has not shown how it handles;
* a veto applies when its metric has a value that meets the condition.

Where a scheme and its items come from is ``ranking.scheme_for``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xinfang.stats.models import LABELS, RATES, NoData, ScoringItem, ScoringVeto, VetoOp

HUNDREDTH = Decimal("0.01")
Value = int | Decimal | None


def _q(d: Decimal) -> Decimal:
    return d.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def share(item: ScoringItem, value: Value) -> Decimal:
    """The part of the weight a value earns, from 0 to 1 (the full line may lie above or below the zero line)."""
    v = Decimal(value)  # type: ignore[arg-type]
    full, zero = Decimal(item.full_at), Decimal(item.zero_at)
    if full > zero:  # higher is better
        if v >= full:
            return Decimal(1)
        if v <= zero:
            return Decimal(0)
        return (v - zero) / (full - zero)
    if v <= full:  # lower is better
        return Decimal(1)
    if v >= zero:
        return Decimal(0)
    return (zero - v) / (zero - full)


def points(item: ScoringItem, value: Value) -> Decimal | None:
    """The item's points for this value; None when the value is missing and the item is then left out."""
    if value is None:
        return _q(Decimal(item.weight)) if item.if_no_data == NoData.FULL else None
    return _q(Decimal(item.weight) * share(item, value))


_OPS = {
    VetoOp.GTE: lambda v, t: v >= t,
    VetoOp.GT: lambda v, t: v > t,
    VetoOp.LTE: lambda v, t: v <= t,
    VetoOp.LT: lambda v, t: v < t,
}


def vetoed(veto: ScoringVeto, value: Value) -> bool:
    """Whether the veto applies: a missing value (no denominator) meets no condition."""
    if value is None:
        return False
    return bool(_OPS[VetoOp(veto.op)](Decimal(value), Decimal(veto.threshold)))


@dataclass(frozen=True)
class ItemScore:
    code: str
    label: str
    unit: str
    value: Value
    weight: Decimal
    points: Decimal | None  # None: left out for lack of data
    full_at: Decimal
    zero_at: Decimal

    @property
    def is_rate(self) -> bool:
        return self.code in RATES


@dataclass(frozen=True)
class Score:
    items: list[ItemScore]
    total: Decimal | None  # None: not ranked (no rate had data)
    full_score: Decimal
    vetoes: list[str]  # the reasons (否决事由), in the scheme's order

    @property
    def is_ranked(self) -> bool:
        return self.total is not None

    @property
    def is_vetoed(self) -> bool:
        return bool(self.vetoes)


def score(items: Iterable[ScoringItem], vetoes: Iterable[ScoringVeto], values: Mapping[str, Value]) -> Score:
    """Score one unit: each item's points, the total (scaled when items were left out), the vetoes that apply."""
    scored: list[ItemScore] = []
    for item in items:
        label, unit = LABELS[item.metric]
        value = values.get(item.metric)
        scored.append(
            ItemScore(
                item.metric,
                label,
                unit,
                value,
                Decimal(item.weight),
                points(item, value),
                Decimal(item.full_at),
                Decimal(item.zero_at),
            )
        )
    full_score = sum((s.weight for s in scored), Decimal(0))
    counted = [s for s in scored if s.points is not None]
    has_rate = any(s.is_rate and s.value is not None for s in scored)
    total: Decimal | None = None
    if has_rate and counted:
        got = sum((s.points for s in counted if s.points is not None), Decimal(0))
        weights = sum((s.weight for s in counted), Decimal(0))
        total = _q(got * full_score / weights) if weights != full_score else _q(got)
    reasons = [v.name for v in vetoes if vetoed(v, values.get(v.metric))]
    return Score(scored, total, full_score, reasons)
