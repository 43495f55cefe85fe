"""python manage.py attachments check [--delete]: attachment files against their rows.

Files are written only after their transaction commits, so a rolled-back
upload leaves nothing behind; this command is the guard for what that cannot
cover (a process killed between the commit and the write, files copied in by
hand, a restored backup): it lists rows whose file is missing and files that
no row points at, and with --delete removes the latter.
"""

from django.core.management.base import BaseCommand

from xinfang.cases.models import Attachment


class Command(BaseCommand):
    help = "核对附件文件与附件记录：列出缺失的文件和无对应记录的文件（--delete 删除后者）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["check"])
        parser.add_argument("--delete", action="store_true", help="删除无对应记录的文件")

    def handle(self, *args, what, delete, **options):
        storage = Attachment._meta.get_field("file").storage
        known = set(Attachment.objects.values_list("file", flat=True))
        missing = sorted(name for name in known if not storage.exists(name))
        stray = sorted(set(_walk(storage, "attachments")) - known)
        for name in missing:
            self.stdout.write(f"缺失文件：{name}")
        for name in stray:
            self.stdout.write(f"无对应记录：{name}")
            if delete:
                storage.delete(name)
        self.stdout.write(
            f"附件记录 {len(known)} 条；缺失文件 {len(missing)} 个；无对应记录的文件 {len(stray)} 个"
            + ("（已删除）" if delete and stray else "")
        )


def _walk(storage, root):
    if not storage.exists(root):
        return
    dirs, files = storage.listdir(root)
    for name in files:
        yield f"{root}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{root}/{sub}")
