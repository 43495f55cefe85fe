"""Administering the work calendar and rule sets, and seeing which rules each org uses."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html, format_html_join

from xinfang.clock import services
from xinfang.clock.models import (
    CalendarDay,
    CalendarSource,
    CalendarYear,
    Clock,
    ClockRule,
    Deadline,
    LocalTarget,
    OrgRule,
    OrgRuleSet,
    RuleSet,
    weekday_label,
)
from xinfang.clock.rules import RuleNotFound, RuleResolver, resolve_rule_set
from xinfang.core import clock as core_clock


def _report_recompute(request, count) -> None:
    if count:
        messages.info(request, f"已按修改后的日历或规则重新计算 {count} 个进行中的期限。")


class YearFilter(admin.SimpleListFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), f"{d.year} 年") for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "source", "updated_at")
    list_filter = (YearFilter, "kind", "source")
    search_fields = ("name",)
    ordering = ("-date",)
    list_per_page = 100
    fields = ("date", "kind", "name", "source", "updated_at")
    readonly_fields = ("source", "updated_at")

    @admin.display(description="星期")
    def weekday(self, obj):
        return weekday_label(obj.date)

    def save_model(self, request, obj, form, change):
        obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)  # the post_save receiver recomputes
        _report_recompute(request, getattr(obj, "recomputed", 0))
        if not CalendarYear.objects.filter(year=obj.date.year).exists():
            # Entering a new year's dates one by one leaves it provisional until it is marked loaded.
            messages.warning(
                request,
                f"{obj.date.year} 年尚未标记为已载入：录入该年全部安排后，请在“已载入官方安排的年度”中添加 "
                f"{obj.date.year} 年，涉及该年的期限才不再标为暂定。",
            )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _report_recompute(request, getattr(obj, "recomputed", 0))

    def delete_queryset(self, request, queryset):
        # One recompute for the whole selection instead of one per row.
        with transaction.atomic(), services.calendar_changes() as change:
            super().delete_queryset(request, queryset)
        _report_recompute(request, change.recomputed)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "holiday_count", "workday_count", "loaded_at", "note")
    readonly_fields = ("source", "loaded_at")
    fields = ("year", "note", "source", "loaded_at")

    @admin.display(description="放假天数")
    def holiday_count(self, obj):
        return CalendarDay.objects.filter(date__year=obj.year, kind="holiday").count()

    @admin.display(description="调休上班天数")
    def workday_count(self, obj):
        return CalendarDay.objects.filter(date__year=obj.year, kind="workday").count()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)
        _report_recompute(request, getattr(obj, "recomputed", 0))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        messages.warning(request, f"{obj.year} 年已标记为未载入：涉及该年的期限按仅周末推算，并标为暂定。")
        _report_recompute(request, getattr(obj, "recomputed", 0))

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), services.calendar_changes() as change:
            super().delete_queryset(request, queryset)
        _report_recompute(request, change.recomputed)


class ClockRuleInline(admin.TabularInline):
    model = ClockRule
    extra = 0
    fields = ("clock", "days", "working", "roll_forward", "article")


class LocalTargetInline(admin.TabularInline):
    model = LocalTarget
    extra = 0
    fields = ("key", "label", "days", "working")


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "effective_from", "effective_to", "is_national_default", "assigned_orgs")
    list_filter = ("is_national_default",)
    search_fields = ("name", "code")
    inlines = [ClockRuleInline, LocalTargetInline]
    actions = ["copy_rule_sets"]

    @admin.display(description="指定机构数")
    def assigned_orgs(self, obj):
        return obj.assignments.count()

    def save_formset(self, request, form, formset, change):
        # The ClockRule/LocalTarget receivers push edits onto open deadlines.
        super().save_formset(request, form, formset, change)
        saved = list(formset.new_objects) + [obj for obj, _ in formset.changed_objects]
        saved += list(formset.deleted_objects)
        _report_recompute(request, sum(getattr(obj, "recomputed", 0) or 0 for obj in saved))

    @admin.action(description="复制所选规则集（含期限规则与本地承诺）")
    def copy_rule_sets(self, request, queryset):
        for rule_set in queryset:
            with transaction.atomic():
                code = f"{rule_set.code}-copy"
                n = 2
                while RuleSet.objects.filter(code=code).exists():
                    code = f"{rule_set.code}-copy{n}"
                    n += 1
                copy = RuleSet.objects.create(
                    code=code,
                    name=f"{rule_set.name}（副本）",
                    effective_from=rule_set.effective_from,
                    effective_to=rule_set.effective_to,
                    is_national_default=False,
                    note=rule_set.note,
                )
                for rule in rule_set.rules.all():
                    rule.pk, rule.rule_set = None, copy
                    rule.save()
                for target in rule_set.targets.all():
                    target.pk, target.rule_set = None, copy
                    target.save()
            messages.success(request, f"已复制为“{copy.name}”（代码 {copy.code}），请修改后再指定给机构。")


@admin.register(OrgRuleSet)
class OrgRuleSetAdmin(admin.ModelAdmin):
    list_display = ("org", "division_code", "rule_set", "effective_from")
    list_filter = ("rule_set",)
    search_fields = ("org__name", "org__division_code")
    autocomplete_fields = ("org",)
    list_select_related = ("org", "rule_set")

    @admin.display(description="行政区划代码", ordering="org__division_code")
    def division_code(self, obj):
        return obj.org.division_code

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Running deadlines keep the rules they started under (see services docstring).
        messages.info(request, "新的指定适用于此后开始计算的期限；进行中的期限仍按起算时适用的规则集计算。")


def _clock_summary(rules) -> str:
    return "；".join(f"{r.get_clock_display()} {r.days}{'工作日' if r.working else '天'}" for r in rules)


@admin.register(OrgRule)
class OrgRuleAdmin(admin.ModelAdmin):
    """Read-only: each org, the rule set it uses today, and where that comes from."""

    search_fields = ("name", "short_name", "division_code")
    list_filter = ("level", "kind")
    fields = (
        "name",
        "division_code",
        "level",
        "kind",
        "parent",
        "applied_rule_set",
        "rule_source",
        "clock_table",
        "target_table",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        # Resolve every org on the page from one preloaded set of assignments
        # (two queries), bound per request so the shared admin instance keeps no state.
        resolver = RuleResolver(core_clock.today())
        rules: dict[int, list[ClockRule]] = {}
        for rule in ClockRule.objects.order_by("pk"):
            rules.setdefault(rule.rule_set_id, []).append(rule)
        order: list[str] = list(Clock)  # indexed by the stored value (r.clock)

        @admin.display(description="机构", ordering="path")
        def org_name(obj):
            return "　" * obj.depth + obj.name

        @admin.display(description="适用规则集")
        def rule_set(obj):
            resolution = resolver.resolve(obj)
            return resolution.rule_set.name if resolution else "（未配置）"

        @admin.display(description="来源")
        def source(obj):
            resolution = resolver.resolve(obj)
            return resolution.describe_source(obj) if resolution else "—"

        @admin.display(description="期限一览")
        def clocks(obj):
            resolution = resolver.resolve(obj)
            if not resolution:
                return "—"
            found = sorted(rules.get(resolution.rule_set.pk, []), key=lambda r: order.index(r.clock))
            return _clock_summary(found)

        return [org_name, "division_code", rule_set, source, clocks]

    def _resolution(self, obj):
        cached = getattr(obj, "_resolution", None)
        if cached is None:
            try:
                cached = resolve_rule_set(obj, core_clock.today())
            except RuleNotFound:
                cached = False
            obj._resolution = cached
        return cached or None

    @admin.display(description="今日适用规则集")
    def applied_rule_set(self, obj):
        resolution = self._resolution(obj)
        if not resolution:
            return "（没有施行中的全国默认规则集）"
        rs = resolution.rule_set
        until = rs.effective_to.isoformat() if rs.effective_to else "现行有效"
        return f"{rs.name}（{rs.code}，{rs.effective_from.isoformat()} 起，{until}）"

    @admin.display(description="来源")
    def rule_source(self, obj):
        resolution = self._resolution(obj)
        if not resolution:
            return "—"
        text = resolution.describe_source(obj)
        if resolution.assignment:
            text += f"（{resolution.assignment.effective_from.isoformat()} 起）"
        return text

    @admin.display(description="期限规则")
    def clock_table(self, obj):
        resolution = self._resolution(obj)
        if not resolution:
            return "—"
        order = list(Clock)
        rules = sorted(resolution.rule_set.rules.all(), key=lambda r: order.index(r.clock))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((r.get_clock_display(), r.describe(), r.article) for r in rules),
        )
        return format_html("<table><tr><th>期限</th><th>计算</th><th>依据</th></tr>{}</table>", rows)

    @admin.display(description="本地承诺时限")
    def target_table(self, obj):
        resolution = self._resolution(obj)
        targets = list(resolution.rule_set.targets.all()) if resolution else []
        if not targets:
            return "—"
        return format_html_join("、", "{}", ((str(t),) for t in targets))


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """For support staff checking a date: read-only, changes go through the case actions."""

    list_display = (
        "pk",
        "owner_type",
        "owner_id",
        "org",
        "clock",
        "start",
        "due_date",
        "target_date",
        "provisional",
        "paused",
        "status",
    )
    list_filter = ("status", "clock", "provisional", "paused")
    search_fields = ("=owner_id", "org__name")
    date_hierarchy = "due_date"
    list_select_related = ("org", "owner_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
