from django.core.management.base import BaseCommand

from xinfang.documents import layout


class Command(BaseCommand):
    help = "Rebuild the default GB/T 9704 Word template for formal documents (xinfang/documents/docx/default.docx)."

    def handle(self, *args, **options):
        path = layout.build()
        self.stdout.write(f"已生成 {path}")
