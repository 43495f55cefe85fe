"""python manage.py attachments check [--delete]: attachment files against their rows.

Files are written only after their transaction commits, so a rolled-back
upload leaves nothing behind; this command is the guard for what that cannot
cover (a process killed between the commit and the write, files copied in by
hand, a restored backup, a letter deleted in the admin): it lists rows whose
file is missing and files that no row points at, and with --delete removes the
latter.

Two kinds of file are checked, each under its own directory: the cases'
attachments (``attachments/``, which include the petitioner's 补充材料 from the
portal) and the files of letters written on the portal (``portal/``, kept
after registration as well as copied to the case). The portal sits above
cases in the layers, so its model is looked up by name, not imported.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand


@dataclass(frozen=True)
class Kind:
    model: str  # app_label.ModelName, with a FileField named "file"
    root: str  # the directory of the storage its files are written under (its upload_to's first part)
    label: str


KINDS = [
    Kind("cases.Attachment", "attachments", "附件"),
    Kind("portal.SubmissionFile", "portal", "网上信访附件"),
]


class Command(BaseCommand):
    help = "核对附件文件与附件记录（含网上信访门户的来信附件）：列出缺失的文件和无对应记录的文件（--delete 删除后者）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["check"])
        parser.add_argument("--delete", action="store_true", help="删除无对应记录的文件")

    def handle(self, *args, what, delete, **options):
        for kind in KINDS:
            try:
                model = apps.get_model(kind.model)
            except LookupError:  # the portal app not installed in this deployment
                continue
            self._check(kind, model, delete)

    def _check(self, kind, model, delete):
        storage = model._meta.get_field("file").storage
        known = set(model.objects.values_list("file", flat=True))
        missing = sorted(name for name in known if not storage.exists(name))
        stray = sorted(set(_walk(storage, kind.root)) - known)
        for name in missing:
            self.stdout.write(f"缺失文件：{name}")
        for name in stray:
            self.stdout.write(f"无对应记录：{name}")
            if delete:
                storage.delete(name)
        self.stdout.write(
            f"{kind.label}记录 {len(known)} 条；缺失文件 {len(missing)} 个；无对应记录的文件 {len(stray)} 个"
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
