from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    verbose_name = "统计"

    def ready(self):
        from xinfang.cases import outbox
        from xinfang.stats import receivers, rollups  # noqa: F401  (receivers: deadlines moved by an edit)

        outbox.register(
            rollups.CONSUMER, rollups.on_case_event, description="统计汇总：重算该件的统计事实，把差额计入汇总表"
        )
