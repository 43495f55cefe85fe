from django.apps import AppConfig


class ClockConfig(AppConfig):
    name = "xinfang.clock"
    verbose_name = "期限与工作日历"
