"""Supervision (督办), urging slips (催办单) and leader instructions (批示): tracked items on a case.

Each is a row of its own table keyed by case (no columns on ``Case``), with
the fields of ``TrackedItem`` that the escalation ladder reads through the
contract in ``xinfang.supervision.tracked``: who owes the next thing
(``owed_by_org``), who asked for it (``issued_org``/``issued_by``), the
status ("open" while something is owed), and ``version``, bumped whenever a
tracked date changes, so that a reminder keyed on it is sent once per date.

Rows are written only by ``xinfang.supervision.actions`` (and the listing
consumer through them); each change also writes a case event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.fields import ClockDateTimeField
from xinfang.orgs.models import OrgLevel

OPEN = "open"


class TrackedItem(models.Model):
    """What every tracked item has (the escalation contract: keep these names)."""

    case = models.ForeignKey("cases.Case", verbose_name="信访件", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, default=OPEN)
    # The unit that owes the next thing: the supervised, urged or instructed unit.
    owed_by_org = models.ForeignKey("orgs.Org", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    # The supervising / urging org and person, or the instructing leader.
    issued_org = models.ForeignKey("orgs.Org", verbose_name="发起单位", on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Bumped whenever a tracked date changes: the dedupe key of reminders.
    version = models.PositiveIntegerField("版本", default=1)
    opened_at = ClockDateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


# --- supervision ------------------------------------------------------------------------------


class SupervisionKind(models.TextChoices):
    FILED = "filed", "立案督办"
    LETTER = "letter", "发函督办"
    LISTED = "listed", "挂牌督办"
    ON_SITE = "on_site", "现场督查"


class SupervisionStatus(models.TextChoices):
    OPEN = OPEN, "督办中"
    CONCLUDED = "concluded", "已办结"
    ESCALATED = "escalated", "已提级督办"


class ListingCondition(models.TextChoices):
    REPEAT = "repeat", "重复信访"
    COLLECTIVE = "collective", "集体访"
    INSTRUCTED = "instructed", "领导批示件"
    REFERRED = "referred", "上级交办件"


class ListingRule(models.Model):
    """When a case must be listed for supervision (挂牌督办), by whom, and how tightly: data with effective dates.

    ``org`` limits the rule to cases held within that org's subtree (empty:
    everywhere). The listing org is the petition bureau of the government at
    ``level`` above (or at) the case's holding unit.
    """

    name = models.CharField("名称", max_length=60)
    condition = models.CharField("条件", max_length=16, choices=ListingCondition.choices)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="适用范围（留空为全部）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField("挂牌督办单位层级", max_length=12, choices=OrgLevel.choices, default=OrgLevel.COUNTY)
    due_days = models.PositiveSmallIntegerField("办结期限（日）", default=30)
    report_every_days = models.PositiveSmallIntegerField("进展反馈周期（日）", null=True, blank=True, default=7)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "挂牌督办规则"
        verbose_name_plural = "挂牌督办规则"
        ordering = ["condition", "-effective_from"]

    def __str__(self):
        return self.name


class SupervisionItem(TrackedItem):
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访件", on_delete=models.PROTECT, related_name="supervision_items"
    )
    kind = models.CharField("督办方式", max_length=12, choices=SupervisionKind.choices)
    status = models.CharField("状态", max_length=12, choices=SupervisionStatus.choices, default=OPEN)
    reason = models.TextField("督办事由")
    due_on = models.DateField("办结期限")
    report_every_days = models.PositiveSmallIntegerField("进展反馈周期（日）", null=True, blank=True)
    next_report_on = models.DateField("下次反馈期限", null=True, blank=True)
    listing_rule = models.ForeignKey(
        ListingRule, verbose_name="挂牌依据", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    # Escalated: the item handed up, the higher level's item points back at it.
    escalated_from = models.ForeignKey(
        "self", verbose_name="提级自", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    outcome = models.TextField("办结意见", blank=True)

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status=OPEN), name="supervision_open_due_idx"),
            models.Index(fields=["next_report_on"], condition=Q(status=OPEN), name="supervision_open_report_idx"),
            models.Index(fields=["issued_org", "status"], name="supervision_issued_idx"),
            models.Index(fields=["owed_by_org", "status"], name="supervision_owed_idx"),
            # The items closed since a day (the ranking's 督办超期 over a period, stats.ranking).
            models.Index(fields=["closed_at"], name="supervision_closed_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.case_id}）"


class ReportKind(models.TextChoices):
    PROGRESS = "progress", "进展情况"
    FINAL = "final", "办理结果"


class SupervisionReport(models.Model):
    """督办反馈: what the supervised unit reported (progress or the final result)."""

    item = models.ForeignKey(SupervisionItem, verbose_name="督办事项", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField("反馈类型", max_length=10, choices=ReportKind.choices)
    text = models.TextField("反馈内容")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name="反馈单位", on_delete=models.PROTECT, related_name="+")
    at = ClockDateTimeField("反馈时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办反馈"
        verbose_name_plural = "督办反馈"
        ordering = ["at", "pk"]


# --- urging -----------------------------------------------------------------------------------


class UrgingTarget(models.TextChoices):
    HOLDING = "holding", "承办单位"
    CO_FEEDBACK = "co_feedback", "协办单位（协办反馈）"


class UrgingStatus(models.TextChoices):
    OPEN = OPEN, "待答复"
    ANSWERED = "answered", "已答复"
    WITHDRAWN = "withdrawn", "已撤回"


class UrgingSlip(TrackedItem):
    """催办单: what is late or near, to the unit holding the case (or a co-unit, for its feedback)."""

    case = models.ForeignKey("cases.Case", verbose_name="信访件", on_delete=models.PROTECT, related_name="urging_slips")
    status = models.CharField("状态", max_length=12, choices=UrgingStatus.choices, default=OPEN)
    target = models.CharField("催办对象", max_length=12, choices=UrgingTarget.choices, default=UrgingTarget.HOLDING)
    subject = models.TextField("催办事项")
    # The stored deadline this slip is about (the proposal looks for an open slip per deadline).
    deadline = models.ForeignKey(
        "clock.Deadline", verbose_name="所催期限", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_by = models.DateField("答复期限")
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "催办单"
        verbose_name_plural = "催办单"
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["reply_by"], condition=Q(status=OPEN), name="urging_open_reply_idx"),
            models.Index(fields=["owed_by_org", "status"], name="urging_owed_idx"),
            models.Index(fields=["deadline", "status"], name="urging_deadline_idx"),
        ]

    def __str__(self):
        return f"催办单（{self.case_id}）"


class UrgingRule(models.Model):
    """When the system proposes urging (建议催办): a deadline within ``days_before`` days and no open slip."""

    name = models.CharField("名称", max_length=60)
    days_before = models.PositiveSmallIntegerField("期限届满前（日）", default=3)
    reply_days = models.PositiveSmallIntegerField("默认答复期限（日）", default=3)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "催办建议规则"
        verbose_name_plural = "催办建议规则"
        ordering = ["-effective_from"]

    def __str__(self):
        return self.name


# --- leader instructions ----------------------------------------------------------------------


class InstructionStatus(models.TextChoices):
    OPEN = OPEN, "待落实"
    REPORTED = "reported", "已报告落实情况"
    CLOSED = "closed", "已办结"


class Instruction(TrackedItem):
    """领导批示: the leader's text, the unit (``owed_by_org``, also ``to_org``) and person to act, a commitment date."""

    case = models.ForeignKey("cases.Case", verbose_name="信访件", on_delete=models.PROTECT, related_name="instructions")
    status = models.CharField("状态", max_length=12, choices=InstructionStatus.choices, default=OPEN)
    text = models.TextField("批示内容")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="落实责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commit_by = models.DateField("承诺落实期限")
    report = models.TextField("落实情况", blank=True)
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["commit_by"], condition=Q(status=OPEN), name="instruction_open_commit_idx"),
            models.Index(fields=["owed_by_org", "status"], name="instruction_owed_idx"),
        ]

    def __str__(self):
        return f"领导批示（{self.case_id}）"

    @property
    def to_org(self):
        """The instructed unit (the same as ``owed_by_org``)."""
        return self.owed_by_org

    @property
    def to_org_id(self):
        return self.owed_by_org_id
