"""Cases (信访件), who takes part in them, and their append-only history."""

from django.conf import settings
from django.db import models

from xinfang.cases.states import (
    EVENT_ACTIONS,
    Channel,
    DeliveryMethod,
    Evaluation,
    EvaluationSource,
    Importance,
    Kind,
    Notice,
    ParticipantRole,
    RedirectChannel,
    ReplyDecision,
    ReviewDecision,
    Status,
    StepKind,
    Urgency,
)
from xinfang.clock.models import Clock
from xinfang.core.fields import ClockDateTimeField
from xinfang.orgs.actors import ActorKind


class Category(models.Model):
    """Subject category (two levels); editable data, not code."""

    code = models.CharField("代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内容分类"
        verbose_name_plural = "内容分类"
        ordering = ["code"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name


class CaseCounter(models.Model):
    """Per-org, per-year sequence for case numbers; taken under a row lock."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="unique_case_counter")]


class CaseQuerySet(models.QuerySet):
    """The due states as queryset methods (the one definition is cases.due)."""

    def running(self):
        from xinfang.cases import due

        return self.filter(due.running_q())

    def overdue(self, today=None):
        from xinfang.cases import due

        return self.filter(due.overdue_q(today))

    def due_soon(self, today=None):
        from xinfang.cases import due

        return self.filter(due.due_soon_q(today))

    def paused(self):
        from xinfang.cases import due

        return self.filter(due.paused_q())


class Case(models.Model):
    number = models.CharField("编号", max_length=40, unique=True)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField("收件时间")
    kind = models.CharField("信访性质", max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name="内容分类", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    importance = models.CharField("重要程度", max_length=10, choices=Importance.choices, default=Importance.NORMAL)
    summary = models.CharField("内容摘要", max_length=200)
    content = models.TextField("信访内容")
    person_count = models.PositiveIntegerField("人数", default=1)
    place_code = models.CharField("问题属地（区划代码）", max_length=12, blank=True, db_index=True)
    place_name = models.CharField("问题属地", max_length=100, blank=True)
    is_collective = models.BooleanField("集体访", default=False)
    is_skip_level = models.BooleanField("越级", default=False)

    # Referred from a higher level (上级交办)
    referring_org = models.ForeignKey(
        "orgs.Org", verbose_name="交办上级", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referring_ref = models.CharField("上级交办文号", max_length=60, blank=True)
    leader_instruction = models.TextField("领导批示", blank=True)

    # Accusations (检举控告): who is accused never sees the case (条例 art 30(3), 46(5)).
    accused_name = models.CharField("被反映人或单位", max_length=100, blank=True)
    # Indexed by partial indexes over the cases that name one (Meta): nearly every case names none, so a
    # full index's statistics say "every row has the same value" and SQLite scans the table instead.
    accused_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="被反映单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被反映人（本系统用户）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    # Foreign keys and columns with db_index=False lead one of the composite indexes in Meta (the
    # workbench's, the evaluations', the review bodies'): a single-column index beside it would be
    # maintained on every write and never be the better choice.
    status = models.CharField("状态", max_length=20, choices=Status.choices, db_index=False)
    registered_org = models.ForeignKey(
        "orgs.Org", verbose_name="登记单位", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_at = ClockDateTimeField("登记时间", auto_now_add=True)
    # The org whose move it is now; the workbench is built on it.
    current_org = models.ForeignKey(
        "orgs.Org", verbose_name="当前办理单位", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    routing_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="交转办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    competent_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    is_assigned = models.BooleanField("交办件（须报结）", default=False)
    # Bureaus above the current routing bureau that handed the case down, in
    # order: [{"org": id, "assigned": bool}]. An assigning bureau is owed the
    # result, so closure is reported up this chain before the case closes.
    routing_chain = models.JSONField("上级交转办链", default=list, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        db_index=False,
    )
    review_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="复查机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reexam_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="复核机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    repeat_of = models.ForeignKey(
        "self", verbose_name="重复件所并原件", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )

    accepted_on = models.DateField("受理日期", null=True, blank=True)
    decline_reason = models.TextField("不予受理理由", blank=True)
    redirect_channel = models.CharField("导入途径", max_length=20, choices=RedirectChannel.choices, blank=True)
    extension_days = models.PositiveSmallIntegerField("已批准延期天数", default=0)
    extension_reason = models.TextField("延期理由", blank=True)
    extension_requested_days = models.PositiveSmallIntegerField("申请延期天数", default=0)
    reply_decision = models.CharField("处理意见", max_length=12, choices=ReplyDecision.choices, blank=True)
    reply_draft = models.JSONField("答复意见草稿", null=True, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply_delivered_on = models.DateField("答复送达日期", null=True, blank=True)
    evaluation = models.CharField("评价", max_length=12, choices=Evaluation.choices, blank=True)
    evaluation_source = models.CharField("评价方式", max_length=12, choices=EvaluationSource.choices, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    review_decision = models.CharField("复查意见", max_length=10, choices=ReviewDecision.choices, blank=True)
    review_delivered_on = models.DateField("复查意见送达日期", null=True, blank=True)
    reexam_decision = models.CharField("复核意见", max_length=10, choices=ReviewDecision.choices, blank=True)
    final_on = models.DateField("终结日期", null=True, blank=True)
    hearing_open = models.BooleanField("听证中（期限中止）", default=False)

    # Denormalised from the clock engine's stored deadlines so that "due soon"
    # and "overdue" are plain indexed queries over cases.
    due_date = models.DateField("办理期限", null=True, blank=True, db_index=True)
    due_clock = models.CharField("期限类型", max_length=24, blank=True, choices=Clock.choices)
    due_provisional = models.BooleanField("期限为暂定", default=False)
    target_date = models.DateField("承诺期限", null=True, blank=True)
    window_until = models.DateField("信访人申请期限", null=True, blank=True, db_index=True)

    version = models.PositiveIntegerField("版本", default=1)
    updated_at = ClockDateTimeField("更新时间", auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "信访件"
        verbose_name_plural = "信访件"
        indexes = [
            models.Index(fields=["current_org", "status", "due_date"], name="case_workbench_idx"),
            models.Index(fields=["handler", "status", "due_date"], name="case_handler_idx"),
            # A handler's lists newest first (全部信访件, the API) in this order from the index: from
            # case_handler_idx SQLite sorted every case they ever handled (~12,000 in three years) for a page.
            models.Index(fields=["handler", "received_at"], name="case_handler_received_idx"),
            models.Index(fields=["status", "due_date"], name="case_status_due_idx"),
            models.Index(fields=["received_at"], name="case_received_idx"),
            # The workbench's 待评价 tab: unevaluated cases of an org, per status.
            models.Index(fields=["competent_org", "evaluation", "status"], name="case_eval_competent_idx"),
            models.Index(fields=["routing_org", "evaluation", "status"], name="case_eval_routing_idx"),
            # The 待审核办结 tab (reported cases of a routing org): an exact match, so
            # SQLite does not walk every case the bureau ever routed when the
            # index statistics are missing or stale.
            models.Index(fields=["routing_org", "status"], name="case_confirm_idx"),
            # Every other branch of the to-do union leads with its org and its states, so each
            # is one index search bounded by that to-do list (workbench.flat_or; EXPLAIN guard
            # in tests/test_query_plans.py), never all the cases the org ever had.
            models.Index(fields=["competent_org", "status"], name="case_competent_status_idx"),
            models.Index(fields=["registered_org", "evaluation", "status"], name="case_eval_registered_idx"),
            models.Index(
                fields=["accused_org"], condition=models.Q(accused_org__isnull=False), name="case_accused_org_idx"
            ),
            models.Index(
                fields=["accused_user"], condition=models.Q(accused_user__isnull=False), name="case_accused_user_idx"
            ),
            models.Index(fields=["review_org", "status"], name="case_review_status_idx"),
            models.Index(fields=["reexam_org", "status"], name="case_reexam_status_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.summary}"

    # CaseOrg.case_open copies whether the case is open onto its participant rows (the scope's
    # open cases are then found from those rows, not from the whole history). Kept here, where
    # every change of status is saved, so that no action, import or admin edit can forget it.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" not in update_fields:
            return
        was_open = getattr(self, "_stored_open", None)
        self._remember_open()
        if was_open is not None and self._stored_open is not None and was_open != self._stored_open:
            CaseOrg.objects.filter(case=self).update(case_open=self._stored_open)

    @classmethod
    def from_db(cls, db, field_names, values):
        case = super().from_db(db, field_names, values)
        case._remember_open()
        return case

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_open()

    def _remember_open(self) -> None:
        from xinfang.cases.states import OPEN_STATES

        status = self.__dict__.get("status")  # not loaded (deferred): nothing to remember
        self._stored_open = None if status is None else status in OPEN_STATES

    @property
    def is_accusation(self) -> bool:
        return self.kind == Kind.ACCUSATION

    @property
    def is_open(self) -> bool:
        from xinfang.cases.states import OPEN_STATES

        return self.status in OPEN_STATES


class CaseOrg(models.Model):
    """An org taking part in a case; the access layer is built on these rows."""

    # Served by unique_case_org_role (case first) and caseorg_org_case_idx (org first).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants", db_index=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="case_roles", db_index=False)
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)
    added_at = ClockDateTimeField(auto_now_add=True)
    # Co-units report their part of the result back to the lead unit.
    reported_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(blank=True)
    # Whether the case is open (its status in OPEN_STATES), kept by Case.save and set here when
    # the row is added: the open cases of a unit's scope come from caseorg_open_idx (a few
    # thousand rows per county, whatever its history), not from every case in the city.
    case_open = models.BooleanField("信访件未办结", default=True)

    class Meta:
        verbose_name = "参与单位"
        verbose_name_plural = "参与单位"
        constraints = [models.UniqueConstraint(fields=["case", "org", "role"], name="unique_case_org_role")]
        indexes = [
            models.Index(fields=["org", "case"], name="caseorg_org_case_idx"),
            # 待协办反馈: only the co-unit rows still owing their report (a few per unit),
            # not the unit's millions of participant rows (permissions.co_report_todo).
            models.Index(
                fields=["org", "case"],
                condition=models.Q(role=ParticipantRole.CO, reported_at__isnull=True),
                name="caseorg_co_pending_idx",
            ),
            # A handler's view of their unit's co-unit parts (access.visibility): the unit's
            # co-unit rows alone, not every case it registered or routed.
            models.Index(fields=["org", "case"], condition=models.Q(role=ParticipantRole.CO), name="caseorg_co_idx"),
            models.Index(fields=["org", "case"], condition=models.Q(case_open=True), name="caseorg_open_idx"),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.case_open = self.case.is_open
        super().save(*args, **kwargs)


class CasePetitioner(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="case_petitioners", db_index=False
    )  # unique_case_petitioner leads with it
    petitioner = models.ForeignKey("petitioners.Petitioner", on_delete=models.PROTECT, related_name="case_links")
    is_representative = models.BooleanField("代表", default=False)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        constraints = [models.UniqueConstraint(fields=["case", "petitioner"], name="unique_case_petitioner")]


class CaseEvent(models.Model):
    """Append-only: one row per action, with the document text it produced.

    Written only by ``xinfang.cases.events.record`` (which also fills the
    outbox in the same transaction); the database refuses UPDATE and DELETE
    on PostgreSQL (UPDATE on SQLite), and a case with history cannot be
    deleted. Each case's events form a hash chain (``seq``, ``prev_hash``,
    ``row_hash``; ``cases.events.event_hash``), checked by
    ``manage.py verify_history`` and on the case page.
    """

    # unique_caseevent_case_seq and caseevent_case_at_idx lead with it.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    action = models.CharField("操作", max_length=24, choices=EVENT_ACTIONS)
    actor_kind = models.CharField("操作人类别", max_length=12, choices=ActorKind.choices, default=ActorKind.STAFF)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_org = models.ForeignKey(
        "orgs.Org", verbose_name="操作单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_petitioner = models.ForeignKey(
        "petitioners.Petitioner",
        verbose_name="操作的信访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The system job or the other system that acted (staff are named by `actor`).
    actor_name = models.CharField("操作方", max_length=100, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices, blank=True)
    note = models.TextField("说明", blank=True)
    notice = models.CharField("文书", max_length=12, choices=Notice.choices, blank=True)
    document = models.TextField("文书内容", blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain: the case's n-th event, sealed to its content and to the
    # event before it. A null seq is a row inserted in bulk without its seal
    # (verify_history reports it); the unique pair means two writers can
    # never both append the same link.
    seq = models.PositiveIntegerField("序号", null=True, editable=False)
    prev_hash = models.CharField("前一条校验值", max_length=64, blank=True, db_default="", editable=False)
    row_hash = models.CharField("校验值", max_length=64, blank=True, db_default="", editable=False)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="unique_caseevent_case_seq")]

    def __str__(self):
        return f"{self.get_action_display()}（{self.at:%Y-%m-%d %H:%M}）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")

    @property
    def actor_display(self) -> str:
        """Who acted, as the timeline names them."""
        if self.actor_kind == ActorKind.SYSTEM:
            return f"系统（{self.actor_name}）" if self.actor_name else "系统"
        if self.actor_kind == ActorKind.PETITIONER:
            return f"信访人{self.actor_name}"
        name = self.actor.display_name if self.actor is not None else ""  # no query when actor_id is None
        if self.actor_kind == ActorKind.INTEGRATION:
            return f"{self.actor_name}（{name}）" if name else self.actor_name
        return name

    @property
    def document_title(self) -> str:
        """Every generated document starts with its title (e.g. 信访事项交办函)."""
        return self.document.split("\n", 1)[0].strip() or "文书"


class OutboxEntry(models.Model):
    """One event waiting for one consumer (notifications, webhooks, indexing, rollups).

    Written with the event in the same transaction (events.record), so an
    event is never lost to a consumer and never seen before it commits.
    Consumers claim entries with a lease (cases.outbox): SKIP LOCKED on
    PostgreSQL, compare-and-set on SQLite; an entry whose worker died is
    claimed again when its lease runs out, and an entry is done only in the
    transaction that applied its effects.
    """

    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="outbox_entries")
    consumer = models.CharField("消费者", max_length=40)
    created_at = ClockDateTimeField("写入时间", auto_now_add=True)
    available_at = models.DateTimeField("可处理时间")
    claimed_by = models.CharField("领取标记", max_length=64, blank=True)
    lease_until = models.DateTimeField("领取有效至", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    failed_at = models.DateTimeField("放弃时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "事件待处理"
        verbose_name_plural = "事件待处理"
        constraints = [models.UniqueConstraint(fields=["event", "consumer"], name="unique_outbox_event_consumer")]
        indexes = [
            models.Index(
                fields=["consumer", "available_at"],
                condition=models.Q(done_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.consumer} #{self.event_id}"


class HandlingStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("方式", max_length=16, choices=StepKind.choices)
    happened_on = models.DateField("日期")
    description = models.TextField("情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办理过程"
        verbose_name_plural = "办理过程"
        ordering = ["happened_on", "pk"]


class Delivery(models.Model):
    """Proof that a notice owed to the petitioner reached them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deliveries")
    notice = models.CharField("文书", max_length=12, choices=Notice.choices)
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField("送达方式", max_length=12, choices=DeliveryMethod.choices)
    delivered_at = models.DateTimeField("送达时间")
    recipient = models.CharField("签收人", max_length=50, blank=True)
    # 邮寄送达: the postal tracking number (db_default: the scale generator inserts raw rows).
    tracking_number = models.CharField("邮件号", max_length=50, blank=True, db_default="")
    # The returned 送达回证, uploaded as one of the case's attachments.
    proof = models.ForeignKey(
        "Attachment", verbose_name="送达回证", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Staff record most deliveries; a petitioner confirming receipt on the portal (电子送达)
    # is named instead by recorded_by_petitioner. Exactly one of the two is set.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_petitioner = models.ForeignKey(
        "petitioners.Petitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["delivered_at"]
        constraints = [
            models.CheckConstraint(
                name="delivery_recorded_by_one",
                condition=models.Q(recorded_by__isnull=False, recorded_by_petitioner__isnull=True)
                | models.Q(recorded_by__isnull=True, recorded_by_petitioner__isnull=False),
            ),
        ]


def attachment_path(instance, filename):
    # Never the uploaded name on disk: it may carry path tricks or personal data.
    return f"attachments/{instance.case_id}/{instance.sha256[:32]}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Staff upload most files; materials a petitioner adds on the portal (补充材料) name
    # the petitioner instead. Exactly one of the two is set.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_petitioner = models.ForeignKey(
        "petitioners.Petitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                name="attachment_uploaded_by_one",
                condition=models.Q(uploaded_by__isnull=False, uploaded_by_petitioner__isnull=True)
                | models.Q(uploaded_by__isnull=True, uploaded_by_petitioner__isnull=False),
            ),
        ]
