from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The site shell above the apps: navigation, home page and the to-do badge."""

    name = "xinfang.shell"
    verbose_name = "站点框架"
