"""The workbench's filter form."""

from django import forms
from django.db.models import F

from xinfang.cases import workbench
from xinfang.cases.states import Channel, Kind, Urgency
from xinfang.cases.widgets import BLANK, DATE, category_choices
from xinfang.orgs.access import visible_orgs


class WorkbenchFilterForm(forms.Form):
    q = forms.CharField(label="编号/摘要", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    channel = forms.ChoiceField(label="来源渠道", choices=BLANK + Channel.choices, required=False)
    kind = forms.ChoiceField(label="信访性质", choices=BLANK + Kind.choices, required=False)
    category = forms.TypedChoiceField(label="内容分类", coerce=int, required=False, empty_value=None)
    urgency = forms.ChoiceField(label="紧急程度", choices=BLANK + Urgency.choices, required=False)
    org = forms.TypedChoiceField(label="当前办理单位", coerce=int, required=False, empty_value=None)
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
    due = forms.ChoiceField(
        label="期限",
        required=False,
        choices=BLANK + [("overdue", "已超期"), ("due_soon", "3日内到期"), ("provisional", "暂定")],
    )
    sort = forms.ChoiceField(
        label="排序", required=False, choices=[("due", "按期限"), ("received", "按收件时间（新→旧）")]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices("全部")
        orgs = visible_orgs(user).filter(is_active=True).only("pk", "name").order_by("path")[:300]
        self.fields["org"].choices = [("", "全部")] + [(o.pk, o.name) for o in orgs]

    def apply(self, qs, *, default_sort="due"):
        """The filtered, ordered cases. A bad value is reported at its field and
        ignored; the other filters still apply (cleaned_data keeps the valid ones)."""
        if not self.is_bound:
            return self._order(qs, default_sort)
        self.is_valid()
        d = self.cleaned_data
        if d.get("due"):
            qs = qs.filter(workbench.due_filter(d["due"]))
        for name in ("channel", "kind", "urgency"):
            if d.get(name):
                qs = qs.filter(**{name: d[name]})
        if d.get("category"):
            qs = qs.filter(category_id=d["category"]) | qs.filter(category__parent_id=d["category"])
        if d.get("org"):
            qs = qs.filter(current_org_id=d["org"])
        if d.get("received_from"):
            qs = qs.filter(received_at__date__gte=d["received_from"])
        if d.get("received_to"):
            qs = qs.filter(received_at__date__lte=d["received_to"])
        text = (d.get("q") or "").strip()
        if text:
            qs = qs.filter(summary__icontains=text) | qs.filter(number__icontains=text)
        return self._order(qs, d.get("sort") or default_sort)

    @staticmethod
    def _order(qs, sort):
        if sort == "received":
            return qs.order_by("-received_at", "-pk")
        # Earliest deadline first; cases without a running deadline last (on every database).
        return qs.order_by(F("due_date").asc(nulls_last=True), "received_at", "pk")
