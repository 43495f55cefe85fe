import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_page_answers_in_chinese_inside_the_shell(login, cast):
    response = login(cast.registrar).get("/cases/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到该页面或信访件" in body and "清河县信访局" in body


def test_a_refused_page_says_why_in_chinese(login, cast):
    response = login(cast.handler).get("/cases/new/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权进行此项操作" in body
    assert "只有登记员或受理交办员可以登记信访件" in body and "Forbidden" not in body
