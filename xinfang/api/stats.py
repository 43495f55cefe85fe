"""/stats: the monthly table, one metric and the unit ranking over a period and subtree, for higher-level systems.

The same figures as the /stats/ page, through the same access layer: the
scope is the caller's ``scoped_cases`` and the org must lie in the caller's
tree (another county's org answers 404 like a missing one). Definitions of
every figure: docs/metrics.md. Rates are percentages with two decimals
(90.35 means 90.35 %), null when there is nothing to divide by.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Path, Query, Router, Schema

from xinfang.api import schemas as s
from xinfang.cases.access import scoped_cases
from xinfang.cases.errors import Invalid
from xinfang.cases.inputs import DAY_RANGE, BoundedDay, RowId
from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Kind, Urgency
from xinfang.core import clock
from xinfang.stats import metrics as m
from xinfang.stats import ranking as r
from xinfang.stats import table as t
from xinfang.stats.models import LABELS
from xinfang.stats.periods import MAX_RANGE_DAYS, Period, PeriodError, parse

router = Router(tags=["统计"])

MetricCode = Enum("MetricCode", {code: code for code in m.METRICS}, type=str)  # type: ignore[misc]


class PeriodQuery(Schema):
    period: Literal["month", "quarter", "year", "range"] = Field(
        "month", description="统计期间类型：month 月度、quarter 季度、year 年度、range 任意期间"
    )
    year: int | None = Field(None, ge=1900, le=2099, description="年份（月度、季度、年度；默认今年）")
    month: int | None = Field(None, ge=1, le=12, description="月份（月度；默认本月）")
    quarter: int | None = Field(None, ge=1, le=4, description="季度（季度；默认本季度）")
    start: BoundedDay | None = Field(None, description=f"任意期间的开始日期（含；{DAY_RANGE}）")
    end: BoundedDay | None = Field(
        None, description=f"任意期间的结束日期（含；{DAY_RANGE}；期间不超过{MAX_RANGE_DAYS}天）"
    )
    org: RowId | None = Field(None, description="统计的机构 ID（默认本人所在机构的政府；须在本人可查看的范围内）")


class StatsQuery(PeriodQuery):
    category: RowId | None = Field(None, description="内容分类 ID（一级分类含其下二级分类）")
    channel: Channel | None = Field(None, description="来源渠道")
    kind: Kind | None = Field(None, description="信访性质")
    urgency: Urgency | None = Field(None, description="紧急程度")


class PeriodOut(Schema):
    kind: str
    start: date
    end: date
    label: str


class OrgOut(Schema):
    id: int
    name: str


class ColumnOut(Schema):
    code: str
    label: str
    unit: str = Field(description="件、批次、人次、份、次，或 % （比率）")
    is_rate: bool


Figure = float | int | None


class RowOut(Schema):
    kind: str = Field(description="unit 下级单位（含其下级）、self 本级、outside 本辖区以外单位办理、total 合计")
    label: str
    org_id: int | None
    values: dict[str, Figure]


class CompareOut(Schema):
    label: str
    values: dict[str, Figure]
    changes: dict[str, Figure] = Field(description="本期相对该期的变化：计数为增减%，比率为增减百分点")


class MonthlyOut(Schema):
    period: PeriodOut
    org: OrgOut
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: RowOut
    previous: CompareOut = Field(description="上期（环比）")
    last_year: CompareOut = Field(description="去年同期（同比）")


class MetricOut(Schema):
    code: str
    label: str
    unit: str
    is_rate: bool
    period: PeriodOut
    org: OrgOut
    value: Figure
    numerator: int
    denominator: int | None
    previous: Figure = Field(description="上期的值")
    last_year: Figure = Field(description="去年同期的值")
    mom: Figure = Field(description="环比：计数为增减%，比率为增减百分点")
    yoy: Figure = Field(description="同比：计数为增减%，比率为增减百分点")


def _num(value) -> Figure:
    return float(value) if value is not None and not isinstance(value, int) else value


def _period_of(request, q: PeriodQuery):
    user = request.auth
    if not t.may_view(user):
        raise PermissionDenied(t.NOT_ALLOWED)
    try:
        period = parse(
            q.period, year=q.year, month=q.month, quarter=q.quarter, start=q.start, end=q.end, today=clock.today()
        )
    except PeriodError as refused:
        raise Invalid(str(refused), field="period") from None
    return user, period


def _chosen(request, q: StatsQuery):
    user, period = _period_of(request, q)
    category = None
    if q.category is not None:
        category = Category.objects.filter(pk=q.category).first()
        if category is None:
            raise Invalid("内容分类不存在", field="category")
    chosen = t.Slice(
        channel=q.channel.value if q.channel else "",
        kind=q.kind.value if q.kind else "",
        category=category,
        urgency=q.urgency.value if q.urgency else "",
    )
    root = t.root_for(user)
    org = t.org_for(user, q.org)
    return user, period, chosen, root, org


def _period(p: Period) -> dict:
    return {"kind": p.kind, "start": p.start, "end": p.end, "label": p.label}


def _values(cells) -> dict[str, Figure]:
    return {c["metric"].code: _num(c["value"]) for c in cells}


@router.get(
    "/stats/monthly",
    response={200: MonthlyOut, **s.ERRORS},
    summary="统计月报",
    operation_id="stats_monthly",
)
def monthly(request, q: Query[StatsQuery]):
    """机构下各单位（含其下级）一行、各项统计一列，以及合计、上期（环比）、去年同期（同比）。"""
    user, period, chosen, root, org = _chosen(request, q)
    table = t.build(scoped_cases(user), org, period, root=root, slice=chosen, viewer=user)

    def row(r):
        return {"kind": r.kind, "label": r.label, "org_id": r.org.pk if r.org else None, "values": _values(r.cells)}

    def compare(r):
        return {
            "label": r.label,
            "values": _values(r.cells),
            "changes": {c["metric"].code: _num(c.get("change")) for c in r.cells},
        }

    return {
        "period": _period(period),
        "org": {"id": org.pk, "name": org.name},
        "columns": [{"code": c.code, "label": c.label, "unit": c.unit, "is_rate": c.is_rate} for c in table.columns],
        "rows": [row(r) for r in table.rows],
        "total": row(table.total),
        "previous": compare(table.previous),
        "last_year": compare(table.last_year),
    }


@router.get(
    "/stats/metric/{code}",
    response={200: MetricOut, **s.ERRORS},
    summary="单项统计指标",
    operation_id="stats_metric",
)
def metric(request, code: Path[MetricCode], q: Query[StatsQuery]):  # type: ignore[valid-type]
    """一项指标在一个期间、一个机构（含其下级）的值，及其分子、分母、环比和同比。"""
    user, period, chosen, root, org = _chosen(request, q)
    metric = m.METRICS[code.value]
    # The monthly table's total and comparison rows: the same figures as the page, from the rollups
    # when they can answer (``rolled.usable``).
    table = t.build(scoped_cases(user), org, period, root=root, slice=chosen, viewer=user)
    base = table.total.base
    # Not every metric is a column of the table: each is computed from the rows' base counts.
    now, before, year_ago = (metric.value(row.base) for row in (table.total, table.previous, table.last_year))
    return {
        "code": metric.code,
        "label": metric.label,
        "unit": metric.unit,
        "is_rate": metric.is_rate,
        "period": _period(period),
        "org": {"id": org.pk, "name": org.name},
        "value": _num(now),
        "numerator": base[metric.numerator],
        "denominator": base[metric.denominator] if metric.denominator else None,
        "previous": _num(before),
        "last_year": _num(year_ago),
        "mom": _num(m.change(now, before, is_rate=metric.is_rate)),
        "yoy": _num(m.change(now, year_ago, is_rate=metric.is_rate)),
    }


# ---------------------------------------------------------------- the ranking


class SchemeOut(Schema):
    id: int
    code: str
    name: str
    effective_from: date
    effective_to: date | None
    full_score: float = Field(description="满分（各评分项分值之和）")


class ItemRuleOut(Schema):
    metric: str
    label: str
    unit: str = Field(description="% （比率）、件、张")
    weight: float = Field(description="分值")
    full_at: float = Field(description="满分线：高于零分线时达到或高于即满分，低于零分线时等于或低于即满分")
    zero_at: float = Field(description="零分线：达到或更差得 0 分；两线之间按比例")
    if_no_data: str = Field(description="无数据时：skip 不计入（总分按其余各项折算），full 得满分")


class VetoRuleOut(Schema):
    name: str = Field(description="否决事由")
    metric: str
    op: Literal["gte", "gt", "lte", "lt"]
    threshold: float
    condition: str = Field(description="条件的中文说明")


class ItemScoreOut(Schema):
    metric: str
    value: Figure = Field(description="指标值（比率为百分数；分母为 0 时为 null）")
    weight: float
    points: float | None = Field(description="得分；无数据而不计入时为 null")


class RankRowOut(Schema):
    rank: int | None = Field(description="名次（总分相同者并列）；不参加排名的为 null")
    org: OrgOut
    total: float | None = Field(description="总分；没有任何比率可评分的单位为 null（不参加排名）")
    vetoed: bool = Field(description="是否被一票否决（排在未被否决的单位之后）")
    vetoes: list[str] = Field(description="一票否决的事由")
    items: list[ItemScoreOut]
    info: dict[str, int] = Field(description="情况（不计分）：信访总量、集体访批次、越级信访、重复信访")


class RankingOut(Schema):
    period: PeriodOut
    org: OrgOut
    scheme: SchemeOut | None = Field(description="期末施行的评分方案；没有时为 null，rows 为空")
    items: list[ItemRuleOut]
    vetoes: list[VetoRuleOut]
    info_columns: list[ColumnOut] = Field(description="情况列：只作情况反映，不计分")
    rows: list[RankRowOut]


@router.get(
    "/stats/ranking",
    response={200: RankingOut, **s.ERRORS},
    summary="单位排名",
    operation_id="stats_ranking",
)
def ranking(request, q: Query[PeriodQuery]):
    """机构下各单位（含其下级）按期末施行的考核评分方案评分、排名：名次、总分、各评分项的值与得分、一票否决及其事由。

    只评价机关的办理（及时受理率、按期办结率、满意率、参评率、复查维持率、督办超期、黄牌红牌等）；
    集体访、越级信访、重复信访和信访总量只作情况反映，不计分。口径见 docs/metrics.md §9。
    """
    user, period = _period_of(request, q)
    root = t.root_for(user)
    org = t.org_for(user, q.org)
    result = r.build(scoped_cases(user), org, period, root=root, viewer=user)
    scheme = result.scheme
    return {
        "period": _period(period),
        "org": {"id": org.pk, "name": org.name},
        "scheme": None
        if scheme is None
        else {
            "id": scheme.pk,
            "code": scheme.code,
            "name": scheme.name,
            "effective_from": scheme.effective_from,
            "effective_to": scheme.effective_to,
            "full_score": float(sum((i.weight for i in result.items), Decimal(0))),
        },
        "items": [
            {
                "metric": i.metric,
                "label": LABELS[i.metric][0],
                "unit": LABELS[i.metric][1],
                "weight": float(i.weight),
                "full_at": float(i.full_at),
                "zero_at": float(i.zero_at),
                "if_no_data": i.if_no_data,
            }
            for i in result.items
        ],
        "vetoes": [
            {"name": v.name, "metric": v.metric, "op": v.op, "threshold": float(v.threshold), "condition": v.describe()}
            for v in result.vetoes
        ],
        "info_columns": [
            {"code": c.code, "label": c.label, "unit": c.unit, "is_rate": c.is_rate} for c in result.info_columns
        ],
        "rows": [
            {
                "rank": row.rank,
                "org": {"id": row.org.pk, "name": row.org.name},
                "total": _num(row.score.total),
                "vetoed": row.score.is_vetoed,
                "vetoes": row.score.vetoes,
                "items": [
                    {"metric": i.code, "value": _num(i.value), "weight": float(i.weight), "points": _num(i.points)}
                    for i in row.score.items
                ],
                "info": row.info,
            }
            for row in result.rows
        ],
    }
