"""Escalation rules as data, accountability cards against units, and the sweep's cursors."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xinfang.clock.models import Clock
from xinfang.core import clock as core_clock
from xinfang.orgs.models import Org

# The tracked kinds of xinfang.supervision (supervision/tracked.py: TRACKED); listed here
# as choices so a rule can be written before any item exists, checked against TRACKED at sweep time.
TRACKED_CHOICES = [
    ("supervision", "督办事项办结期限"),
    ("supervision_report", "督办进展反馈期限"),
    ("urging", "催办单答复期限"),
    ("instruction", "领导批示落实期限"),
]
CLOCK_CHOICES = [(c.value, f"{c.label}期限") for c in Clock] + TRACKED_CHOICES
DEADLINE_CLOCKS = frozenset(c.value for c in Clock)


class _Dated(models.Model):
    """Effective from a date, optionally to a date (inclusive)."""

    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="留空表示现行有效；填写则当日仍有效")

    class Meta:
        abstract = True

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def clean(self):
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "废止日期不能早于施行日期。"})


def in_effect_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


class EscalationRuleSet(_Dated):
    """A named ladder of escalation rules (national default or a province's, a city's ...)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    is_national_default = models.BooleanField(
        "全国默认", default=False, help_text="没有为机构或其上级指定升级规则集时，使用施行中的全国默认规则集"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "升级规则集"
        verbose_name_plural = "升级规则集"
        ordering = ["-is_national_default", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="esc_ruleset_effective_range",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.is_national_default and self.effective_from:
            # Two national defaults in force on one day would make the choice depend on ordering.
            clash = (
                EscalationRuleSet.objects.filter(is_national_default=True)
                .exclude(pk=self.pk)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
                .filter(effective_from__lte=self.effective_to or date.max)
                .first()
            )
            if clash:
                raise ValidationError(f"与全国默认升级规则集“{clash}”的施行期间重叠，请先为其填写废止日期。")


class OrgEscalationRuleSet(models.Model):
    """Assigns an escalation rule set to an org (and, by inheritance, everything under it) from a date."""

    org = models.ForeignKey(Org, verbose_name="机构", on_delete=models.CASCADE, related_name="escalation_assignments")
    rule_set = models.ForeignKey(
        EscalationRuleSet, verbose_name="升级规则集", on_delete=models.PROTECT, related_name="assignments"
    )
    effective_from = models.DateField("起用日期")

    class Meta:
        verbose_name = "机构升级规则集指定"
        verbose_name_plural = "机构升级规则集指定"
        ordering = ["org__path", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["org", "effective_from"], name="unique_org_esc_rule_set_from")]

    def __str__(self):
        return f"{self.org} 自 {self.effective_from.isoformat()} 起适用 {self.rule_set}"


class Timing(models.TextChoices):
    BEFORE = "before", "到期前"
    ON_DUE = "on_due", "到期当日"
    OVERDUE = "overdue", "逾期后"


class Record(models.TextChoices):
    NOTHING = "nothing", "仅提醒"
    YELLOW = "yellow", "记黄牌警告"


RECIPIENTS = [
    ("to_handler", "承办人"),
    ("to_unit_head", "责任单位负责人"),
    ("to_routing_officer", "交转办机构受理交办员"),
    ("to_issuer", "督办人 / 催办人"),
    ("to_leader", "批示领导"),
]


class EscalationRule(_Dated):
    """One rung: for a clock, when (relative to the due date), whom to tell, what to record."""

    rule_set = models.ForeignKey(
        EscalationRuleSet, verbose_name="升级规则集", on_delete=models.CASCADE, related_name="rules"
    )
    code = models.SlugField("代码", max_length=60)
    name = models.CharField("名称", max_length=100)
    clock = models.CharField("期限", max_length=24, choices=CLOCK_CHOICES)
    timing = models.CharField("时点", max_length=8, choices=Timing.choices)
    days = models.PositiveSmallIntegerField("天数", default=0, help_text="到期前或逾期后的天数；到期当日填 0")
    working = models.BooleanField("按工作日计算", default=False, help_text="按工作日历（节假日、调休）计算天数")
    to_handler = models.BooleanField("通知承办人", default=False)
    to_unit_head = models.BooleanField("通知责任单位负责人", default=False)
    to_routing_officer = models.BooleanField("通知交转办机构受理交办员", default=False)
    to_issuer = models.BooleanField("通知督办人/催办人", default=False)
    to_leader = models.BooleanField("通知批示领导", default=False)
    kind = models.ForeignKey(
        "notifications.NotificationKind", verbose_name="通知类型", on_delete=models.PROTECT, related_name="+"
    )
    record = models.CharField("记录", max_length=8, choices=Record.choices, default=Record.NOTHING)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "升级规则"
        verbose_name_plural = "升级规则"
        ordering = ["rule_set", "clock", "timing", "days"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="unique_esc_rule_code"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="esc_rule_effective_range",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.describe()}）"

    def describe(self) -> str:
        unit = "个工作日" if self.working else "天"
        when = {
            Timing.BEFORE: f"到期前 {self.days} {unit}",
            Timing.ON_DUE: "到期当日",
            Timing.OVERDUE: f"逾期 {self.days} {unit}",
        }[Timing(self.timing)]
        return f"{self.get_clock_display()}{when}"

    def recipient_roles(self) -> list[str]:
        return [field for field, _ in RECIPIENTS if getattr(self, field)]

    def clean(self):
        super().clean()
        if self.timing == Timing.ON_DUE and self.days:
            raise ValidationError({"days": "“到期当日”的天数应为 0。"})
        if self.timing != Timing.ON_DUE and not self.days:
            raise ValidationError({"days": "“到期前”“逾期后”须填写天数（至少 1 天）。"})
        if not (self.recipient_roles() or self.record == Record.YELLOW):
            raise ValidationError("请至少选择一类通知对象，或选择记黄牌警告。")


class CardPolicy(_Dated):
    """N yellow cards on one unit within M days make a red card."""

    name = models.CharField("名称", max_length=100)
    yellow_count = models.PositiveSmallIntegerField("黄牌数", help_text="期间内累计黄牌达到此数即记红牌")
    within_days = models.PositiveSmallIntegerField("期间（天）")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "红牌规则"
        verbose_name_plural = "红牌规则"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.name}：{self.within_days} 天内 {self.yellow_count} 张黄牌记红牌"

    def clean(self):
        super().clean()
        if self.yellow_count is not None and self.yellow_count < 1:
            raise ValidationError({"yellow_count": "黄牌数至少为 1。"})


class CardColor(models.TextChoices):
    YELLOW = "yellow", "黄牌警告"
    RED = "red", "红牌警告"


class CardQuerySet(models.QuerySet):
    def standing(self):
        return self.filter(revoked_at__isnull=True)


class AccountabilityCard(models.Model):
    """A yellow or red card recorded against a UNIT (never a petitioner) for a lapsed deadline."""

    org = models.ForeignKey(Org, verbose_name="责任单位", on_delete=models.PROTECT, related_name="cards")
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    color = models.CharField("类别", max_length=8, choices=CardColor.choices)
    rule = models.ForeignKey(
        EscalationRule, verbose_name="升级规则", null=True, blank=True, on_delete=models.PROTECT, related_name="cards"
    )
    policy = models.ForeignKey(
        CardPolicy, verbose_name="红牌规则", null=True, blank=True, on_delete=models.PROTECT, related_name="cards"
    )
    source = models.CharField("来源类型", max_length=24, choices=CLOCK_CHOICES, blank=True)
    object_id = models.PositiveBigIntegerField("来源对象 ID", null=True, blank=True)
    version = models.CharField("期限版本", max_length=20, blank=True)
    due_date = models.DateField("逾期的期限", null=True, blank=True)
    reason = models.CharField("事由", max_length=200)
    issued_at = models.DateTimeField("记录时间", default=core_clock.now)
    red_card = models.ForeignKey(
        "self",
        verbose_name="计入的红牌",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="yellow_cards",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField("撤销理由", max_length=200, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = "问责记录（黄牌/红牌）"
        verbose_name_plural = "问责登记簿（黄牌/红牌）"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # One yellow card per rule, item and due-date version, however often the sweep runs.
            models.UniqueConstraint(
                fields=["rule", "source", "object_id", "version"],
                condition=Q(color="yellow"),
                name="unique_yellow_card_per_item_version",
            )
        ]
        indexes = [models.Index(fields=["org", "issued_at"], name="esc_card_org_issued")]

    def __str__(self):
        return f"{self.org} {self.get_color_display()} {self.reason}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CardAction(models.TextChoices):
    ISSUED = "issued", "记录"
    REVOKED = "revoked", "撤销"


class CardEvent(models.Model):
    """The append-only history of a card: who recorded or revoked it, when, why."""

    card = models.ForeignKey(AccountabilityCard, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=8, choices=CardAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=100, blank=True)
    at = models.DateTimeField("时间", default=core_clock.now)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "问责记录变动"
        verbose_name_plural = "问责记录变动"
        ordering = ["at", "pk"]


class SweepCursor(models.Model):
    """How far the sweep has gone for one rule: items due through ``through_date`` are done.

    ``max_pk`` is the highest item id seen, so an item created later with a
    due date the cursor has already passed (a short clock) is still caught.
    """

    rule = models.OneToOneField(EscalationRule, on_delete=models.CASCADE, related_name="cursor")
    through_date = models.DateField("已处理至（期限日）")
    max_pk = models.PositiveBigIntegerField("已见最大对象 ID", default=0)
    swept_at = models.DateTimeField("最近运行", default=core_clock.now)
    last_items = models.PositiveIntegerField("最近处理数", default=0)

    class Meta:
        verbose_name = "升级扫描进度"
        verbose_name_plural = "升级扫描进度"

    def __str__(self):
        return f"{self.rule} 至 {self.through_date.isoformat()}"
