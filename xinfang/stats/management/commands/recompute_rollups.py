"""Rebuild the statistics' rollup tables from the cases (after raw loads such as ``load_demo``)."""

from time import perf_counter

from django.core.management.base import BaseCommand

from xinfang.stats import rollups


class Command(BaseCommand):
    help = "从信访件重新计算统计事实和统计汇总表"

    def handle(self, *args, **options):
        started = perf_counter()
        n = rollups.recompute_all()
        self.stdout.write(f"统计汇总：{n} 行，用时 {perf_counter() - started:.1f} 秒")
