from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    verbose_name = "统计"

    def ready(self):
        from xinfang.cases import outbox
        from xinfang.stats import rollups

        outbox.register(rollups.CONSUMER, rollups.on_case_event, description="统计收件汇总：重算该件收件日的汇总行")
