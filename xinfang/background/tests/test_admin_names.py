"""The task libraries' admin entries are named in Chinese; Redis' dashboard only on Redis."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_the_task_tables_in_chinese(cast, client):
    admin = cast.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "后台任务队列" in page and "任务执行结果" in page
    assert "Task Results" not in page and "Tasks Database Backend" not in page
    assert "Django-RQ" not in page and "Redis 任务队列" not in page
