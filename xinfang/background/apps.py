from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "xinfang.background"
    verbose_name = "后台任务"

    def ready(self):
        from xinfang.background import jobs  # noqa: F401  (its own housekeeping job)
