from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    verbose_name = "通知"

    def ready(self):
        from xinfang.cases import outbox
        from xinfang.notifications import consumer, tasks  # noqa: F401  (the periodic delivery sweep)

        outbox.register(consumer.NAME, consumer.on_case_event, description=consumer.DESCRIPTION)
