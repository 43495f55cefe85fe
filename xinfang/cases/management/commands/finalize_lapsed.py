"""Make final (终结) every case whose petitioner window has lapsed; safe to run any number of times."""

from django.core.management.base import BaseCommand

from xinfang.cases.actions import finalize_lapsed


class Command(BaseCommand):
    help = "终结申请期限已届满的信访件（可重复执行，适合每日定时运行）"

    def handle(self, *args, **options):
        count = finalize_lapsed()
        self.stdout.write(f"已终结 {count} 件")
