"""The official holiday schedule as shipped by the ``chinesecalendar`` package.

Used by the data migration (with historical models) and by ``clock seed``
after the package is upgraded, so both load exactly the same rows. Only the
``date/kind/name/source`` and ``year/source/note`` fields are touched, which
keeps this safe to call with the migration's historical models.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict

from chinese_calendar import constants
from chinese_calendar.constants import Holiday

HOLIDAY = "holiday"
WORKDAY = "workday"
SEED = "seed"


class SeedResult(TypedDict):
    """What ``seed_calendar`` returns: the years loaded and the rows written."""

    years: list[int]
    rows: int


# The package's English enum values → the names the State Council notices use.
HOLIDAY_NAMES = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.national_day.value: "国庆节",
    Holiday.anti_fascist_70th_day.value: Holiday.anti_fascist_70th_day.chinese,
}
NATIONAL_AND_MID_AUTUMN = "国庆节、中秋节"


def _name(value: str) -> str:
    return HOLIDAY_NAMES.get(value, value)


def covered_years() -> list[int]:
    """Years the installed package has a schedule for (each has at least 元旦)."""
    return sorted({d.year for d in constants.holidays})


def official_entries(years=None) -> list[tuple[date, str, str]]:
    """``(date, kind, name)`` for every holiday and make-up working day of ``years`` (default: all)."""
    wanted = set(years) if years is not None else None
    holidays = {d: _name(v) for d, v in constants.holidays.items() if wanted is None or d.year in wanted}
    workdays = {d: _name(v) for d, v in constants.workdays.items() if wanted is None or d.year in wanted}

    # When National Day and Mid-Autumn fall in one unbroken break the notice
    # announces them as one holiday (e.g. 2023, 2025); the package tags each
    # day separately, so merge the names of such a run.
    combined_years = set()
    run: list[date] = []
    for d in sorted(holidays) + [None]:
        if run and (d is None or d - run[-1] != timedelta(days=1)):
            if {holidays[x] for x in run} >= {"国庆节", "中秋节"}:
                for x in run:
                    holidays[x] = NATIONAL_AND_MID_AUTUMN
                combined_years.add(run[0].year)
            run = []
        if d is not None:
            run.append(d)

    entries = [(d, HOLIDAY, name) for d, name in holidays.items()]
    for d, name in workdays.items():
        if d.year in combined_years and name in ("国庆节", "中秋节"):
            name = NATIONAL_AND_MID_AUTUMN
        entries.append((d, WORKDAY, f"{name}调休"))
    entries.sort()
    return entries


def seed_calendar(day_model, year_model, *, years=None, replace: bool = False) -> SeedResult:
    """Load the package's schedule for ``years`` (default: every year it covers).

    A year already marked as loaded is skipped unless ``replace``, because an
    imported schedule or an administrator's correction must not be silently
    overwritten by a package upgrade. Returns the years loaded and rows written.
    """
    available = covered_years()
    targets = sorted(set(available) & set(years)) if years is not None else available
    if not replace:
        present = set(year_model.objects.filter(year__in=targets).values_list("year", flat=True))
        targets = [y for y in targets if y not in present]
    if not targets:
        return {"years": [], "rows": 0}
    day_model.objects.filter(date__year__in=targets).delete()
    rows = [day_model(date=d, kind=k, name=n, source=SEED) for d, k, n in official_entries(targets)]
    day_model.objects.bulk_create(rows, batch_size=1000)
    for y in targets:
        year_model.objects.update_or_create(
            year=y, defaults={"source": SEED, "note": f"chinesecalendar {_package_version()}"}
        )
    return {"years": targets, "rows": len(rows)}


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("chinesecalendar")
    except Exception:  # noqa: BLE001 - a missing version string must not stop seeding
        return ""
