from django.contrib import admin, messages

from xinfang.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every staff member's tokens. Creating and revoking are audited; a token is not edited after creation."""

    list_display = ["prefix", "name", "user", "is_integration", "created_at", "expires_at", "last_used_at", "state"]
    list_filter = ["revoked", "is_integration"]
    search_fields = ["prefix", "name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    @admin.display(description="状态")
    def state(self, obj):
        return obj.state.label

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "is_integration", "expires_at"]
        return [
            "user",
            "name",
            "is_integration",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "state",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:  # nothing is editable; revoke with the action
            return
        token = obj.set_new_token()
        super().save_model(request, obj, form, change)
        obj.record_created(by=request.user, request=request)
        messages.warning(request, f"接口令牌已创建，请立即复制保存（只显示这一次）：{token}")

    @admin.action(description="吊销所选令牌", permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(1 for row in queryset.select_related("user") if row.revoke(by=request.user, request=request))
        self.message_user(request, f"已吊销 {count} 个令牌")
