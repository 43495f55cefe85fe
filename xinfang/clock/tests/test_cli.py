"""`manage.py clock`: the answers support staff read off the terminal."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from xinfang.clock.models import CalendarYear
from xinfang.clock.tests.helpers import ZHEJIANG, assign, clock_cli

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--days", "60"], "2024-11-09"),
        (["--days", "60", "--roll-forward"], "2024-11-11"),
        (["--days", "5", "--working"], "2024-10-10"),
    ],
    ids=["calendar-days", "roll-forward", "working-days"],
)
def test_due_prints_the_issue_examples_as_the_last_line(args, expected):
    start = "2024-09-27" if "--working" in args else "2024-09-10"
    lines, _ = clock_cli("due", "--from", start, *args)
    assert lines[-1] == expected


def test_due_with_only_days_prints_just_the_date():
    lines, _ = clock_cli("due", "--from", "2024-09-10", "--days", "60")
    assert lines == ["2024-11-09"]


def test_due_by_clock_uses_the_national_default_and_describes_the_rule():
    lines, _ = clock_cli("due", "--from", "2024-09-10", "--clock", "handling")
    assert lines[-1] == "2024-11-09"
    assert "全国默认规则" in lines[0]
    assert "60 个自然日" in lines[0]
    assert "不顺延" in lines[0]


def test_due_by_clock_rolls_the_petitioners_window_forward():
    # 30 days after 2024-09-12 is Saturday 2024-10-12, a 调休 working day: no roll.
    lines, _ = clock_cli("due", "--from", "2024-09-12", "--clock", "review_window")
    assert lines[-1] == "2024-10-12"
    # 30 days after 2024-09-05 is 2024-10-05, inside the National Day break: rolls to Tue 10-08.
    lines, _ = clock_cli("due", "--from", "2024-09-05", "--clock", "review_window")
    assert "末日遇休息日顺延" in lines[0]
    assert lines[-1] == "2024-10-08"


def test_due_by_clock_at_an_org_uses_the_rule_set_it_inherits(cast):
    assign(cast.city, ZHEJIANG)
    lines, _ = clock_cli("due", "--from", "2024-09-27", "--clock", "acceptance", "--org", "330781")
    assert lines[-1] == "2024-10-10"  # 5 working days, as in the working-day example
    assert any("清河县人民政府" in line for line in lines)  # the government, not its departments
    assert any("浙江省规则" in line and "继承自示例市人民政府" in line for line in lines)
    # Without --org the national 15 calendar days apply.
    lines, _ = clock_cli("due", "--from", "2024-09-27", "--clock", "acceptance")
    assert lines[-1] == "2024-10-12"


def test_due_warns_when_it_reaches_a_year_without_a_schedule():
    CalendarYear.objects.filter(year=2026).delete()
    lines, _ = clock_cli("due", "--from", "2025-12-20", "--days", "30")
    assert lines[-1] == "2026-01-19"
    assert "2026 年" in lines[0] and "暂定" in lines[0]


def test_due_adds_an_approved_extension_within_the_cap():
    lines, _ = clock_cli("due", "--from", "2024-09-10", "--clock", "handling", "--extension", "30")
    assert lines[-1] == "2024-12-09"
    with pytest.raises(CommandError, match="30 天"):
        clock_cli("due", "--from", "2024-09-10", "--clock", "handling", "--extension", "31")


@pytest.mark.parametrize(
    ("day", "answer"),
    [
        ("2024-10-12", "yes"),  # Saturday, 国庆 调休
        ("2024-10-01", "no"),  # National Day
        ("2024-02-04", "yes"),  # Sunday, 春节 调休
        ("2024-10-13", "no"),  # an ordinary Sunday
        ("2024-10-14", "yes"),  # an ordinary Monday
    ],
)
def test_is_workday_follows_the_official_schedule(day, answer):
    lines, err = clock_cli("is-workday", day)
    assert lines == [answer]
    assert err == ""


def test_is_workday_in_an_unloaded_year_answers_by_weekday_and_says_so():
    lines, err = clock_cli("is-workday", "2031-01-01")
    assert lines == ["yes"]  # a Wednesday; 元旦 is not known for 2031
    assert "2031 年" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["due", "--from", "2024-02-30", "--days", "3"], "2024-02-30"),
        (["due", "--from", "2024/02/03", "--days", "3"], "YYYY-MM-DD"),
        (["due", "--from", "2024-02-03", "--days", "-3"], "负数"),
        (["due", "--from", "2024-02-03", "--days", "three"], "整数"),
        (["due", "--from", "2024-02-03"], "--days"),
        (["due", "--days", "3"], "起算日"),
        (["due", "--from", "2024-02-03", "--clock", "appeal"], "未知的期限类型"),
        (["due", "--from", "2024-02-03", "--clock", "handling", "--days", "3"], "二选一"),
        (["due", "--from", "2024-02-03", "--clock", "handling", "--org", "999999"], "999999"),
        (["due", "--from", "2024-02-03", "--clock", "routing", "--extension", "5"], "不能延期"),
        (["is-workday", "2023-02-29"], "2023-02-29"),
        (["is-workday"], "日期"),
        (["import"], "文件"),
        ([], "子命令"),
    ],
)
def test_bad_input_fails_with_a_chinese_message_and_exit_status_2(args, message):
    with pytest.raises(CommandError) as caught:
        clock_cli(*args)
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_from_the_shell_a_bad_date_prints_to_stderr_and_exits_2(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "manage.py", "clock", "due", "--from", "2024-02-30", "--days", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("错误：") and "2024-02-30" in proc.stderr


def test_recompute_prints_the_number_of_changed_deadlines(cast):
    from xinfang.clock.services import open_deadline

    d = open_deadline(cast.dept, org=cast.dept, clock="handling", start=date(2024, 9, 10))
    type(d).objects.filter(pk=d.pk).update(due_date=date(2000, 1, 1))
    lines, _ = clock_cli("recompute")
    assert lines[-1] == "1"
    lines, _ = clock_cli("recompute")
    assert lines[-1] == "0"


def test_seed_has_nothing_to_do_when_every_packaged_year_is_loaded():
    lines, _ = clock_cli("seed")
    assert "没有需要载入的年度" in lines[-1]


def test_seed_reloads_a_year_whose_mark_was_removed():
    CalendarYear.objects.filter(year=2025).delete()
    lines, _ = clock_cli("seed", "--year", "2025")
    assert "2025" in lines[-1]
    assert CalendarYear.objects.get(year=2025).source == "seed"
