from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "xinfang.ledgers"
    verbose_name = "台账导入导出"
