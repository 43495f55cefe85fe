"""Formal documents (正式文书): numbered, frozen at issue, kept when corrected.

A ``Document`` is made from the text a workflow action wrote into the case
history (``CaseEvent.document``; ``cases.documents`` builds those texts). Once
issued its number and text never change: ``save`` refuses any change to a
frozen field and ``delete`` refuses always. A correction is a new document
with a new number that supersedes the old one; both stay on the case.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from xinfang.cases.states import Action, Notice, TrackedAction


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理告知书"
    DECLINE = "decline", "不予受理告知书"
    REFUSE_FINAL = "refuse_final", "不再受理告知书"
    REDIRECT = "redirect", "导入法定途径告知书"
    FORWARD = "forward", "转送函"
    ASSIGN = "assign", "交办函"
    EXTENSION = "extension", "延期告知书"
    REPLY = "reply", "处理意见书"
    REVIEW = "review", "复查意见书"
    REEXAM = "reexam", "复核意见书"
    RETURN = "return", "退回函"
    RECEIPT = "receipt", "送达回证"
    # The supervision app's letters (xinfang.supervision): their text is composed from its rows.
    URGING = "urging", "催办单"
    SUPERVISION = "supervision", "督办函"


# Where each kind comes from: the notice an event carries, or (for letters
# that are not notices to the petitioner) the action and the letter's title.
KIND_BY_NOTICE = {
    Notice.ACCEPTANCE: DocumentKind.ACCEPTANCE,
    Notice.DECLINE: DocumentKind.DECLINE,
    Notice.REFUSE_FINAL: DocumentKind.REFUSE_FINAL,
    Notice.REDIRECT: DocumentKind.REDIRECT,
    Notice.EXTENSION: DocumentKind.EXTENSION,
    Notice.REPLY: DocumentKind.REPLY,
    Notice.REVIEW: DocumentKind.REVIEW,
    Notice.REEXAM: DocumentKind.REEXAM,
}
KIND_BY_TITLE = {"信访事项转送函": DocumentKind.FORWARD, "信访事项交办函": DocumentKind.ASSIGN}
KIND_BY_ACTION = {
    Action.RETURN: DocumentKind.RETURN,
    TrackedAction.URGING_ISSUE: DocumentKind.URGING,
    TrackedAction.SUPERVISION_OPEN: DocumentKind.SUPERVISION,
    # 继续督办 sets a new due date: the unit is told it by a letter of its own, numbered anew.
    TrackedAction.SUPERVISION_CONTINUE: DocumentKind.SUPERVISION,
}
# Kinds whose text the history does not hold: documents.texts composes it from the event and its rows.
COMPOSED_KINDS = frozenset({DocumentKind.RETURN, DocumentKind.URGING, DocumentKind.SUPERVISION})

# The letters of the default 文号 prefix (the issuing org's short name comes first),
# used until an admin sets the org's own prefix for the kind.
DEFAULT_PREFIX_LETTER = {
    DocumentKind.ACCEPTANCE: "受",
    DocumentKind.DECLINE: "不受",
    DocumentKind.REFUSE_FINAL: "不再",
    DocumentKind.REDIRECT: "导",
    DocumentKind.FORWARD: "转",
    DocumentKind.ASSIGN: "交",
    DocumentKind.EXTENSION: "延",
    DocumentKind.REPLY: "处",
    DocumentKind.REVIEW: "复查",
    DocumentKind.REEXAM: "复核",
    DocumentKind.RETURN: "退",
    DocumentKind.RECEIPT: "送",
    DocumentKind.URGING: "催",
    DocumentKind.SUPERVISION: "督",
}


class DocumentState(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"
    DELIVERED = "delivered", "已送达"
    SUPERSEDED = "superseded", "已作废"


class DocumentNumberPrefix(models.Model):
    """The 文号 prefix an org uses for a kind of document: 清信转 gives 清信转〔2026〕15号."""

    org = models.ForeignKey("orgs.Org", verbose_name="制发机关", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书种类", max_length=16, choices=DocumentKind.choices)
    prefix = models.CharField("文号前缀", max_length=20, help_text="机关代字，例如“清信转”")

    class Meta:
        verbose_name = "文号前缀"
        verbose_name_plural = "文号前缀"
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="unique_docprefix_org_kind")]

    def __str__(self):
        return f"{self.org}·{self.get_kind_display()}：{self.prefix}"


class DocumentTemplate(models.Model):
    """A Word template an org uploads instead of the default (for one kind, or for all its kinds).

    Start from ``xinfang/documents/docx/default.docx`` and keep its docxtpl tags.
    A template changes how documents print, never what they say: the fields are frozen.
    """

    org = models.ForeignKey("orgs.Org", verbose_name="制发机关", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        "文书种类", max_length=16, choices=DocumentKind.choices, blank=True, help_text="不选则用于本机关的各类文书"
    )
    file = models.FileField(
        "Word模板",
        upload_to="document_templates/",
        validators=[FileExtensionValidator(["docx"])],
        help_text="在默认模板的基础上修改，保留 {{ }} 与 {%p %} 标记",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="unique_doctemplate_org_kind")]

    def __str__(self):
        return f"{self.org}·{self.get_kind_display() or '各类文书'}"


class DocumentCounter(models.Model):
    """The last serial handed out per (org, kind, year); advanced by one atomic UPDATE (documents.numbers)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文号计数"
        verbose_name_plural = "文号计数"
        constraints = [models.UniqueConstraint(fields=["org", "kind", "year"], name="unique_doccounter_org_kind_year")]


# What issuing freezes: any change to these on an issued document is refused.
FROZEN_FIELDS = (
    "case_id",
    "kind",
    "issuing_org_id",
    "number",
    "year",
    "serial",
    "title",
    "addressee",
    "body",
    "signer",
    "dated",
    "cc",
    "issued_at",
    "issued_by_id",
    "supersedes_id",
    "source_event_id",
)
# The moves an issued document may still make.
NEXT_STATES = {
    DocumentState.DRAFT: {DocumentState.DRAFT, DocumentState.ISSUED},
    DocumentState.ISSUED: {DocumentState.ISSUED, DocumentState.DELIVERED, DocumentState.SUPERSEDED},
    DocumentState.DELIVERED: {DocumentState.DELIVERED, DocumentState.SUPERSEDED},
    DocumentState.SUPERSEDED: {DocumentState.SUPERSEDED},
}


class Document(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="formal_documents")
    kind = models.CharField("文书种类", max_length=16, choices=DocumentKind.choices)
    issuing_org = models.ForeignKey("orgs.Org", verbose_name="制发机关", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("文号", max_length=40, blank=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    serial = models.PositiveIntegerField("顺序号", null=True, blank=True)
    title = models.CharField("标题", max_length=100)
    addressee = models.CharField("主送", max_length=200, blank=True)
    body = models.TextField("正文")
    signer = models.CharField("署名", max_length=100)
    dated = models.DateField("成文日期")
    cc = models.CharField("抄送", max_length=300, blank=True)
    state = models.CharField("状态", max_length=12, choices=DocumentState.choices, default=DocumentState.DRAFT)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="印发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    source_event = models.ForeignKey(
        "cases.CaseEvent", verbose_name="办理记录", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "正式文书"
        verbose_name_plural = "正式文书"
        ordering = ["case", "dated", "pk"]
        indexes = [models.Index(fields=["case", "kind"], name="document_case_kind_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_org", "kind", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="unique_document_number",
            )
        ]

    def __str__(self):
        return f"{self.title}（{self.number or '未编号'}）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Document.objects.filter(pk=self.pk).values(*FROZEN_FIELDS, "state").first()
            if stored is not None:
                if self.state not in NEXT_STATES[DocumentState(stored["state"])]:
                    raise ValueError(f"a {stored['state']} document cannot become {self.state}")
                if stored["state"] != DocumentState.DRAFT:
                    changed = [f for f in FROZEN_FIELDS if getattr(self, f) != stored[f]]
                    if changed:
                        raise ValueError(f"an issued document never changes ({', '.join(changed)})")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("documents are kept, never deleted (a correction supersedes them)")

    @property
    def is_issued(self) -> bool:
        return self.state != DocumentState.DRAFT

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    @property
    def file_stem(self) -> str:
        return f"{self.title}-{self.number or self.pk}"


class ArchiveState(models.TextChoices):
    PENDING = "pending", "生成中"
    READY = "ready", "已生成"


class ArchiveVolume(models.Model):
    """A case's archive volume (归档卷宗): one ZIP per case, rebuilt when the ended case changes.

    ``wanted`` counts the requests (the case ended, a document was issued
    afterwards, a staff member asked again); ``built`` is the request the
    stored file answers. A build stores its file and ``built`` only if no
    later build got there first (compare-and-set), so a task run twice or a
    worker killed mid-build leaves either the old volume or the new one.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="archive_volume")
    wanted = models.PositiveIntegerField("生成请求", default=1)
    built = models.PositiveIntegerField("已生成的请求", default=0)
    requested_at = models.DateTimeField("请求时间")
    file = models.FileField("卷宗文件", max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", null=True, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    entries = models.JSONField("卷内目录", default=list, blank=True)
    error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "归档卷宗"
        verbose_name_plural = "归档卷宗"
        # The sweep looks for the volumes still owed (few), never through every ended case.
        indexes = [
            models.Index(fields=["requested_at"], condition=Q(built__lt=F("wanted")), name="archive_owed_idx"),
        ]

    def __str__(self):
        return f"归档卷宗（{self.case_id}）"

    @property
    def state(self) -> str:
        return ArchiveState.READY if self.built >= self.wanted and self.file else ArchiveState.PENDING

    @property
    def is_ready(self) -> bool:
        return self.state == ArchiveState.READY

    @property
    def has_file(self) -> bool:
        return bool(self.file and self.sha256)
