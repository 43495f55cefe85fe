from django.contrib import admin

from xinfang.background.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """定时任务运行记录: what ran, when, and how it ended (read-only)."""

    list_display = ("job", "slot", "outcome", "started_at", "finished_at", "result")
    list_filter = ("outcome", "job")
    date_hierarchy = "slot"
    readonly_fields = ("job", "slot", "created_at", "outcome", "started_at", "finished_at", "result", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
