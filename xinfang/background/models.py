from django.db import models


class RunOutcome(models.TextChoices):
    QUEUED = "queued", "已排队"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobRun(models.Model):
    """One slot of one periodic job: the scheduler's unique run key.

    The unique (job, slot) pair is what makes two schedulers safe: each
    inserts the run for the current slot, the database keeps one.
    """

    job = models.CharField("任务", max_length=60)
    slot = models.DateTimeField("周期起点")
    created_at = models.DateTimeField("排定时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("状态", max_length=10, choices=RunOutcome.choices, default=RunOutcome.QUEUED)
    result = models.CharField("结果", max_length=500, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="unique_job_run_slot")]
        indexes = [models.Index(fields=["created_at"], name="job_run_created_idx")]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S}"
