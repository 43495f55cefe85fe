"""Ask for and build archive volumes by hand (ended cases from before the archive, or one case now)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinfang.cases.access import scoped_cases
from xinfang.cases.states import ENDED_STATES
from xinfang.documents import archive
from xinfang.documents.models import ArchiveVolume


class Command(BaseCommand):
    help = (
        "生成归档卷宗：--missing 为尚无卷宗的已结束信访件提出生成请求；"
        "--case 编号 立即生成一件；--build N 生成积压的卷宗"
    )

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="为尚无归档卷宗的已结束信访件提出生成请求")
        parser.add_argument("--case", help="信访件编号：立即生成（或重新生成）该件的归档卷宗")
        parser.add_argument("--build", type=int, default=0, help="在本进程中生成至多 N 件积压的卷宗")

    def handle(self, *args, missing=False, case=None, build=0, **options):
        cases = scoped_cases(archive.SYSTEM)
        if case:
            found = cases.filter(number=case).first()
            if found is None:
                raise CommandError(f"没有编号为{case}的信访件")
            if found.status not in ENDED_STATES:
                raise CommandError(archive.not_ended(found))
            with transaction.atomic():
                archive.request_volume(found, kick_build=False)
            self.stdout.write(archive.build_or_record_error(found.pk))
        if missing:
            asked = 0
            ended = cases.filter(status__in=sorted(ENDED_STATES)).exclude(
                pk__in=ArchiveVolume.objects.values("case_id")
            )
            for found in ended.only("pk").iterator(chunk_size=500):
                # No task per case: the periodic sweep builds the backlog a few at a time.
                with transaction.atomic():
                    archive.request_volume(found, kick_build=False)
                asked += 1
            self.stdout.write(f"已为{asked}件提出生成请求（后台任务与定时任务将逐件生成）")
        if build:
            self.stdout.write(archive.sweep(limit=build))
