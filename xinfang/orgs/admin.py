"""Organisation and staff management in the (Chinese) admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.orgs import lockout, two_factor
from xinfang.orgs.acting import AuditedAdmin, acting
from xinfang.orgs.models import AuditEvent, LoginFailure, Org, RoleGrant, User


@admin.register(Org)
class OrgAdmin(AuditedAdmin, admin.ModelAdmin):
    """Moves in the tree (a new parent), renames and deactivations are in the security audit log."""

    list_display = ("indented_name", "kind", "level", "division_code", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name", "division_code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """Role grants and their data scopes, org, admin access and password resets are audited (xinfang.orgs.signals)."""

    inlines = [RoleGrantInline]
    list_display = ("username", "full_name", "org", "roles", "two_factor", "is_active")
    list_filter = ("is_active", "role_grants__role", "org__level")
    search_fields = ("username", "full_name", "org__name")
    autocomplete_fields = ("org",)
    actions = ["unlock_login", "reset_two_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("人员信息", {"fields": ("full_name", "title", "org", "email")}),
        ("状态与权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(g.get_role_display() for g in obj.role_grants.all())

    @admin.display(description="两步验证", boolean=True)
    def two_factor(self, obj):
        return obj.has_two_factor

    def get_queryset(self, request):
        enrolled = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        return (
            super()
            .get_queryset(request)
            .select_related("org")
            .prefetch_related("role_grants")
            .annotate(has_two_factor=enrolled)
        )

    def user_change_password(self, request, id, form_url=""):
        with acting(request):
            return super().user_change_password(request, id, form_url)

    @admin.action(description="解除所选人员的登录锁定", permissions=["change"])
    def unlock_login(self, request, queryset):
        unlocked = [user for user in queryset if lockout.unlock(username=user.get_username(), request=request)]
        if unlocked:
            names = "、".join(user.display_name for user in unlocked)
            self.message_user(request, f"已解除 {len(unlocked)} 人的登录锁定：{names}")
        else:
            self.message_user(request, "所选人员没有登录失败记录，无需解除")

    @admin.action(description="重置所选人员的两步验证（更换或丢失手机时）", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        reset = [
            user
            for user in queryset
            if two_factor.remove(user, actor=request.user, request=request, detail="系统管理员重置两步验证")
        ]
        if reset:
            names = "、".join(user.display_name for user in reset)
            self.message_user(request, f"已重置 {len(reset)} 人的两步验证：{names}")
        else:
            self.message_user(request, "所选人员没有启用两步验证，无需重置")


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """django-axes' failed-login counters, in Chinese; unlocking is audited. Read-only otherwise."""

    list_display = ("last_failure", "account", "address", "failures", "state")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    fields = ("account", "address", "failures", "last_failure", "client")
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description="最近一次失败", ordering="attempt_time")
    def last_failure(self, obj):
        return obj.attempt_time

    @admin.display(description="用户名", ordering="username")
    def account(self, obj):
        return obj.username or "—"

    @admin.display(description="IP 地址", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address or "—"

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="浏览器")
    def client(self, obj):
        return obj.user_agent

    @admin.display(description="状态")
    def state(self, obj):
        return "账户已锁定" if obj.username and lockout.is_locked(obj.username) else "—"

    # The same people who may change staff accounts may see and clear these.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orgs.change_user")

    def has_module_permission(self, request):
        return request.user.has_perm("orgs.change_user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        return request.user.has_perm("orgs.change_user")

    @admin.action(description="解除锁定（清除所选失败记录）", permissions=["unlock"])
    def unlock(self, request, queryset):
        count = 0
        for username, ip in set(queryset.values_list("username", "ip_address")):
            count += lockout.unlock(username=username or "", ip_address=ip or "", request=request)
        self.message_user(request, f"已清除 {count} 条登录失败记录，相应账户和地址可以重新登录")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "username", "target", "reason", "ip")
    list_filter = ("action",)
    search_fields = ("username", "target", "detail")
    date_hierarchy = "at"

    # The audit log is append-only: nobody edits or deletes it, not even admins.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "信访业务管理系统"
admin.site.site_title = "信访业务管理系统"
admin.site.index_title = "系统管理"

# The authenticator keys stay out of the admin: enrolment is the person's own, a reset is the action above.
admin.site.unregister(TOTPDevice)
