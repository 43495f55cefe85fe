"""Organisations (a tree), staff users, their roles, and the security audit log."""

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models.functions import Length
from django.utils import timezone

PATH_STEP = 6  # characters per path segment: enough for 10^6 sibling ids in base 36


def _segment(pk: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = pk
    while n:
        n, rem = divmod(n, 36)
        out = digits[rem] + out
    return out.rjust(PATH_STEP, "0")


class OrgLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"
    VILLAGE = "village", "村（社区）级"


class OrgKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    PARTY_COMMITTEE = "party_committee", "党委"
    PETITION_BUREAU = "petition_bureau", "信访部门"
    DEPARTMENT = "department", "职能部门"
    COURT = "court", "人民法院"
    PROCURATORATE = "procuratorate", "人民检察院"
    DISCIPLINE = "discipline", "纪委监委"
    CONGRESS = "congress", "人大常委会"
    CPPCC = "cppcc", "政协"
    VILLAGE_COMMITTEE = "village_committee", "村（居）民委员会"


class Org(models.Model):
    """One body in the administrative tree.

    `path` is materialised (each ancestor's id as a fixed-width segment) so that
    "this org and everything under it" is a single indexed prefix query.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类别", max_length=24, choices=OrgKind.choices)
    level = models.CharField("层级", max_length=12, choices=OrgLevel.choices)
    division_code = models.CharField(
        "行政区划代码", max_length=12, db_index=True, help_text="6 位（县级及以上）、9 位（乡镇）或 12 位（村）"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("树路径", max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField("层次深度", editable=False, default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        indexes = [models.Index(fields=["division_code", "kind"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = None
            if self.pk:
                old_path = Org.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            if self.pk is None:
                # The path contains our own id, so we need one first.
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
                args = ()
            parent = None
            if self.parent_id:
                parent = Org.objects.only("path", "depth").get(pk=self.parent_id)
                if old_path and parent.path.startswith(old_path):
                    raise ValueError("an org cannot be moved under itself or its own descendant")
            self.path = (parent.path if parent else "") + _segment(self.pk)
            self.depth = parent.depth + 1 if parent else 0
            super().save()
            if old_path and old_path != self.path:
                self._move_descendants(old_path)

    def _move_descendants(self, old_path: str):
        delta = self.depth - (len(old_path) // PATH_STEP - 1)
        descendants = Org.objects.filter(path__startswith=old_path).exclude(pk=self.pk)
        for org in descendants.only("path", "depth"):
            Org.objects.filter(pk=org.pk).update(path=self.path + org.path[len(old_path) :], depth=org.depth + delta)

    @property
    def is_petition_bureau(self) -> bool:
        return self.kind == OrgKind.PETITION_BUREAU

    def subtree(self):
        """This org and every org below it."""
        return Org.objects.filter(path__startswith=self.path)

    def ancestors(self, *, include_self: bool = False):
        """Ancestors from the root down, in one query."""
        prefixes = [self.path[:i] for i in range(PATH_STEP, len(self.path) + 1, PATH_STEP)]
        if not include_self:
            prefixes = prefixes[:-1]
        return Org.objects.filter(path__in=prefixes).order_by(Length("path"))

    def is_within(self, other: "Org") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    REGISTRAR = "registrar", "登记员"
    PETITION_OFFICER = "petition_officer", "受理交办员"
    HANDLER = "handler", "承办人"
    UNIT_HEAD = "unit_head", "单位负责人"
    LEADER = "leader", "领导"
    SUPERVISOR = "supervisor", "督查员"
    STATISTICIAN = "statistician", "统计员"
    ADMINISTRATOR = "administrator", "系统管理员"


class DataScope(models.TextChoices):
    OWN_ORG = "own_org", "本单位"
    SUBTREE = "subtree", "本单位及下级"
    ALL = "all", "全部"
    ASSIGNED = "assigned", "仅分配给本人"


# Sensible defaults; an administrator may change the scope of any grant.
DEFAULT_SCOPE = {
    Role.REGISTRAR: DataScope.OWN_ORG,
    Role.PETITION_OFFICER: DataScope.OWN_ORG,
    Role.HANDLER: DataScope.ASSIGNED,
    Role.UNIT_HEAD: DataScope.OWN_ORG,
    Role.LEADER: DataScope.SUBTREE,
    Role.SUPERVISOR: DataScope.SUBTREE,
    Role.STATISTICIAN: DataScope.SUBTREE,
    Role.ADMINISTRATOR: DataScope.OWN_ORG,
}

# Roles whose holders may see a petitioner's unmasked ID and phone numbers.
REVEAL_ROLES = frozenset({Role.REGISTRAR, Role.PETITION_OFFICER, Role.HANDLER, Role.UNIT_HEAD})


class User(AbstractUser):
    """A staff member. Petitioners are not users of the staff side."""

    org = models.ForeignKey(
        Org, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    title = models.CharField("职务", max_length=50, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def grants(self) -> list[tuple[str, str]]:
        cached = getattr(self, "_grant_cache", None)
        if cached is None:
            cached = list(self.role_grants.values_list("role", "scope")) if self.pk else []
            self._grant_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set() & set(roles))

    def can_reveal_pii(self) -> bool:
        return bool(self.role_set() & REVEAL_ROLES)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, verbose_name="工作人员", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    scope = models.CharField("数据范围", max_length=12, choices=DataScope.choices, blank=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self):
        return f"{self.get_role_display()}（{self.get_scope_display()}）"

    def save(self, *args, **kwargs):
        if not self.scope:
            self.scope = DEFAULT_SCOPE[Role(self.role)]
        super().save(*args, **kwargs)


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    REVEAL = "reveal", "查看完整个人信息"
    PERMISSION_CHANGE = "permission_change", "权限变更"
    ATTACHMENT_DOWNLOAD = "attachment_download", "下载附件"
    PETITIONER_CHANGE = "petitioner_change", "更正信访人信息"
    LOGIN_LOCKED = "login_locked", "登录锁定"
    LOGIN_UNLOCKED = "login_unlocked", "解除登录锁定"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "启用两步验证"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "停用两步验证"
    TWO_FACTOR_FAILED = "two_factor_failed", "两步验证失败"
    PASSWORD_CHANGE = "password_change", "修改密码"
    ORG_CHANGE = "org_change", "机构调整"
    API_TOKEN_CREATED = "api_token_created", "创建接口令牌"
    API_TOKEN_REVOKED = "api_token_revoked", "吊销接口令牌"
    STATS_EXPORT = "stats_export", "导出统计报表"


class AuditEvent(models.Model):
    """Append-only record of security-relevant events, written only by ``orgs.audit.record``.

    Each local day's rows form a hash chain (``day``, ``seq``, ``prev_hash``,
    ``row_hash``; see ``orgs.audit``), checked by ``manage.py verify_history``.
    The database refuses UPDATE and DELETE (PostgreSQL; UPDATE on SQLite).
    """

    # The real time, not the clock seam's (core.clock): an import that acts
    # "on 3 March 2024" still logs when it ran. Set when the row is built, so
    # that it is sealed with the value that is stored.
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    action = models.CharField("事件", max_length=24, choices=AuditAction.choices, db_index=True)
    # PROTECT: staff are deactivated, never deleted; deleting one would rewrite
    # (SET_NULL) sealed rows, which the database refuses.
    actor = models.ForeignKey(
        User, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.TextField("详情", blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    # The hash chain of the day (local date of `at`): its n-th row, sealed to
    # its content and the row before. The unique pair is what keeps two
    # concurrent writers from both appending the same link (orgs.audit).
    day = models.DateField("日期", editable=False)
    seq = models.PositiveIntegerField("序号", editable=False)
    prev_hash = models.CharField("前一条校验值", max_length=64, blank=True, editable=False)
    row_hash = models.CharField("校验值", max_length=64, editable=False)

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["day", "seq"], name="unique_auditevent_day_seq")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.username}"


class LoginFailure(AccessAttempt):
    """django-axes' count of failed logins per account and address, as the Chinese admin shows it."""

    class Meta:
        proxy = True
        verbose_name = "登录失败与锁定"
        verbose_name_plural = "登录失败与锁定"
