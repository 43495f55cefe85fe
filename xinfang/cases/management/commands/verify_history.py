"""Check the hash chains of case histories and of the security audit log (cases.history).

Exit status 0 when every chain checked is whole and the append-only
triggers are in place, 1 otherwise (with the first broken link of each
broken chain, up to --limit of them).
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases import history
from xinfang.cases.models import Case


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "校验办理记录和安全审计记录的完整性（哈希链），报告每条断链的第一处断点；未通过时退出码为 1"

    def add_arguments(self, parser):
        parser.add_argument("--case", help="只校验这一件（编号或 id）")
        parser.add_argument("--from", dest="since", type=_day, help="自该日（含）起：有办理记录的信访件、审计日志的日")
        parser.add_argument("--to", dest="until", type=_day, help="至该日（含）止")
        parser.add_argument("--only", choices=["events", "audit"], help="只校验办理记录（events）或审计日志（audit）")
        parser.add_argument("--limit", type=int, default=20, help="最多列出多少条断链（默认 20）")

    def handle(self, *args, case=None, since=None, until=None, only=None, limit=20, **options):
        case_ids = None
        if case:
            found = Case.objects.filter(number=case).values_list("pk", flat=True).first()
            if found is None and case.isdigit():
                found = Case.objects.filter(pk=int(case)).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"没有编号或 id 为 {case} 的信访件")
            case_ids = [found]
        started = time.monotonic()
        report = history.verify(
            case_ids=case_ids,
            since=since,
            until=until,
            events=only != "audit",
            audit=only != "events" and case_ids is None,
            limit=limit,
        )
        seconds = time.monotonic() - started
        out = self.stdout.write
        if only != "audit":
            out(f"办理记录：{report.cases:,} 件信访件、{report.events:,} 条记录，未通过 {report.broken_cases:,} 件")
        if only != "events" and case_ids is None:
            out(f"安全审计记录：{report.days:,} 天、{report.audit_rows:,} 条记录，未通过 {report.broken_days:,} 天")
        for broken in report.broken:
            out(f"  断点：{broken}")
        hidden = report.broken_cases + report.broken_days - len(report.broken)
        if hidden > 0:
            out(f"  另有 {hidden:,} 条断链未列出（--limit）")
        for guard in report.guards:
            out(f"  保护缺失：{guard}")
        out(f"用时 {seconds:.1f} 秒")
        if not report.ok:
            raise CommandError("完整性校验未通过")
        out("完整性校验通过")
