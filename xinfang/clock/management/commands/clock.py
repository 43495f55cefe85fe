"""``manage.py clock``: answer "when is this due?" and maintain the work calendar.

Subcommands (the last line printed by ``due`` is always the ISO date, so
scripts can take ``| tail -1``)::

    clock due --from 2024-09-10 --days 60 [--working] [--roll-forward] [--extension N]
    clock due --from 2024-09-10 --clock handling [--org 330781] [--extension N]
    clock is-workday 2024-10-12          # prints yes / no
    clock import calendar-2027.txt [--note 文号] [--dry-run]
    clock recompute                      # recompute every open deadline; prints the count
    clock seed [--year 2027] [--replace] # load years from an upgraded chinesecalendar

With ``--clock`` the rule comes from the rule set in force on the start date
at the org with that division code (``--org``), or the national default.
Several orgs share a division code (the government, its petition bureau and
departments); the rule set is inherited down the tree, so the command picks
the org at the highest level, preferring the people's government, then the
petition bureau — the org an assignment for that area would be made on.

Bad input exits with status 2 and a message on stderr; a configuration gap
(no rule set for the date) exits with 1.
"""

from __future__ import annotations

import re
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Case, IntegerField, Value, When

from xinfang.clock import services
from xinfang.clock.importer import CalendarFileError, import_calendar, read_calendar_file
from xinfang.clock.models import EXTENSION_CAP, Clock, Deadline, weekday_label
from xinfang.clock.rules import RuleNotFound, resolve_rule_set, rule_in
from xinfang.clock.seed import covered_years, seed_calendar
from xinfang.orgs.models import Org, OrgKind

USAGE_ERROR = 2
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DAYS = services.MAX_PERIOD_DAYS


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def parse_date(text: str | None, what: str) -> date:
    if not text:
        raise bad_input(f"缺少{what}，格式为 YYYY-MM-DD。")
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise bad_input(f"{what}“{text}”无效：应为实际存在的日期，格式为 YYYY-MM-DD。") from None


def parse_days(text: str, what: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise bad_input(f"{what}“{text}”无效：应为整数。") from None
    if value < 0:
        raise bad_input(f"{what}不能为负数（收到 {value}）。")
    if value > MAX_DAYS:
        raise bad_input(f"{what}过大（最多 {MAX_DAYS} 天）。")
    return value


def find_org(code: str) -> tuple[Org, int]:
    """The org an area's rule set would be assigned to, and how many orgs share the code."""
    orgs = Org.objects.filter(division_code=code)
    count = orgs.count()
    if not count:
        raise bad_input(f"找不到行政区划代码为 {code} 的机构。")
    preference = Case(
        When(kind=OrgKind.GOVERNMENT, then=Value(0)),
        When(kind=OrgKind.PETITION_BUREAU, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    org = orgs.annotate(preference=preference).order_by("-is_active", "depth", "preference", "pk").first()
    if org is None:  # deleted since the count
        raise bad_input(f"找不到行政区划代码为 {code} 的机构。")
    return org, count


def clock_choices() -> str:
    return "、".join(f"{c.value}（{c.label}）" for c in Clock)


class Command(BaseCommand):
    help = "期限计算与工作日历：due（计算届满日）、is-workday、import（导入年度安排）、recompute、seed"
    # Support staff run this to answer a question on the phone: it should
    # answer fast and not refuse because some unrelated app fails a check
    # (migrate and runserver run the checks anyway).
    requires_system_checks = []

    def add_arguments(self, parser):
        # Required-ness and types are checked in handle(), so that every
        # mistake gets a Chinese message rather than argparse's English one.
        sub = parser.add_subparsers(dest="action", metavar="{due,is-workday,import,recompute,seed}")

        due = sub.add_parser("due", help="计算期限届满日（起算日不计入）")
        due.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="起算日（如收到、受理、送达之日）")
        due.add_argument("--days", metavar="N", help="期限天数")
        due.add_argument("--working", action="store_true", help="按工作日计算")
        due.add_argument("--roll-forward", action="store_true", help="自然日期限末日遇休息日顺延")
        due.add_argument("--clock", metavar="CLOCK", help=f"按规则集中的期限计算：{clock_choices()}")
        due.add_argument("--org", metavar="行政区划代码", help="按该地机构适用的规则集（默认：全国默认规则集）")
        due.add_argument("--extension", metavar="N", default="0", help="已批准的延期天数")

        workday = sub.add_parser("is-workday", help="某日是否为工作日（输出 yes 或 no）")
        workday.add_argument("date", nargs="?", metavar="YYYY-MM-DD")

        imp = sub.add_parser("import", help="从文本文件导入年度节假日安排")
        imp.add_argument("file", nargs="?", metavar="FILE")
        imp.add_argument("--note", default="", help="说明，如通知文号")
        imp.add_argument("--dry-run", action="store_true", help="只检查文件，不写入")

        sub.add_parser("recompute", help="重新计算全部进行中的期限")

        seed = sub.add_parser("seed", help="从 chinesecalendar 载入尚未载入的年度")
        seed.add_argument("--year", action="append", metavar="YYYY", help="只载入指定年度（可重复）")
        seed.add_argument("--replace", action="store_true", help="覆盖已载入年度（会替换导入或手工维护的数据）")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            # Django would print "CommandError: …"; the people at the terminal read Chinese.
            self.stderr.write(f"错误：{exc}")
            sys.exit(exc.returncode)

    def handle(self, *args, action=None, **options):
        handlers = {
            "due": self.due,
            "is-workday": self.is_workday,
            "import": self.import_file,
            "recompute": self.recompute,
            "seed": self.seed,
        }
        if action not in handlers:
            raise bad_input("请指定子命令：due、is-workday、import、recompute 或 seed（-h 查看帮助）。")
        handlers[action](options)

    def info(self, line: str, options) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write(line)

    # --- due -----------------------------------------------------------------

    def due(self, options):
        start = parse_date(options["start"], "起算日（--from）")
        extension = parse_days(options["extension"], "延期天数（--extension）")
        if options["clock"] is None and options["days"] is None:
            raise bad_input("请用 --days 指定天数，或用 --clock 指定期限类型。")
        if options["clock"] is not None:
            if options["days"] is not None:
                raise bad_input("--days 与 --clock 只能二选一。")
            if options["working"] or options["roll_forward"]:
                raise bad_input("使用 --clock 时按规则集确定工作日与顺延，不能同时指定 --working 或 --roll-forward。")
            self.due_by_rule(start, extension, options)
            return
        if options["org"]:
            raise bad_input("--org 只能与 --clock 一起使用。")
        days = parse_days(options["days"], "天数（--days）")
        result = self.compute(start, days, options["working"], options["roll_forward"], extension)
        self.print_result(start, result, options)

    def due_by_rule(self, start: date, extension: int, options) -> None:
        try:
            clock = Clock(options["clock"])
        except ValueError:
            raise bad_input(f"未知的期限类型“{options['clock']}”，可选：{clock_choices()}。") from None
        org = None
        if options["org"]:
            org, count = find_org(options["org"])
            shared = f"（该代码下共 {count} 个机构，取层级最高者）" if count > 1 else ""
            self.info(f"机构：{org.name}（{org.division_code}）{shared}", options)
        try:
            resolution = resolve_rule_set(org, start)
            rule = rule_in(resolution.rule_set, clock)
            if extension:
                cap_clock = EXTENSION_CAP.get(clock)
                if cap_clock is None:
                    raise bad_input(f"“{clock.label}”期限依法不能延期。")
                cap = rule_in(resolution.rule_set, cap_clock).days
                if extension > cap:
                    raise bad_input(f"延期不得超过 {cap} 天。")
        except RuleNotFound as exc:
            raise CommandError(str(exc)) from None
        article = f"；依据：{rule.article}" if rule.article else ""
        self.info(
            f"规则集：{resolution.rule_set.name}（{resolution.describe_source(org)}）；"
            f"{clock.label}：{rule.describe()}{article}",
            options,
        )
        result = self.compute(start, rule.days, rule.working, rule.roll_forward, extension)
        self.print_result(start, result, options)

    def compute(self, start, days, working, roll_forward, extension):
        try:
            return services.due_for(start, days, working=working, roll_forward=roll_forward, extension_days=extension)
        except OverflowError:
            raise bad_input("结果超出可计算的日期范围。") from None

    def print_result(self, start, result, options) -> None:
        if result.provisional:
            self.stdout.write(services.provisional_warning(start, result.due))
        self.stdout.write(result.due.isoformat())

    # --- is-workday ------------------------------------------------------------

    def is_workday(self, options):
        day = parse_date(options["date"], "日期")
        cal = services.get_work_calendar()
        if not cal.is_covered(day):
            # stderr, so stdout stays exactly "yes" or "no" for scripts.
            self.stderr.write(f"提示：{day.year} 年的节假日安排尚未载入，仅按周末判断（{weekday_label(day)}）。")
        self.stdout.write("yes" if cal.is_workday(day) else "no")

    # --- calendar maintenance --------------------------------------------------------

    def import_file(self, options):
        if not options["file"]:
            raise bad_input("请指定要导入的文件：clock import FILE")
        try:
            entries = read_calendar_file(options["file"])
        except CalendarFileError as exc:
            raise bad_input("日历文件有误，未导入任何数据：\n" + "\n".join(exc.errors)) from None
        years = "、".join(str(y) for y in sorted({e.date.year for e in entries}))
        holidays = sum(1 for e in entries if e.kind == "holiday")
        if options["dry_run"]:
            self.stdout.write(
                f"检查通过：{years} 年共 {len(entries)} 条"
                f"（放假 {holidays} 天，调休上班 {len(entries) - holidays} 天），未写入。"
            )
            return
        result = import_calendar(entries, note=options["note"])
        self.stdout.write(
            f"已导入 {years} 年：新增 {result.created} 条，修改 {result.updated} 条，删除 {result.removed} 条；"
            f"重新计算后日期有变化的期限 {result.recomputed} 个。"
        )

    def recompute(self, options):
        total = Deadline.objects.open().count()
        changed = services.recompute_deadlines()
        self.info(f"进行中的期限 {total} 个，重新计算后日期有变化的期限数：", options)
        self.stdout.write(str(changed))

    def seed(self, options):
        years = None
        if options["year"]:
            years = [self.parse_year(y) for y in options["year"]]
            missing = sorted(set(years) - set(covered_years()))
            if missing:
                raise bad_input(
                    f"chinesecalendar 不含 {'、'.join(map(str, missing))} 年的安排"
                    f"（已含 {covered_years()[0]}–{covered_years()[-1]} 年），请用 clock import 导入。"
                )
        from xinfang.clock.models import CalendarDay, CalendarYear

        with services.calendar_changes() as change:
            loaded = seed_calendar(CalendarDay, CalendarYear, years=years, replace=options["replace"])
            if loaded["rows"]:
                # bulk writes send no signals: report the change for the loaded years ourselves.
                services.calendar_changed(loaded["years"])
        if not loaded["years"]:
            self.stdout.write(
                f"没有需要载入的年度（chinesecalendar 含 {covered_years()[0]}–{covered_years()[-1]} 年，均已载入）。"
            )
            return
        self.stdout.write(
            f"已从 chinesecalendar 载入 {'、'.join(map(str, loaded['years']))} 年（{loaded['rows']} 条）；"
            f"重新计算后日期有变化的期限 {change.recomputed} 个。"
        )

    @staticmethod
    def parse_year(text: str) -> int:
        if not re.fullmatch(r"\d{4}", text or ""):
            raise bad_input(f"年份“{text}”无效，应为四位数字。")
        return int(text)
