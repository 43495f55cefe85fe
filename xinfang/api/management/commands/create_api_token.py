from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfang.api.models import ApiToken


class Command(BaseCommand):
    help = "为工作人员创建接口令牌；令牌只显示这一次（最后一行即令牌）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途，例如“统计脚本”；外部系统令牌为该系统的名称")
        parser.add_argument("--expires-days", type=int, default=None, help="有效天数（不填为长期有效）")
        parser.add_argument(
            "--integration",
            action="store_true",
            help="外部系统（如12345热线）的令牌：用它办理的操作记为该系统（--name）通过本账户所为",
        )

    def handle(self, username, name, expires_days, integration, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用，不能创建令牌")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days 须为正整数")
        # Real time: a security record, not a case date.
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            row, token = ApiToken.issue(user, name, expires_at=expires_at, integration=integration)
        except ValidationError as err:
            raise CommandError("；".join(m for messages in err.message_dict.values() for m in messages)) from None
        kind = f"外部系统“{name}”的" if integration else ""
        until = f"，有效期至 {timezone.localtime(expires_at):%Y-%m-%d %H:%M}" if expires_at else ""
        self.stdout.write(
            f"已为 {user.display_name}（{user.username}）创建{kind}接口令牌 {row.prefix}…{until}；"
            "只显示这一次，请妥善保存："
        )
        self.stdout.write(token)
