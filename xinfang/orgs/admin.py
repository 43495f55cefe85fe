"""Organisation and staff management in the (Chinese) admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from xinfang.orgs.models import AuditEvent, Org, RoleGrant, User


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
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
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "full_name", "org", "roles", "is_active")
    list_filter = ("is_active", "role_grants__role", "org__level")
    search_fields = ("username", "full_name", "org__name")
    autocomplete_fields = ("org",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("人员信息", {"fields": ("full_name", "title", "org", "email")}),
        ("状态与权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(g.get_role_display() for g in obj.role_grants.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("org").prefetch_related("role_grants")

    def save_model(self, request, obj, form, change):
        obj._actor = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj._actor = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj._actor = request.user
            obj.delete()
        formset.save_m2m()


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
