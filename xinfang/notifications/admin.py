"""The Chinese admin: kinds and templates, deliveries and their log, the failed ones, consents."""

from django.contrib import admin, messages

from xinfang.notifications.delivery import retry_failed
from xinfang.notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    FailedDelivery,
    Notification,
    NotificationKind,
    SmsConsent,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationKind)
class NotificationKindAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "audience", "email_default", "sms_default", "is_active")
    list_filter = ("audience", "is_active")
    search_fields = ("label", "code")
    fieldsets = (
        (None, {"fields": ("code", "label", "audience", "is_active")}),
        ("模板", {"fields": ("title_template", "body_template", "sms_template", "variables")}),
        ("默认发送方式（工作人员未自行选择时）", {"fields": ("email_default", "sms_default")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("code", "audience", "variables") if obj else ("variables",)

    def has_delete_permission(self, request, obj=None):
        return False  # the code calls kinds by code: stop one with 启用 instead


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "kind", "user", "petitioner", "title", "read_at")
    list_filter = ("kind", "created_at")
    search_fields = ("title", "dedupe")
    list_select_related = ("kind", "user", "petitioner")
    raw_id_fields = ("user", "petitioner", "case")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("at", "number", "outcome", "gateway", "recipient", "detail", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="重新发送所选的失败通知")
def resend(modeladmin, request, queryset):
    count = retry_failed(queryset)
    modeladmin.message_user(request, f"已安排重新发送 {count} 条", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = (
        "pk",
        "channel",
        "status",
        "recipient",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "created_at")
    search_fields = ("key", "recipient")
    readonly_fields = (
        "notification",
        "channel",
        "key",
        "status",
        "recipient",
        "attempts",
        "created_at",
        "available_at",
        "sent_at",
        "failed_at",
        "gateway_ref",
        "last_error",
    )
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = [resend]


@admin.register(FailedDelivery)
class FailedDeliveryAdmin(DeliveryAdmin):
    def get_list_display(self, request):
        return ("pk", "channel", "recipient", "attempts", "created_at", "failed_at", "last_error")

    def get_list_filter(self, request):
        return ("channel", "failed_at")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=DeliveryStatus.FAILED)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly):
    list_display = ("at", "delivery", "number", "outcome", "gateway", "recipient", "detail", "worker")
    list_filter = ("outcome", "gateway", "at")
    search_fields = ("recipient", "delivery__key")


@admin.register(SmsConsent)
class SmsConsentAdmin(ReadOnly):
    list_display = ("case", "petitioner", "consented", "recorded_at")
    list_select_related = ("case", "petitioner")
    raw_id_fields = ("case", "petitioner", "event")
