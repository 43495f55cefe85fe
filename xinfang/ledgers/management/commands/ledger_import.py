"""manage.py ledger_import ID: run (or finish) an import in this process, as the task does."""

from django.core.management.base import BaseCommand

from xinfang.ledgers import importer


class Command(BaseCommand):
    help = "执行或续完一次台账导入（已导入的台账编号跳过；可在中断后重新运行）"

    def add_arguments(self, parser):
        parser.add_argument("import_id", type=int)
        parser.add_argument("--batch", type=int, default=importer.BATCH, help="每个事务导入的行数")

    def handle(self, *args, import_id, batch, **options):
        importer.BATCH = batch
        self.stdout.write(importer.run(import_id))
