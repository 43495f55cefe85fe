"""Run the scheduler on its own (beside RQ workers started with --no-scheduler, or to test it)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "按周期安排定时任务（每个 worker 已自带；多台机器时可单独运行，重复运行也不会重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只安排一次当前周期的任务后退出")
        parser.add_argument("--tick", type=float, default=None, help="间隔秒数（默认 SCHEDULER_TICK_SECONDS）")
        parser.add_argument("--list", action="store_true", help="列出已登记的定时任务")

    def handle(self, *args, **options):
        from xinfang.background.registry import JOBS
        from xinfang.background.scheduler import loop, tick

        if options["list"]:
            for job in sorted(JOBS.values(), key=lambda j: j.name):
                self.stdout.write(f"{job.name}\t每 {job.every}\t{job.description}")
            return
        if options["once"]:
            runs = tick()
            self.stdout.write(f"已安排 {len(runs)} 个定时任务：{'、'.join(r.job for r in runs) or '无'}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        loop(stop, options["tick"])
