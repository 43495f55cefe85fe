from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xinfang.core import clock


class Command(BaseCommand):
    help = "运行一次督办升级扫描：到期提醒、逾期升级、记录黄牌（定时任务每 15 分钟自动运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天；用于补跑）")

    def handle(self, *args, **options):
        from xinfang.escalation.sweep import run_sweep

        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        if on is not None:
            with clock.at(on):
                result = run_sweep(on)
        else:
            result = run_sweep()
        for r in result.rules:
            if r.considered:
                self.stdout.write(f"  {r.rule}: 处理 {r.considered} 项，通知 {r.notified} 条，黄牌/红牌 {r.cards} 张")
        self.stdout.write(
            f"完成：规则 {len(result.rules)} 条，处理 {result.considered} 项，"
            f"通知 {result.notified} 条，黄牌/红牌 {result.cards} 张"
        )
