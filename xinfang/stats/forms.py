"""The statistics pages' choices: the period and org (both pages) and the 月报's slice (category, channel ...)."""

from __future__ import annotations

from django import forms

from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Kind, Urgency
from xinfang.core import clock
from xinfang.stats.periods import FIRST_DAY, LAST_DAY, Period, PeriodError, parse
from xinfang.stats.table import Slice

BLANK = [("", "全部")]
PERIOD_KINDS = [("month", "月度"), ("quarter", "季度"), ("year", "年度"), ("range", "任意期间")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The field each kind of period is read from: a bad value there means the period asked for is not
# known, and the page says so and shows this month (a bad value in another kind's field is ignored).
PERIOD_FIELDS = {
    "month": ("year", "month"),
    "quarter": ("year", "quarter"),
    "year": ("year",),
    "range": ("start", "end"),
}


def _bounded(text: str) -> dict[str, str]:
    """The one message for a number out of range or not a number (worded as ``periods.parse`` words it)."""
    return {"invalid": text, "min_value": text, "max_value": text}


_DAY = {"invalid": "请按“年-月-日”填写日期，如2026-03-01"}


def category_choices():
    """Both levels, each selectable: a first level counts its second level with it."""
    cats = list(Category.objects.filter(is_active=True).only("pk", "name", "parent_id").order_by("sort", "code"))
    children: dict[int, list[Category]] = {}
    for cat in cats:
        if cat.parent_id is not None:
            children.setdefault(cat.parent_id, []).append(cat)
    choices = list(BLANK)
    for cat in cats:
        if cat.parent_id is None:
            choices.append((str(cat.pk), cat.name))
            choices.extend((str(child.pk), f"　└ {child.name}") for child in children.get(cat.pk, []))
    return choices


class PeriodForm(forms.Form):
    """The period and the org: what the statistics page and the ranking page both ask for."""

    period = forms.ChoiceField(
        label="统计期间",
        choices=PERIOD_KINDS,
        required=False,
        error_messages={"invalid_choice": "统计期间须为月度、季度、年度或任意期间"},
    )
    year = forms.IntegerField(
        label="年份",
        min_value=FIRST_DAY.year,
        max_value=LAST_DAY.year,
        required=False,
        error_messages=_bounded(f"年份须在{FIRST_DAY.year}至{LAST_DAY.year}之间"),
    )
    month = forms.IntegerField(
        label="月份", min_value=1, max_value=12, required=False, error_messages=_bounded("月份须为1至12")
    )
    quarter = forms.IntegerField(
        label="季度", min_value=1, max_value=4, required=False, error_messages=_bounded("季度须为1至4")
    )
    start = forms.DateField(label="自", required=False, widget=DATE, error_messages=_DAY)
    end = forms.DateField(label="至", required=False, widget=DATE, error_messages=_DAY)
    org = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        today = clock.today()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        self.period_error = ""

    def _data(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()  # fills cleaned_data with the fields that are valid
        return self.cleaned_data

    def chosen_period(self) -> tuple[Period, int | None]:
        """The valid period and org; a bad period is reported and this month is used instead."""
        today = clock.today()
        d = self._data()
        kind = d.get("period") or "month"
        fields = ("period",) if "period" in self.errors else PERIOD_FIELDS[kind]
        bad = [name for name in fields if name in self.errors]
        if bad:
            # Falling back to a part of "today" (what parse does with a missing part) would show
            # another period than the one asked for under the asker's own heading.
            self.period_error = self.errors[bad[0]][0]
            return Period.containing("month", today), d.get("org")
        try:
            period = parse(
                kind,
                year=d.get("year"),
                month=d.get("month"),
                quarter=d.get("quarter"),
                start=d.get("start"),
                end=d.get("end"),
                today=today,
            )
        except PeriodError as refused:
            self.period_error = str(refused)
            period = Period.containing("month", today)
        return period, d.get("org")


class StatsForm(PeriodForm):
    category = forms.TypedChoiceField(label="内容分类", coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label="来源渠道", choices=BLANK + Channel.choices, required=False)
    kind = forms.ChoiceField(label="信访性质", choices=BLANK + Kind.choices, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=BLANK + Urgency.choices, required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["category"].choices = category_choices()

    def chosen(self) -> tuple[Period, Slice, int | None]:
        """The valid choices; a bad value is reported at its field and the default is used instead."""
        period, org = self.chosen_period()
        d = self._data()
        category = None
        if d.get("category"):
            category = Category.objects.filter(pk=d["category"]).first()
        chosen = Slice(
            channel=d.get("channel") or "",
            kind=d.get("kind") or "",
            category=category,
            urgency=d.get("urgency") or "",
        )
        return period, chosen, org
