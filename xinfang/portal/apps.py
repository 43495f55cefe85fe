from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "xinfang.portal"
    verbose_name = "网上信访门户"
