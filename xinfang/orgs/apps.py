from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "xinfang.orgs"
    verbose_name = "机构与人员"

    def ready(self):
        from xinfang.orgs import signals  # noqa: F401
