"""What petitioners write through the portal, and to whom they may write.

A ``Submission`` is a letter before it is a case: the petitioner's identity
(ID and mobile numbers encrypted, hashed for look-up and masked for display,
as in ``xinfang.petitioners``), what they wrote, and the credentials they
track it with (a keyed hash of the query code, the password hashed by
Django's hasher). The petition bureau's clerk registers it with the
ordinary registration action; the case it became is then linked here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from xinfang.cases.states import Channel, Kind
from xinfang.core import clock
from xinfang.core.fields import ClockDateTimeField
from xinfang.orgs.models import OrgKind
from xinfang.petitioners import crypto


class Mailbox(models.Model):
    """An addressee on the portal: the petition bureau itself, or a leader's mailbox (县长信箱)."""

    name = models.CharField("名称", max_length=60, help_text="信访人看到的收信人，如：清河县信访局、县长信箱")
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="登记单位",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrgKind.PETITION_BUREAU},
        help_text="由该信访部门的登记员登记办理",
    )
    is_leader_mailbox = models.BooleanField("领导信箱", default=False)
    description = models.CharField("说明", max_length=200, blank=True, help_text="一句话说明，显示在写信页")
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "网上信访收信人"
        verbose_name_plural = "网上信访收信人"
        ordering = ["sort", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.org_id and self.org.kind != OrgKind.PETITION_BUREAU:
            raise ValidationError({"org": "登记单位须为信访部门"})

    @property
    def channel(self) -> str:
        return Channel.MAILBOX if self.is_leader_mailbox else Channel.ONLINE


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "待登记"
    REGISTERED = "registered", "已登记"


class Submission(models.Model):
    mailbox = models.ForeignKey(Mailbox, verbose_name="收信人", on_delete=models.PROTECT, related_name="submissions")
    submitted_at = ClockDateTimeField("提交时间", auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING)
    # Who wrote it.
    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField("身份证号码（密文）", editable=False)
    id_number_hash = models.CharField("身份证号码查询哈希", max_length=64, editable=False, db_index=True)
    id_masked = models.CharField("身份证号码", max_length=18, editable=False)
    phone_enc = models.TextField("手机号码（密文）", editable=False)
    phone_hash = models.CharField("手机号码查询哈希", max_length=64, editable=False)
    phone_masked = models.CharField("手机号码", max_length=20, editable=False)
    sms_consent = models.BooleanField("同意短信告知", default=False)
    address = models.CharField("住址", max_length=200, blank=True)
    division_code = models.CharField("住址行政区划代码", max_length=12, blank=True)
    # What they wrote.
    kind = models.CharField("信访性质", max_length=12, choices=Kind.choices)
    category = models.ForeignKey("cases.Category", verbose_name="内容分类", on_delete=models.PROTECT, related_name="+")
    place_name = models.CharField("问题发生地", max_length=100)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("信访内容")
    accused_name = models.CharField("被反映人或单位", max_length=100, blank=True)
    # How they track it: never the code itself, only its keyed hash.
    query_code_hash = models.CharField("查询码哈希", max_length=64, unique=True, editable=False)
    password = models.CharField("密码（哈希）", max_length=128, editable=False)
    failed_logins = models.PositiveSmallIntegerField("连续查询失败次数", default=0, editable=False)
    locked_until = models.DateTimeField("查询锁定至", null=True, blank=True, editable=False)
    # What it became.
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="信访件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_submission",
    )
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "网上信访"
        verbose_name_plural = "网上信访"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["mailbox", "status", "submitted_at"], name="portal_sub_inbox")]

    def __str__(self):
        return f"{self.title}（{self.submitted_at:%Y-%m-%d}）"

    def set_identity(self, id_number: str, phone: str) -> None:
        """Store normalised ID and mobile numbers encrypted, hashed and masked."""
        from xinfang.core.masking import mask_id_number, mask_phone

        self.id_number_enc = crypto.encrypt(id_number)
        self.id_number_hash = crypto.hash_value(id_number)
        self.id_masked = mask_id_number(id_number)
        self.phone_enc = crypto.encrypt(phone)
        self.phone_hash = crypto.hash_value(phone)
        self.phone_masked = mask_phone(phone)

    def decrypt_id_number(self) -> str:
        """Plain ID number: for the registration of the submission and the petitioner's own SMS only."""
        return crypto.decrypt(self.id_number_enc)

    def decrypt_phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    # Templates must never decrypt (Django refuses to call alters_data methods from a template).
    decrypt_id_number.alters_data = True  # type: ignore[attr-defined]
    decrypt_phone.alters_data = True  # type: ignore[attr-defined]

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock.now()


def submission_file_path(instance, filename):
    # Never the uploaded name on disk (path tricks, personal data): the letter and the bytes' hash.
    return f"portal/{instance.submission_id}/{instance.sha256[:32]}"


class SubmissionFile(models.Model):
    """A file attached to a letter on 我要写信, checked as staff uploads are (cases.attachments);
    copied to the case as the petitioner's attachment when the clerk registers the letter."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_file_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = "网上信访附件"
        verbose_name_plural = "网上信访附件"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class GuideTopic(models.TextChoices):
    RIGHTS = "rights", "信访人的权利和义务"
    CHANNELS = "channels", "信访渠道"
    ROUTES = "routes", "依法通过法定途径解决的事项"
    PERIODS = "periods", "办理期限"


class GuideSectionQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=on), effective_from__lte=on)


class GuideSection(models.Model):
    """A section of a guide page, written by the bureau in the admin; in force between its dates.

    The periods page also lists the statutory periods read from the clock's rules (never typed here).
    """

    topic = models.CharField("栏目", max_length=12, choices=GuideTopic.choices)
    title = models.CharField("小标题", max_length=100)
    body = models.TextField("正文", help_text="空一行分段")
    sort = models.PositiveSmallIntegerField("排序", default=0)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示长期有效")

    objects = GuideSectionQuerySet.as_manager()

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["topic", "sort", "pk"]

    def __str__(self):
        return f"{self.get_topic_display()}：{self.title}"

    def clean(self):
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "失效日期不能早于生效日期"})

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class ReceptionDay(models.Model):
    """A leader's reception day (领导接访日), published on the portal (条例 art 18)."""

    on = models.DateField("接访日期")
    hours = models.CharField("时间", max_length=40, help_text="如：上午9:00—12:00")
    leader = models.CharField("接访领导", max_length=50, help_text="姓名和职务，如：李明（县长）")
    place = models.CharField("地点", max_length=100)
    topics = models.CharField("接访内容", max_length=200, blank=True, help_text="如：城乡建设、征地拆迁")
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "领导接访日"
        verbose_name_plural = "领导接访日"
        ordering = ["on", "sort", "pk"]

    def __str__(self):
        return f"{self.on} {self.leader}"
