"""python manage.py outbox status | drain [--consumer NAME]: the case-event outbox.

``status`` lists, per consumer, the entries pending, done and given up
(with the last error of the latter, for the administrator); ``drain``
applies everything available now for one consumer or all of them. The
background worker (the supervision and notification work) drains
continuously; this command is for operators and for running without it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from xinfang.cases import outbox
from xinfang.cases.models import OutboxEntry


class Command(BaseCommand):
    help = "信访件事件待处理队列：status 查看各消费者的待处理、已完成和已放弃数量；drain 立即处理"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["status", "drain"])
        parser.add_argument("--consumer", help="只处理该消费者")
        parser.add_argument("--batch", type=int, default=100)

    def handle(self, *args, what, consumer=None, batch=100, **options):
        names = [consumer] if consumer else sorted(outbox.CONSUMERS)
        if consumer and consumer not in outbox.CONSUMERS:
            raise CommandError(f"没有名为“{consumer}”的消费者；已注册：{'、'.join(sorted(outbox.CONSUMERS)) or '无'}")
        if what == "drain":
            for name in names:
                result = outbox.drain(name, worker="manage.py", batch=batch)
                self.stdout.write(f"{name}：完成 {result.done}，待重试 {result.retried}，放弃 {result.failed}")
            return
        rows = (
            OutboxEntry.objects.values("consumer")
            .annotate(
                pending=Count("pk", filter=Q(done_at__isnull=True, failed_at__isnull=True)),
                done=Count("pk", filter=Q(done_at__isnull=False)),
                failed=Count("pk", filter=Q(failed_at__isnull=False)),
            )
            .order_by("consumer")
        )
        if not rows and not outbox.CONSUMERS:
            self.stdout.write("没有已注册的消费者，也没有待处理的事件。")
        for row in rows:
            self.stdout.write(
                f"{row['consumer']}：待处理 {row['pending']}，已完成 {row['done']}，已放弃 {row['failed']}"
            )
        for entry in OutboxEntry.objects.filter(failed_at__isnull=False).order_by("-failed_at")[:20]:
            self.stdout.write(f"  已放弃 #{entry.pk}（事件 {entry.event_id}，{entry.attempts} 次）：{entry.last_error}")
