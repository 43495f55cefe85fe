from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xinfang.api.models import ApiToken


class Command(BaseCommand):
    help = "为工作人员创建接口令牌；令牌只显示这一次（最后一行即令牌）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途，例如“12345热线对接”")

    def handle(self, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"用户 {username} 不存在") from None
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用，不能创建令牌")
        row, token = ApiToken.issue(user, name)
        self.stdout.write(
            f"已为 {user.display_name}（{user.username}）创建接口令牌 {row.prefix}…；只显示这一次，请妥善保存："
        )
        self.stdout.write(token)
