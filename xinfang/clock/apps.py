from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "xinfang.clock"
    verbose_name = "期限与工作日历"

    def ready(self):
        # Connect the receivers that recompute deadlines after calendar and rule edits.
        from xinfang.clock import receivers  # noqa: F401
