from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    verbose_name = "督办催办"

    def ready(self):
        from xinfang.cases import outbox
        from xinfang.cases.panels import register_panel
        from xinfang.supervision import consumer, panel, tabs

        outbox.register(consumer.NAME, consumer.on_case_event, description=consumer.DESCRIPTION)
        tabs.register()
        register_panel("supervision", panel.render)
