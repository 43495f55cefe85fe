"""manage.py ledger_sample: write a realistic county ledger (XLSX or CSV) for the import."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.ledgers.sample import write
from xinfang.orgs.models import Org, OrgKind


class Command(BaseCommand):
    help = "生成一份县级信访台账样例（XLSX 或 CSV），供历史台账导入试用与测量"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件，.xlsx 或 .csv")
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--bad", type=float, default=0.0, help="有问题的行所占比例，如 0.01")
        parser.add_argument("--org", default="", help="台账所属信访局名称（默认：第一个县级信访局）")

    def handle(self, *args, path, rows, bad, org, **options):
        found = Org.objects.filter(kind=OrgKind.PETITION_BUREAU, level="county")
        found = found.filter(name=org) if org else found.order_by("pk")
        bureau = found.first()
        if bureau is None:
            raise CommandError("找不到县级信访局：请先加载演示数据，或用 --org 指定")
        write(path, bureau, rows, bad=bad)
        self.stdout.write(f"已生成 {path}：{bureau.name}，{rows} 行，约 {int(rows * bad)} 行有问题")
