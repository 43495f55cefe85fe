"""The scoring scheme of the unit ranking (考核评分方案) as data, with effective dates.

A scheme is a versioned whole: its scored items (评分项: a metric, a weight,
the value at which it earns full marks and the value at which it earns none)
and its one-vote vetoes (一票否决). A scheme applies to the org it is assigned
to and everything under it, from a date (``OrgScoringScheme``), like the
escalation rule sets; without an assignment, the default scheme in force.
To change the rules from a date, give the old scheme an end date and enter a
new one: a past period is then still ranked by the scheme of its time.

Only metrics of how agencies handle what reaches them can be scored or veto
(``SCORABLE``). How many people petitioned a higher level, came as a group,
came again or petitioned at all is never a choice here: scoring those would
reward units for keeping people from petitioning (DESIGN.md §1, principle 2;
seed-inventory §9, "officials' accountability for petitions occurring").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xinfang.escalation.models import in_effect_q
from xinfang.orgs.models import Org

# (code, label, unit): the rates are docs/metrics.md's codes (metrics.METRICS); the counts are the ranking's own.
SCORABLE: tuple[tuple[str, str, str], ...] = (
    ("timely_acceptance_rate", "及时受理率", "%"),
    ("on_time_rate", "按期办结率", "%"),
    ("closure_rate", "办结率", "%"),
    ("evaluation_rate", "参评率", "%"),
    ("satisfaction_rate", "满意率", "%"),
    ("review_upheld_rate", "复查维持率", "%"),
    ("reexam_upheld_rate", "复核维持率", "%"),
    ("backlog_resolution_rate", "积案化解率", "%"),
    ("supervised_overdue", "督办事项超期", "件"),
    ("yellow_cards", "黄牌警告", "张"),
    ("red_cards", "红牌警告", "张"),
)
SCORABLE_CHOICES = [(code, f"{label}（{unit}）" if unit != "%" else label) for code, label, unit in SCORABLE]
RATES = frozenset(code for code, _label, unit in SCORABLE if unit == "%")
LABELS = {code: (label, unit) for code, label, unit in SCORABLE}


class ScoringScheme(models.Model):
    """A named, dated set of scored items and vetoes (the default one, or a county's, a system's ...)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    is_default = models.BooleanField(
        "默认方案", default=False, help_text="没有为机构或其上级指定评分方案时，使用施行中的默认方案"
    )
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="留空表示现行有效；填写则当日仍有效")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "考核评分方案"
        verbose_name_plural = "考核评分方案"
        ordering = ["-is_default", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="stats_scheme_effective_range",
            )
        ]

    def __str__(self):
        return self.name

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def clean(self):
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "废止日期不能早于施行日期。"})
        if self.is_default and self.effective_from:
            # Two defaults in force on one day would make the choice depend on ordering.
            clash = (
                ScoringScheme.objects.filter(is_default=True)
                .exclude(pk=self.pk)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
                .filter(effective_from__lte=self.effective_to or date.max)
                .first()
            )
            if clash:
                raise ValidationError(f"与默认评分方案“{clash}”的施行期间重叠，请先为其填写废止日期。")


class OrgScoringScheme(models.Model):
    """Assigns a scoring scheme to an org (and, by inheritance, everything under it) from a date."""

    org = models.ForeignKey(Org, verbose_name="机构", on_delete=models.CASCADE, related_name="scoring_assignments")
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.PROTECT, related_name="assignments"
    )
    effective_from = models.DateField("起用日期")

    class Meta:
        verbose_name = "机构评分方案指定"
        verbose_name_plural = "机构评分方案指定"
        ordering = ["org__path", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["org", "effective_from"], name="unique_org_scheme_from")]

    def __str__(self):
        return f"{self.org} 自 {self.effective_from.isoformat()} 起适用 {self.scheme}"


class NoData(models.TextChoices):
    SKIP = "skip", "不计入（总分按其余各项折算）"
    FULL = "full", "得满分"


def _check_bound(metric: str, value: Decimal | None, field: str) -> None:
    if value is None:
        return
    if metric in RATES and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({field: "比率指标的界限须在 0 至 100 之间。"})
    if metric not in RATES and value < 0:
        raise ValidationError({field: "计数指标的界限不能为负数。"})


class ScoringItem(models.Model):
    """评分项: a metric's weight; full marks at the full line, none at the zero line, linear between.

    The full line above the zero line scores "higher is better" (a rate); below it,
    "lower is better" (e.g. cards: full marks at 0, none at 5 or more).
    """

    scheme = models.ForeignKey(ScoringScheme, verbose_name="评分方案", on_delete=models.CASCADE, related_name="items")
    metric = models.CharField("指标", max_length=40, choices=SCORABLE_CHOICES)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, help_text="本项满分")
    full_at = models.DecimalField(
        "满分线",
        max_digits=8,
        decimal_places=2,
        help_text="满分线高于零分线：达到或高于满分线得满分；低于零分线：等于或低于满分线得满分。比率填百分数，如 95",
    )
    zero_at = models.DecimalField(
        "零分线", max_digits=8, decimal_places=2, help_text="达到零分线（或更差）得 0 分；两线之间按比例得分"
    )
    if_no_data = models.CharField(
        "无数据时",
        max_length=8,
        choices=NoData.choices,
        default=NoData.SKIP,
        help_text="比率的分母为 0（如本期没有应办结的件）时如何计分",
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["scheme", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "metric"], name="unique_scheme_item_metric")]

    def __str__(self):
        return f"{self.get_metric_display()}（{self.weight} 分）"

    def clean(self):
        if self.weight is not None and self.weight <= 0:
            raise ValidationError({"weight": "分值须大于 0。"})
        if self.full_at is not None and self.full_at == self.zero_at:
            raise ValidationError({"zero_at": "满分线与零分线不能相同。"})
        _check_bound(self.metric, self.full_at, "full_at")
        _check_bound(self.metric, self.zero_at, "zero_at")


class VetoOp(models.TextChoices):
    GTE = "gte", "大于或等于"
    GT = "gt", "大于"
    LTE = "lte", "小于或等于"
    LT = "lt", "小于"


class ScoringVeto(models.Model):
    """一票否决: when a unit's metric meets the condition, it is ranked after every unit not vetoed."""

    scheme = models.ForeignKey(ScoringScheme, verbose_name="评分方案", on_delete=models.CASCADE, related_name="vetoes")
    name = models.CharField("否决事由", max_length=100, help_text="排名中向单位说明的理由，如“期内有督办事项超期”")
    metric = models.CharField("指标", max_length=40, choices=SCORABLE_CHOICES)
    op = models.CharField("条件", max_length=4, choices=VetoOp.choices, default=VetoOp.GTE)
    threshold = models.DecimalField("阈值", max_digits=8, decimal_places=2, help_text="比率填百分数，如 90")

    class Meta:
        verbose_name = "一票否决条件"
        verbose_name_plural = "一票否决条件"
        ordering = ["scheme", "pk"]

    def __str__(self):
        return self.name

    def describe(self) -> str:
        label, unit = LABELS[self.metric]
        return f"{label}{self.get_op_display()}{self.threshold.normalize():f}{unit}"

    def clean(self):
        _check_bound(self.metric, self.threshold, "threshold")


def schemes_in_force(on: date):
    return ScoringScheme.objects.filter(in_effect_q(on))


# The additive counts a fact row and a rollup row hold (xinfang/stats/rollups.py says which date each is dated by).
ROLLUP_COUNTS = (
    "total",
    "persons",
    "collective",
    "collective_persons",
    "repeat",
    "skip_level",
    "leader_instructed",
    "leader_done",
    "accepted",
    "accepted_done",
    "decided",
    "decided_late",
    "judged",
    "late",
    "replied",
    "evaluated",
    "satisfied",
    "unsatisfied",
    "review_requested",
    "reviews",
    "reviews_upheld",
    "reexams",
    "reexams_upheld",
    "replies_issued",
)


class UnitKey(models.Model):
    """The key of the unit rollups: the handling unit, a month, a second month, channel, kind (and the counts)."""

    month = models.DateField("月份（当月1日）")
    # Only for the counts that also need a second date (办结 of a case received or accepted in ``month``).
    month2 = models.DateField("办结月份", null=True)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="办理单位", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField("来源渠道", max_length=12)
    kind = models.CharField("信访性质", max_length=12)

    class Meta:
        abstract = True


for _name in ROLLUP_COUNTS:
    UnitKey.add_to_class(_name, models.IntegerField(default=0))


class RollupKey(UnitKey):
    """The key the facts and the rollups share: ``UnitKey`` and the first-level category."""

    category = models.ForeignKey(
        "cases.Category", verbose_name="一级类别", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class CaseFact(RollupKey):
    """One case's contributions to the rollups, per (month, second month): see xinfang/stats/rollups.py.

    Kept so that a case's change is applied as an exact difference (old facts out, new in),
    and so that the few cases a rollup cannot answer for a period are taken out and counted directly.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name="信访件", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The case has 受理决定 or 办理期限 facts in more than one month: a longer period must count it once.
    multi = models.BooleanField(default=False)
    # 办结 date of the case on the rows that count it (accepted_done, leader_done): a period cut before it.
    done_on = models.DateField(null=True)
    # A handling deadline due in ``month`` and met late in ``month2``: the 期初积案 candidates of a period.
    late_span = models.IntegerField(default=0)
    # The earliest running handling deadline due in ``month`` (open, not paused), on the row counting it:
    # its fact counts it judged and late, which is true only once that day has passed. Until then a
    # period takes ``undue_judged`` and ``undue_late`` (what the running deadlines add to the row's
    # judged and late, 0 or 1) out of its sums (xinfang/stats/rollups.py, ``undue_summed``).
    running_due = models.DateField(null=True)
    undue_judged = models.IntegerField(default=0)
    undue_late = models.IntegerField(default=0)

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        indexes = [
            models.Index(fields=["case"], name="stats_fact_case_idx"),
            models.Index(fields=["month"], name="stats_fact_multi_idx", condition=Q(multi=True)),
            models.Index(fields=["done_on"], name="stats_fact_done_idx", condition=Q(done_on__isnull=False)),
            models.Index(fields=["month2", "month"], name="stats_fact_span_idx", condition=Q(late_span__gt=0)),
            models.Index(fields=["running_due"], name="stats_fact_running_idx", condition=Q(running_due__isnull=False)),
        ]


class Rollup(RollupKey):
    """The sums of ``CaseFact`` per key: what the monthly table, the dashboard and the ranking read."""

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        # The months of an org subtree, and with the key and the total in it, the trend and the shares
        # (cases received per month, channel, kind or category) read the index alone: a year of a ten-county
        # city is ~157,000 rows, 74 ms read from the table at 10^6 on SQLite, 22 ms from the index.
        indexes = [
            models.Index(
                fields=["month", "org", "kind", "channel", "category", "total"], name="stats_rollup_month_org_idx"
            ),
            # The same for the rows that count cases received (a third of them: the others hold the counts
            # dated later, 受理 or 办结 ...): the trend's twelve months, 24 → 13 ms at 10^6 on SQLite.
            models.Index(
                fields=["month", "org", "kind", "channel", "category", "total"],
                name="stats_rollup_received_idx",
                condition=Q(total__gt=0),
            ),
        ]


class UnitRollup(UnitKey):
    """``Rollup`` summed over the categories: what a table, the shares by channel or kind and the trend read
    when no category is asked for. A city's month is half the rows of ``Rollup`` (the sums over them
    were a fifth of the dashboard at 10^6). Kept with ``Rollup`` by the same consumer and rebuild."""

    class Meta:
        verbose_name = "统计汇总（不分类别）"
        verbose_name_plural = "统计汇总（不分类别）"
        indexes = [
            models.Index(fields=["month", "org", "kind", "channel", "total"], name="stats_unit_month_org_idx"),
            models.Index(
                fields=["month", "org", "kind", "channel", "total"],
                name="stats_unit_received_idx",
                condition=Q(total__gt=0),
            ),
        ]
