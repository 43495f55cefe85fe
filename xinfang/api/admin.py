from django.contrib import admin, messages

from xinfang.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["prefix", "name", "user__username", "user__full_name"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        token = None if change else obj.set_new_token()
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(request, f"接口令牌已创建，请立即复制保存（只显示这一次）：{token}")

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        count = queryset.update(revoked=True)
        self.message_user(request, f"已吊销 {count} 个令牌")
