"""The work calendar, the statutory rule sets, and stored deadlines.

The arithmetic lives in ``engine.py`` (pure functions); these tables are what
it is fed with (calendar entries, rules) and where its answers are kept
(``Deadline``), so "due soon" and "overdue" are indexed queries, never a
recomputation on read (DESIGN.md §4).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xinfang.orgs.models import Org

WEEKDAY_NAMES = "一二三四五六日"


def weekday_label(d: date) -> str:
    return f"周{WEEKDAY_NAMES[d.weekday()]}"


class _SnapshotMixin:
    """Remember the values a row was loaded with, so receivers can tell what an edit changed."""

    tracked_fields: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        # A mixin for Model subclasses: super() is models.Model at run time, which mypy cannot see here.
        instance = super().from_db(db, field_names, values)  # type: ignore[misc]
        instance._loaded = {f: getattr(instance, f) for f in cls.tracked_fields if f in field_names}
        return instance

    def loaded_value(self, field: str):
        """The value when read from the database, or None for a new, unsaved row."""
        return getattr(self, "_loaded", {}).get(field)


# --- the work calendar ---------------------------------------------------------


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "节假日（休息）"
    WORKDAY = "workday", "调休上班"


class CalendarSource(models.TextChoices):
    SEED = "seed", "预置（国务院办公厅公布的放假安排）"
    IMPORT = "import", "文件导入"
    ADMIN = "admin", "管理员维护"


class CalendarDay(_SnapshotMixin, models.Model):
    """One date the official schedule sets apart from the plain Mon–Fri week.

    Only exceptions are stored: a holiday (even one on a weekend, so the page
    can show the whole holiday) or a make-up working day (调休) on a weekend.
    Every other date follows the weekday rule.
    """

    tracked_fields = ("date",)

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=8, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=60, blank=True, help_text="如：春节、国庆节；调休上班日写对应节日")
    source = models.CharField("来源", max_length=8, choices=CalendarSource.choices, default=CalendarSource.ADMIN)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "日历日期"
        verbose_name_plural = "工作日历（节假日与调休）"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.WORKDAY

    def clean(self):
        # A make-up working day on a weekday changes nothing and is almost
        # certainly a typo for a holiday (or the wrong date); refuse it.
        if self.date and self.kind == DayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": f"{self.date.isoformat()} 是{weekday_label(self.date)}，本来就是工作日，不能标为调休上班。"}
            )


class CalendarYear(_SnapshotMixin, models.Model):
    """A year whose official State Council schedule is loaded.

    A computation that touches a year without a row here still answers, on
    the weekends-only rule, but is flagged provisional.
    """

    tracked_fields = ("year",)

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=8, choices=CalendarSource.choices, default=CalendarSource.ADMIN)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    note = models.CharField("说明", max_length=200, blank=True, help_text="如：通知名称或文号")

    class Meta:
        verbose_name = "已载入年度"
        verbose_name_plural = "已载入官方安排的年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年"


class CalendarRevision(models.Model):
    """A single row whose token changes with every calendar edit.

    Each process caches the WorkCalendar it built and checks this token (one
    primary-key read) before reusing it, so an edit made through the admin in
    one process is seen by every other process. A random token rather than a
    counter: after a rolled-back transaction a counter could repeat a value
    while the content differs.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"


# --- rule sets --------------------------------------------------------------------


class Clock(models.TextChoices):
    ROUTING = "routing", "交转办"
    ACCEPTANCE = "acceptance", "受理告知"
    MISROUTING_OBJECTION = "misrouting_objection", "退回异议"
    HANDLING = "handling", "办理"
    EXTENSION = "extension", "延期上限"
    REVIEW_WINDOW = "review_window", "复查申请期"
    REVIEW_DECISION = "review_decision", "复查决定"
    REEXAM_WINDOW = "reexam_window", "复核申请期"
    REEXAM_DECISION = "reexam_decision", "复核决定"


# The petitioner's own windows roll forward off a rest day by default; the
# agency's deadlines do not (DESIGN.md §4: no binding text settles it, so it
# is a per-rule policy with these defaults).
PETITIONER_WINDOWS = frozenset({Clock.REVIEW_WINDOW, Clock.REEXAM_WINDOW})

# Clocks that may be extended, and the clock whose days cap the extension.
EXTENSION_CAP: dict[str, Clock] = {Clock.HANDLING: Clock.EXTENSION}  # looked up by the stored value


class RuleSetQuerySet(models.QuerySet):
    def in_effect(self, on: date):
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)


class RuleSet(models.Model):
    """A named set of statutory periods (national or provincial) with effective dates."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="留空表示现行有效；填写则当日仍有效")
    is_national_default = models.BooleanField(
        "全国默认", default=False, help_text="没有为机构或其上级指定规则集时，使用施行中的全国默认规则集"
    )
    note = models.TextField("说明", blank=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = "规则集"
        verbose_name_plural = "规则集"
        ordering = ["-is_national_default", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="ruleset_effective_range",
            )
        ]

    def __str__(self):
        return self.name

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def clean(self):
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "废止日期不能早于施行日期。"})
        if self.is_national_default and self.effective_from:
            # Two national defaults in force on one day would make the choice
            # depend on an ordering detail; make the administrator decide.
            far = date.max
            overlapping = (
                RuleSet.objects.filter(is_national_default=True)
                .exclude(pk=self.pk)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
                .filter(effective_from__lte=self.effective_to or far)
            )
            clash = overlapping.first()
            if clash:
                raise ValidationError(f"与全国默认规则集“{clash}”的施行期间重叠，请先为其填写废止日期。")


class ClockRule(models.Model):
    """One statutory period of a rule set."""

    rule_set = models.ForeignKey(RuleSet, verbose_name="规则集", on_delete=models.CASCADE, related_name="rules")
    clock = models.CharField("期限", max_length=24, choices=Clock.choices)
    days = models.PositiveSmallIntegerField("天数")
    working = models.BooleanField("按工作日计算", default=False, help_text="不勾选则按自然日计算")
    roll_forward = models.BooleanField(
        "末日顺延", default=False, help_text="自然日期限的最后一日为休息日时顺延至下一个工作日"
    )
    article = models.CharField("依据", max_length=120, blank=True, help_text="如：《信访工作条例》第二十三条")

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        ordering = ["rule_set", "clock"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "clock"], name="unique_clock_per_rule_set")]

    def __str__(self):
        return f"{self.get_clock_display()} {self.describe()}"

    def describe(self) -> str:
        unit = "工作日" if self.working else "自然日"
        tail = "" if self.working else ("，末日遇休息日顺延" if self.roll_forward else "，不顺延")
        return f"{self.days} 个{unit}{tail}"


class LocalTarget(models.Model):
    """A local commitment stricter than the law, shown beside the statutory deadline."""

    rule_set = models.ForeignKey(RuleSet, verbose_name="规则集", on_delete=models.CASCADE, related_name="targets")
    key = models.CharField(
        "代码", max_length=40, help_text="如：urgency:一般、urgency:急、urgency:特急、leader_instruction"
    )
    label = models.CharField("名称", max_length=60)
    days = models.PositiveSmallIntegerField("天数")
    working = models.BooleanField("按工作日计算", default=False)

    class Meta:
        verbose_name = "本地承诺时限"
        verbose_name_plural = "本地承诺时限"
        ordering = ["rule_set", "key"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "key"], name="unique_target_per_rule_set")]

    def __str__(self):
        return f"{self.label}：{self.days} 个{'工作日' if self.working else '自然日'}"


class OrgRuleSet(models.Model):
    """Assigns a rule set to an org (and, by inheritance, everything under it) from a date."""

    org = models.ForeignKey(Org, verbose_name="机构", on_delete=models.CASCADE, related_name="rule_set_assignments")
    rule_set = models.ForeignKey(RuleSet, verbose_name="规则集", on_delete=models.PROTECT, related_name="assignments")
    effective_from = models.DateField("起用日期")

    class Meta:
        verbose_name = "机构规则集指定"
        verbose_name_plural = "机构规则集指定"
        ordering = ["org__path", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["org", "effective_from"], name="unique_org_rule_set_from")]

    def __str__(self):
        return f"{self.org} 自 {self.effective_from.isoformat()} 起适用 {self.rule_set}"


class OrgRule(Org):
    """Read-only admin view: the rule set each org actually uses (proxy; orgs stays untouched)."""

    class Meta:
        proxy = True
        verbose_name = "机构适用规则"
        verbose_name_plural = "各机构适用规则"


# --- stored deadlines --------------------------------------------------------------


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "进行中"
    MET = "met", "已完成"
    CANCELLED = "cancelled", "已撤销"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DeadlineStatus.OPEN)

    def overdue(self, today: date):
        # A paused clock is not running, so it cannot be overdue.
        return self.open().filter(due_date__lt=today, paused=False)

    def due_soon(self, today: date, *, within_days: int = 3):
        return self.open().filter(due_date__gte=today, due_date__lte=today + timedelta(days=within_days))

    def for_owner(self, owner):
        return self.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)


class Deadline(models.Model):
    """A running statutory period, owned by whatever it belongs to (a case, later).

    The rule (days, unit, roll-forward) is copied from the rule set when the
    deadline is opened; see ``services`` for when a later rule edit is applied.
    ``pauses`` holds ``[start, end]`` ISO-date pairs (inclusive, ``end`` null
    while running) of time not counted, e.g. a hearing.
    """

    # clock_deadline_owner (owner_type, owner_id) leads with it.
    owner_type = models.ForeignKey(ContentType, verbose_name="所属对象类型", on_delete=models.CASCADE, db_index=False)
    owner_id = models.PositiveBigIntegerField("所属对象 ID")
    owner = GenericForeignKey("owner_type", "owner_id")

    org = models.ForeignKey(Org, verbose_name="责任机构", on_delete=models.PROTECT, related_name="deadlines")
    clock = models.CharField("期限", max_length=24, choices=Clock.choices)
    rule_set = models.ForeignKey(
        RuleSet, verbose_name="规则集", null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    start = models.DateField("起算日", help_text="起算日当天不计入")
    days = models.PositiveSmallIntegerField("天数")
    working = models.BooleanField("按工作日计算", default=False)
    roll_forward = models.BooleanField("末日顺延", default=False)
    extension_days = models.PositiveSmallIntegerField("已批准延期天数", default=0)
    pauses = models.JSONField("中止计算期间", default=list, blank=True)

    target_key = models.CharField("本地承诺代码", max_length=40, blank=True)
    target_days = models.PositiveSmallIntegerField("承诺天数", null=True, blank=True)
    target_working = models.BooleanField("承诺按工作日计算", default=False)

    due_date = models.DateField("法定期限", db_index=True)
    target_date = models.DateField("承诺期限", null=True, blank=True)
    provisional = models.BooleanField(
        "暂定", default=False, help_text="计算涉及尚未载入官方节假日安排的年度，仅按周末推算"
    )
    paused = models.BooleanField("中止计算中", default=False)

    status = models.CharField("状态", max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    met_at = models.DateField("完成日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id"], name="clock_deadline_owner"),
            models.Index(fields=["status", "due_date"], name="clock_deadline_status_due"),
            # The handling periods open and due by a day (期初积案's candidates in the statistics): among the
            # open deadlines of every clock, the review windows outnumber them several times. Partial on the
            # clock alone: with the state in its condition too, SQLite estimated it above the index beside.
            models.Index(
                fields=["status", "due_date", "owner_type", "owner_id"],
                name="clock_deadline_handling",
                condition=models.Q(clock=Clock.HANDLING),
            ),
        ]

    def __str__(self):
        return f"{self.get_clock_display()} 至 {self.due_date.isoformat()}"

    @property
    def is_late(self) -> bool:
        return self.status == DeadlineStatus.MET and self.met_at is not None and self.met_at > self.due_date

    def describe_rule(self) -> str:
        unit = "工作日" if self.working else "自然日"
        text = f"{self.days} 个{unit}"
        if self.extension_days:
            text += f"，延期 {self.extension_days} 天"
        if self.roll_forward and not self.working:
            text += "，末日遇休息日顺延"
        return text
