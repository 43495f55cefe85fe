"""Notifications: kinds (editable templates), the notifications, channels, deliveries and their log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.core.fields import ClockDateTimeField
from xinfang.core.masking import mask_phone


class Channel(models.TextChoices):
    INAPP = "inapp", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class Audience(models.TextChoices):
    STAFF = "staff", "工作人员"
    PETITIONER = "petitioner", "信访人"


class NotificationKind(models.Model):
    """A kind of notification and its Chinese templates (Django template syntax over the context's values).

    Seeded by a data migration, edited in the admin. ``notify`` refuses a code
    that has no row; an inactive kind writes nothing.
    """

    code = models.CharField("代码", max_length=60, unique=True)
    label = models.CharField("名称", max_length=60)
    audience = models.CharField("接收对象", max_length=12, choices=Audience.choices, default=Audience.STAFF)
    title_template = models.CharField("标题模板", max_length=300)
    body_template = models.TextField("正文模板", blank=True)
    sms_template = models.TextField("短信模板", blank=True, help_text="留空时使用标题")
    email_default = models.BooleanField("默认发送邮件", default=False)
    sms_default = models.BooleanField("默认发送短信", default=False)
    is_active = models.BooleanField("启用", default=True)
    variables = models.CharField("可用变量", max_length=500, blank=True)

    class Meta:
        verbose_name = "通知类型与模板"
        verbose_name_plural = "通知类型与模板"
        ordering = ["audience", "code"]

    def __str__(self):
        return self.label


class Notification(models.Model):
    """One notification to one recipient (a staff member or a petitioner).

    Unique on (dedupe key, recipient): writing it again is a no-op, so a
    reminder is sent once per deadline version however often a sweep runs.
    """

    kind = models.ForeignKey(NotificationKind, verbose_name="类型", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    petitioner = models.ForeignKey(
        "petitioners.Petitioner",
        verbose_name="信访人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="信访件", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    dedupe = models.CharField("去重键", max_length=200)
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    sms_text = models.TextField("短信内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    actor_name = models.CharField("触发人", max_length=100, blank=True)
    created_at = ClockDateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe", "user"], condition=models.Q(user__isnull=False), name="unique_notification_user"
            ),
            models.UniqueConstraint(
                fields=["dedupe", "petitioner"],
                condition=models.Q(petitioner__isnull=False),
                name="unique_notification_petitioner",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, petitioner__isnull=True)
                | models.Q(user__isnull=True, petitioner__isnull=False),
                name="notification_one_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            # The navigation's unread count: one index-only count per page.
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.title


class ChannelPreference(models.Model):
    """A staff member's channels for one kind (in-app is always on); no row: the kind's defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.ForeignKey(NotificationKind, verbose_name="类型", on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField("电子邮件", default=False)
    sms = models.BooleanField("短信", default=False)

    class Meta:
        verbose_name = "通知方式设置"
        verbose_name_plural = "通知方式设置"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_channel_preference")]


class StaffContact(models.Model):
    """A staff member's mobile number for SMS notifications (a work number; masked in every log)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE, related_name="+"
    )
    mobile = models.CharField("接收短信的手机号码", max_length=20, blank=True)

    class Meta:
        verbose_name = "通知联系方式"
        verbose_name_plural = "通知联系方式"

    def __str__(self):
        return mask_phone(self.mobile)


class SmsConsent(models.Model):
    """A petitioner's consent, recorded at registration, to be told the statutory notices of a case by SMS.

    Written from the registration event (its ``sms_consent`` data) by the
    notifications consumer of the case-event outbox; the event in the case's
    history is the record of the consent itself.
    """

    case = models.ForeignKey("cases.Case", verbose_name="信访件", on_delete=models.CASCADE, related_name="+")
    petitioner = models.ForeignKey(
        "petitioners.Petitioner", verbose_name="信访人", on_delete=models.CASCADE, related_name="+"
    )
    consented = models.BooleanField("同意短信告知", default=True)
    recorded_at = models.DateTimeField("登记时间")
    event = models.ForeignKey(
        "cases.CaseEvent", verbose_name="登记事件", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "短信告知同意"
        verbose_name_plural = "短信告知同意"
        constraints = [models.UniqueConstraint(fields=["case", "petitioner"], name="unique_sms_consent")]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    """Sending one notification on one channel (email, SMS): at least once, retried with backoff.

    ``key`` is sent to the gateway with the message (the SMS gateway's
    idempotency key, the e-mail's Message-ID): a delivery that is sent again
    after a crash carries the same key, so the gateway can tell it is a repeat.
    """

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    key = models.CharField("去重键", max_length=64, unique=True)
    status = models.CharField("状态", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = ClockDateTimeField("写入时间", auto_now_add=True)
    available_at = models.DateTimeField("可发送时间")
    claimed_by = models.CharField("领取标记", max_length=64, blank=True)
    lease_until = models.DateTimeField("领取有效至", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    failed_at = models.DateTimeField("放弃时间", null=True, blank=True)
    recipient = models.CharField("接收地址（已遮蔽）", max_length=200, blank=True)
    gateway_ref = models.CharField("网关回执", max_length=100, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "通知发送"
        verbose_name_plural = "通知发送"
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="unique_delivery_channel")]
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="delivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk}"


class FailedDelivery(Delivery):
    """The deliveries that failed for good: the administrator's list (admin: 发送失败的通知)."""

    class Meta:
        proxy = True
        verbose_name = "发送失败的通知"
        verbose_name_plural = "发送失败的通知"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "发送成功"
    RETRY = "retry", "失败，稍后重试"
    FAILED = "failed", "失败，不再重试"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt, with the masked recipient and the gateway's answer."""

    delivery = models.ForeignKey(Delivery, verbose_name="发送", on_delete=models.CASCADE, related_name="attempts_log")
    at = models.DateTimeField("时间")
    number = models.PositiveSmallIntegerField("第几次")
    outcome = models.CharField("结果", max_length=8, choices=AttemptOutcome.choices)
    gateway = models.CharField("网关", max_length=40)
    recipient = models.CharField("接收地址（已遮蔽）", max_length=200, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    worker = models.CharField("处理进程", max_length=64, blank=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        indexes = [models.Index(fields=["-at"], name="delivery_attempt_at_idx")]
