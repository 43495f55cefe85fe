"""Ledger layouts, value mappings, imports and the rows they brought in (keyed by ledger number)."""

from django.conf import settings
from django.db import models

from xinfang.ledgers.fields import MAPPED, ordered_keys


class LedgerLayout(models.Model):
    """A named column mapping (case field → ledger header), saved per org and reused.

    ``order`` is the ledger's own column order (field keys, as the file's headers stood when the mapping
    was saved), so an export in this layout has the receiving office's columns in its order: ``columns``
    cannot say it, a JSON object's key order being lost in PostgreSQL's jsonb.
    """

    org = models.ForeignKey("orgs.Org", verbose_name="所属单位", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名称", max_length=60)
    columns = models.JSONField("列对应", default=dict)  # {field key: header}
    order = models.JSONField("列顺序", default=list, blank=True)  # [field key, ...] in the ledger's column order

    class Meta:
        verbose_name = "台账格式"
        verbose_name_plural = "台账格式"
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="ledger_layout_unique_name")]

    def __str__(self) -> str:
        return self.name

    def column_keys(self) -> list[str]:
        """The mapped field keys in the ledger's column order (keys the order lacks after, in FIELDS order)."""
        return ordered_keys(self.columns, self.order)


class ValueMapping(models.Model):
    """A ledger's text for a category, unit or channel → the dictionary entry the clerk chose."""

    layout = models.ForeignKey(LedgerLayout, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField("类型", max_length=10, choices=list(MAPPED.items()))
    text = models.CharField("台账中的写法", max_length=100)
    target = models.CharField("对应", max_length=40)  # category code, org id or channel value

    class Meta:
        verbose_name = "台账值对应"
        verbose_name_plural = "台账值对应"
        constraints = [models.UniqueConstraint(fields=["layout", "kind", "text"], name="ledger_value_unique")]


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    VALIDATED = "validated", "已校验"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class LedgerImport(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name="导入单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    data = models.BinaryField("文件内容")
    layout = models.ForeignKey(LedgerLayout, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("状态", max_length=12, choices=ImportState.choices, default=ImportState.UPLOADED)
    total = models.PositiveIntegerField("总行数", default=0)
    imported = models.PositiveIntegerField("已导入", default=0)
    skipped = models.PositiveIntegerField("已存在（跳过）", default=0)
    error_count = models.PositiveIntegerField("问题数", default=0)
    report = models.BinaryField("校验报告", null=True, blank=True)
    message = models.TextField("说明", blank=True)
    cancel_requested = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * (self.imported + self.skipped) / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.state == ImportState.IMPORTING


class ImportedRow(models.Model):
    """One ledger row brought in: the ledger's own number, unique per org, is the idempotency key."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    ledger_number = models.CharField("台账编号", max_length=60)
    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.PROTECT, related_name="rows")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "已导入行"
        verbose_name_plural = "已导入行"
        constraints = [models.UniqueConstraint(fields=["org", "ledger_number"], name="ledger_row_unique_number")]
