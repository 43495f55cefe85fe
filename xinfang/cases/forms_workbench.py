"""The workbench's filter form."""

from django import forms

from xinfang.cases import due
from xinfang.cases.filters import REVERSED_RANGE, Applied, CaseFilter, apply
from xinfang.cases.inputs import MAX_ID
from xinfang.cases.states import Channel, Kind, Urgency
from xinfang.cases.widgets import BLANK, DATE, category_choices
from xinfang.orgs.access import visible_orgs

ORG_OPTIONS = 300


class WorkbenchFilterForm(forms.Form):
    q = forms.CharField(label="编号/摘要/信访人姓名", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    channel = forms.ChoiceField(label="来源渠道", choices=BLANK + Channel.choices, required=False)
    kind = forms.ChoiceField(label="信访性质", choices=BLANK + Kind.choices, required=False)
    category = forms.TypedChoiceField(label="内容分类", coerce=int, required=False, empty_value=None)
    urgency = forms.ChoiceField(label="紧急程度", choices=BLANK + Urgency.choices, required=False)
    org = forms.TypedChoiceField(label="当前办理单位", coerce=int, required=False, empty_value=None)
    unit = forms.TypedChoiceField(label="承办单位（含下级）", coerce=int, required=False, empty_value=None)
    received_from = forms.DateField(
        label="收件日期自",
        required=False,
        widget=DATE,
        error_messages={"invalid": "日期无效，应为“2024-01-31”的格式；本条件未生效"},
    )
    received_to = forms.DateField(
        label="至",
        required=False,
        widget=DATE,
        error_messages={"invalid": "日期无效，应为“2024-01-31”的格式；本条件未生效"},
    )
    due = forms.ChoiceField(label="期限", required=False)
    sort = forms.ChoiceField(
        label="排序", required=False, choices=[("due", "按期限（先到期在前）"), ("-received", "按收件时间（新→旧）")]
    )

    def __init__(self, data=None, *args, user, default_sort="due", **kwargs):
        if data is not None and not data.get("sort"):
            # The box shows the order the list is in, also before anything is chosen.
            data = data.copy()
            data["sort"] = default_sort
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.default_sort = default_sort
        self.fields["category"].choices = category_choices("全部", whole_groups=True)
        org_choices = [("", "全部")] + [(o.pk, o.name) for o in self._org_options(user, data)]
        self.fields["org"].choices = org_choices
        self.fields["unit"].choices = org_choices
        self.fields["due"].choices = BLANK + [
            (key, due.label(key)) for key in ("overdue", "due_soon", "paused", "provisional")
        ]
        self.fields["sort"].initial = default_sort
        self.applied = Applied()

    @staticmethod
    def _org_options(user, data):
        """The first ORG_OPTIONS orgs in scope, by tree order, plus any chosen one beyond them.

        A city has more units than a select can usefully list, but a link from a statistic may name
        any org in scope: it must still be accepted (and shown selected), not refused as invalid.
        """
        visible = visible_orgs(user).filter(is_active=True).only("pk", "name", "path")
        orgs = list(visible.order_by("path")[:ORG_OPTIONS])
        chosen = set()
        for name in ("org", "unit"):
            value = (data or {}).get(name)
            # A number no row id can be (beyond the database's integer) is simply not a choice.
            if value and str(value).isdigit() and int(value) <= MAX_ID:
                chosen.add(int(value))
        missing = chosen - {o.pk for o in orgs}
        if missing:
            orgs = sorted([*orgs, *visible.filter(pk__in=missing)], key=lambda o: o.path)
        return orgs

    def clean(self):
        d = super().clean()
        start, end = d.get("received_from"), d.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", f"{REVERSED_RANGE}；本条件未生效")
        return d

    def to_filter(self) -> CaseFilter:
        """The valid filters (a bad value is reported at its field and ignored; the others still apply)."""
        if not self.is_bound:
            return CaseFilter(sort=self.default_sort)
        self.is_valid()
        d = self.cleaned_data
        return CaseFilter(
            q=d.get("q") or "",
            channel=d.get("channel") or "",
            kind=d.get("kind") or "",
            category=d.get("category"),
            urgency=d.get("urgency") or "",
            current_org=d.get("org"),
            unit=d.get("unit"),
            received_from=d.get("received_from"),
            received_to=d.get("received_to"),
            due=d.get("due") or "",
            sort=d.get("sort") or self.default_sort,
        )

    def apply(self, qs, *, request=None, person_number=""):
        f = self.to_filter()
        f.person_number = person_number
        return apply(qs, f, actor=self.user, request=request, applied=self.applied)
