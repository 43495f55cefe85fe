"""Importing a year's schedule from a text file, and seeding from chinesecalendar."""

from datetime import date
from pathlib import Path

import pytest
from chinese_calendar import constants
from django.core.management.base import CommandError

from xinfang.clock.importer import CalendarFileError, import_calendar, parse_calendar, read_calendar_file
from xinfang.clock.models import CalendarDay, CalendarYear, Deadline
from xinfang.clock.seed import official_entries
from xinfang.clock.services import open_deadline
from xinfang.clock.tests.helpers import clock_cli
from xinfang.clock.workcalendar import get_work_calendar

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "calendar-2026.txt"

# A made-up schedule for a far year, so the test never collides with real data.
FICTIONAL_2030 = """\
# 2030 年（测试用的虚构安排）
2030-01-01 holiday 元旦
2030-02-02 workday 春节调休   # a Saturday
2030-02-04 holiday 春节
2030-02-05 holiday 春节
2030-02-06 holiday 春节
"""


def write(tmp_path, text, name="calendar.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_shipped_sample_file_is_the_official_2026_schedule():
    entries = read_calendar_file(SAMPLE)
    assert [(e.date, e.kind, e.name) for e in entries] == official_entries([2026])
    stored = list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name"))
    assert [(e.date, e.kind, e.name) for e in entries] == stored


def test_importing_the_sample_over_the_seeded_year_changes_no_date():
    lines, _ = clock_cli("import", str(SAMPLE))
    assert "新增 0 条，修改 0 条，删除 0 条" in lines[-1]
    assert CalendarYear.objects.get(year=2026).source == "import"


def test_an_imported_year_becomes_covered_and_moves_provisional_deadlines(cast, tmp_path):
    d = open_deadline(cast.dept, org=cast.dept, clock="misrouting_objection", start=date(2030, 2, 1))
    assert d.provisional and d.due_date == date(2030, 2, 8)  # weekends only: Feb 4–8
    lines, _ = clock_cli("import", write(tmp_path, FICTIONAL_2030), "--note", "测试")
    assert lines[-1] == "已导入 2030 年：新增 5 条，修改 0 条，删除 0 条；重新计算后日期有变化的期限 1 个。"
    year = CalendarYear.objects.get(year=2030)
    assert (year.source, year.note) == ("import", "测试")
    d = Deadline.objects.get(pk=d.pk)
    # Sat Feb 2 (调休) counts, Feb 4–6 are holidays: Feb 2, 7, 8, 11, 12.
    assert not d.provisional and d.due_date == date(2030, 2, 12)
    cal = get_work_calendar()
    assert cal.is_workday(date(2030, 2, 2)) and not cal.is_workday(date(2030, 2, 4))


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, FICTIONAL_2030)
    clock_cli("import", path)
    before = list(CalendarDay.objects.filter(date__year=2030).values_list("date", "kind", "name", "updated_at"))
    lines, _ = clock_cli("import", path)
    assert "新增 0 条，修改 0 条，删除 0 条" in lines[-1]
    after = list(CalendarDay.objects.filter(date__year=2030).values_list("date", "kind", "name", "updated_at"))
    assert before == after


def test_a_corrected_file_replaces_the_years_entries(tmp_path):
    clock_cli("import", write(tmp_path, FICTIONAL_2030))
    corrected = FICTIONAL_2030.replace("2030-02-06 holiday 春节\n", "").replace(
        "2030-01-01 holiday 元旦", "2030-01-01 holiday 新年"
    )
    result = import_calendar(parse_calendar(corrected))
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    assert not CalendarDay.objects.filter(date=date(2030, 2, 6)).exists()
    assert CalendarDay.objects.get(date=date(2030, 1, 1)).name == "新年"


def test_a_dry_run_checks_without_writing(tmp_path):
    lines, _ = clock_cli("import", write(tmp_path, FICTIONAL_2030), "--dry-run")
    assert "检查通过" in lines[-1] and "放假 4 天，调休上班 1 天" in lines[-1]
    assert not CalendarYear.objects.filter(year=2030).exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2030-02-30 holiday 春节", "第 2 行：日期“2030-02-30”无效"),
        ("2030/02/03 holiday 春节", "第 2 行：日期“2030/02/03”无效"),
        ("2030-02-03 rest 春节", "第 2 行：类别“rest”无效"),
        ("2030-02-04 workday 春节调休", "第 2 行：2030-02-04 是周一，本来就是工作日"),
        ("2030-01-01", "第 2 行：格式应为"),
        ("2030-01-01 holiday 元旦", "第 2 行：日期 2030-01-01 与第 1 行重复"),
        ("2030-01-02 holiday " + "长" * 61, "第 2 行：名称过长"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_nothing_is_imported(tmp_path, line, message):
    path = write(tmp_path, f"2030-01-01 holiday 元旦\n{line}\n")
    with pytest.raises(CommandError) as caught:
        clock_cli("import", path)
    assert caught.value.returncode == 2
    assert message in str(caught.value)
    assert "未导入任何数据" in str(caught.value)
    assert not CalendarDay.objects.filter(date__year=2030).exists()


def test_every_problem_in_a_file_is_reported_at_once():
    with pytest.raises(CalendarFileError) as caught:
        parse_calendar("2030-13-01 holiday x\n\n# comment\n2030-01-05 sometimes x\n")
    assert [e.split("：")[0] for e in caught.value.errors] == ["第 1 行", "第 4 行"]


def test_an_empty_or_missing_file_is_refused(tmp_path):
    with pytest.raises(CalendarFileError, match="没有任何日期"):
        parse_calendar("# only a comment\n\n")
    with pytest.raises(CalendarFileError, match="找不到文件"):
        read_calendar_file(tmp_path / "nope.txt")
    with pytest.raises(CommandError, match="不是 UTF-8"):
        path = tmp_path / "gbk.txt"
        path.write_bytes("2030-01-01 holiday 元旦\n".encode("gbk"))
        clock_cli("import", str(path))


def test_a_file_saved_with_a_bom_imports(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_text("2030-01-01 holiday 元旦\n", encoding="utf-8-sig")
    assert [e.name for e in read_calendar_file(path)] == ["元旦"]


# --- the seeded calendar ------------------------------------------------------------------


def test_the_migration_seeds_every_year_the_package_covers():
    years = sorted({d.year for d in constants.holidays})
    assert list(CalendarYear.objects.order_by("year").values_list("year", flat=True)) == years
    assert CalendarDay.objects.filter(kind="holiday").count() == len(constants.holidays)
    assert CalendarDay.objects.filter(kind="workday").count() == len(constants.workdays)


def test_the_seeded_calendar_agrees_with_the_package_on_every_day():
    cal = get_work_calendar()
    day = date(2004, 1, 1)
    last = date(max(d.year for d in constants.holidays), 12, 31)
    from chinese_calendar import is_workday

    while day <= last:
        assert cal.is_workday(day) == is_workday(day), day
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 2, 10), "春节"),
        (date(2024, 4, 4), "清明节"),
        (date(2024, 6, 10), "端午节"),
        (date(2024, 9, 17), "中秋节"),
        (date(2024, 10, 1), "国庆节"),
        (date(2025, 10, 6), "国庆节、中秋节"),  # one announced break
        (date(2023, 9, 29), "国庆节、中秋节"),
        (date(2024, 2, 4), "春节调休"),
        (date(2025, 9, 28), "国庆节、中秋节调休"),
        (date(2025, 1, 1), "元旦"),
        (date(2024, 5, 1), "劳动节"),
    ],
)
def test_seeded_entries_carry_the_chinese_holiday_names(day, name):
    assert CalendarDay.objects.get(date=day).name == name


def test_no_seeded_makeup_workday_falls_on_a_weekday():
    assert all(d.weekday() >= 5 for d in CalendarDay.objects.filter(kind="workday").values_list("date", flat=True))
