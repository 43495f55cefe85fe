from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    verbose_name = "督办催办"

    def ready(self):
        pass
