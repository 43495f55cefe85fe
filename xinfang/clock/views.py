"""The read-only work calendar page for staff, with a small due-date calculator."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.clock import services
from xinfang.clock.forms import DueForm
from xinfang.clock.models import CalendarDay, CalendarYear, DayKind, weekday_label
from xinfang.core import clock as core_clock

MIN_YEAR, MAX_YEAR = 1990, 2100


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return core_clock.today().year


def _holiday_runs(days: list[CalendarDay]) -> list[dict]:
    """Consecutive holiday dates with one name, as the notices announce them (春节：2月10日至17日)."""
    runs: list[dict] = []
    for day in days:
        if day.kind != DayKind.HOLIDAY:
            continue
        last = runs[-1] if runs else None
        if last and last["name"] == day.name and (day.date - last["last"]).days == 1:
            last["last"] = day.date
            last["count"] += 1
        else:
            runs.append({"name": day.name or "（未命名）", "first": day.date, "last": day.date, "count": 1})
    for run in runs:
        run["first_weekday"] = weekday_label(run["first"])
        run["last_weekday"] = weekday_label(run["last"])
    return runs


def _due_context(form: DueForm) -> dict:
    if not form.is_bound or not form.is_valid():
        return {"due_form": form}
    data = form.cleaned_data
    try:
        result = services.due_for(
            data["start"], data["days"], working=data["working"], roll_forward=data["roll_forward"]
        )
    except OverflowError:
        form.add_error("days", "结果超出可计算的日期范围。")
        return {"due_form": form}
    context = {
        "due_form": form,
        "result": result,
        "result_weekday": weekday_label(result.due),
        "unit": "工作日" if data["working"] else "自然日",
    }
    if result.provisional:
        context["warning"] = services.provisional_warning(data["start"], result.due)
    return context


@require_GET
def calendar(request):
    year = _year(request)
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    loaded = CalendarYear.objects.filter(year=year).first()
    covered = list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    today = core_clock.today()
    form = DueForm(request.GET) if "start" in request.GET else DueForm(initial={"start": today, "days": 15})
    context = {
        "year": year,
        "prev_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "loaded": loaded,
        "covered_first": covered[0] if covered else None,
        "covered_last": covered[-1] if covered else None,
        "holiday_runs": _holiday_runs(days),
        "workdays": [
            {"date": d.date, "weekday": weekday_label(d.date), "name": d.name}
            for d in days
            if d.kind == DayKind.WORKDAY
        ],
        "today": today,
        "today_is_workday": services.get_work_calendar().is_workday(today),
        **_due_context(form),
    }
    return render(request, "clock/calendar.html", context)


@require_GET
def due(request):
    """The calculator's answer: a fragment for htmx, the whole page otherwise."""
    if not request.htmx:
        return calendar(request)
    return render(request, "clock/_due_result.html", _due_context(DueForm(request.GET)))
