"""Load the demo county (see xinfang/devdata/county.py for what it contains).

Refuses to run with DEBUG off unless --force: it creates accounts with a
published password, which must never reach a production database.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang.devdata import county as demo
from xinfang.devdata.loader import load_demo


class Command(BaseCommand):
    help = "载入演示县（机构、各角色工作人员、信访人）；可重复运行，不会重复创建"

    def add_arguments(self, parser):
        parser.add_argument(
            "--petitioners", type=int, default=demo.DEFAULT_PETITIONERS, help="演示信访人数量（默认 300）"
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="批量生成信访件，使库中信访件总数达到 N（规模测试用，见 xinfang/devdata/scale.py）",
        )
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭时也运行（会创建使用公开密码的账号，切勿用于生产环境）"
        )

    def handle(self, *args, petitioners, force, cases=0, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示数据包含使用公开密码的账号，只能在开发环境（DEBUG=1）载入；确需载入请加 --force")
        # Hundreds of generated transitions would bury the account table.
        for name in ("xinfang.notify", "xinfang.clock.services"):
            logging.getLogger(name).setLevel(logging.WARNING if name == "xinfang.notify" else logging.ERROR)
        ctx = load_demo(petitioners=petitioners, write=self.stdout.write)
        created = ctx.created
        if not any(created.values()):
            self.stdout.write("演示县已存在，未作改动。")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已载入演示县：机构 {created.get('orgs', 0)} 个，工作人员 {created.get('users', 0)} 名，"
                    f"信访人 {created.get('petitioners', 0)} 名"
                )
            )
        self.stdout.write("用时：" + "；".join(f"{name} {seconds:.1f} 秒" for name, seconds in ctx.seconds.items()))
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for line in demo.staff_table(ctx):
            self.stdout.write("  " + line)
        if cases:
            from xinfang.devdata.scale import generate

            generate(cases, write=self.stdout.write)
