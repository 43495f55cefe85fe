from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "xinfang.escalation"
    verbose_name = "督办升级与问责"

    def ready(self):
        from xinfang.escalation import jobs  # noqa: F401  (the periodic sweep, xinfang.background)
