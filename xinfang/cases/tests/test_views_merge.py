"""Merging a repeat from the case page, as a clerk types the number."""

import pytest

from xinfang.cases.states import Status
from xinfang.devdata.flow import register

pytestmark = pytest.mark.django_db


def test_a_repeat_is_merged_by_its_sequence_number_and_the_original_lists_it(cast, login):
    original = register(cast.registrar)
    repeat = register(cast.registrar, summary="再次反映征地补偿款未发放")
    sequence = original.number.split("〕")[1].rstrip("号")  # e.g. "00001"
    response = login(cast.officer).post(
        f"/cases/{repeat.pk}/act/merge_as_repeat/",
        {"version": repeat.version, "original": sequence, "note": "同一事项"},
    )
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == Status.MERGED and repeat.repeat_of == original
    page = login(cast.officer).get(f"/cases/{original.pk}/").content.decode()
    assert "已并入的重复件" in page and repeat.number in page


def test_an_ambiguous_sequence_number_asks_for_the_full_number(cast, login):
    from xinfang.devdata.cast import make_user

    wide = make_user("wide_officer", cast.bureau, "petition_officer", scope="all")
    ours = register(cast.registrar)  # 清河县信访局〔…〕00001号
    register(cast.dept_officer)  # the department's own 00001
    repeat = register(cast.registrar)
    response = login(wide).post(
        f"/cases/{repeat.pk}/act/merge_as_repeat/",
        {"version": repeat.version, "original": ours.number.split("〕")[1].rstrip("号"), "note": ""},
    )
    assert "请输入完整编号" in response.content.decode()
    repeat.refresh_from_db()
    assert repeat.status == Status.REGISTERED
