"""Run the background worker: the task queue, and (unless told not to) the scheduler beside it."""

from __future__ import annotations

import logging
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string

log = logging.getLogger("xinfang.background")


class Command(BaseCommand):
    help = "运行后台任务：执行任务队列，并按周期安排定时任务（数据库队列或 Redis 队列，取决于 TASKS_BACKEND）"

    def add_arguments(self, parser):
        parser.add_argument("--no-scheduler", action="store_true", help="只执行任务，不安排定时任务")
        parser.add_argument(
            "--tick", type=float, default=None, help="安排定时任务的间隔秒数（默认 SCHEDULER_TICK_SECONDS）"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时再次查看的间隔秒数（数据库队列）")
        parser.add_argument("--batch", action="store_true", help="执行完队列中现有的任务后退出（数据库队列）")
        parser.add_argument("--max-tasks", type=int, default=None, help="执行这么多个任务后退出")
        parser.add_argument("--worker-id", default="", help="工作进程标识（默认随机）")
        parser.add_argument("--reload", action="store_true", help="代码修改后自动重启（开发用；仅数据库队列）")

    def handle(self, *args, **options):
        from django_tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend

        backend = task_backends["default"]
        worker_id = options["worker_id"] or f"{os.uname().nodename[:20]}-{os.getpid()}-{get_random_string(6)}"
        reload = options["reload"] and not options["batch"]

        if isinstance(backend, DatabaseBackend):
            from django_tasks_db.management.commands.db_worker import Worker

            worker = Worker(
                queue_names=sorted(backend.queues) or ["default"],
                interval=options["interval"],
                batch=options["batch"],
                backend_name="default",
                startup_delay=False,
                max_tasks=options["max_tasks"],
                worker_id=worker_id[:64],
                excluded_queue_names=[],
            )

            def run():
                self._start_scheduler(options)
                worker.run()

            if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # in the process that runs tasks (the reloader's child)

        else:
            from django_tasks_rq.backend import RQBackend

            if not isinstance(backend, RQBackend):
                raise CommandError(f"不支持的任务后端：{type(backend).__name__}")

            reload = False  # RQ installs its own signal handlers, in the main thread

            def run():
                import django_rq
                from django_tasks_rq.backend import Job

                self._start_scheduler(options)
                rq_worker = django_rq.get_worker(*sorted(backend.queues), job_class=Job, name=worker_id[:64])
                rq_worker.work(burst=options["batch"], max_jobs=options["max_tasks"], with_scheduler=True)

        self.stdout.write(f"后台任务进程 {worker_id} 已启动（{type(backend).__name__}）")
        if reload:
            run_with_reloader(run)
        else:
            run()

    def _start_scheduler(self, options):
        if options["no_scheduler"] or options["batch"]:
            return
        from xinfang.background.scheduler import start_thread

        start_thread(options["tick"])
