from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "xinfang.api"
    verbose_name = "接口"
