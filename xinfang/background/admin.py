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


def _chinese_admin_for_the_task_libraries() -> None:
    """The task libraries' own admin entries speak English: name them in Chinese, and show
    django-rq's queue dashboard only where the tasks go through Redis."""
    from django.apps import apps
    from django.conf import settings
    from django_rq.models import Dashboard
    from django_tasks_db.models import DBTaskResult

    apps.get_app_config("django_tasks_database").verbose_name = "后台任务队列"
    DBTaskResult._meta.verbose_name = "任务执行结果"
    DBTaskResult._meta.verbose_name_plural = "任务执行结果"
    apps.get_app_config("django_rq").verbose_name = "Redis 任务队列"
    if settings.TASKS_BACKEND != "rq" and admin.site.is_registered(Dashboard):
        admin.site.unregister(Dashboard)


_chinese_admin_for_the_task_libraries()
