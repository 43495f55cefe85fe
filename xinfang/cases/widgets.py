"""Form widgets and choices shared by the case screens."""

from django import forms

from xinfang.cases.models import Category

BLANK = [("", "全部")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def category_choices(blank_label="—— 请选择 ——"):
    """Two-level categories as <optgroup>s (one query)."""
    groups: dict[int, tuple[str, list]] = {}
    order = []
    for cat in Category.objects.filter(is_active=True).order_by("code"):
        if cat.parent_id is None:
            groups[cat.pk] = (cat.name, [])
            order.append(cat.pk)
        elif cat.parent_id in groups:
            groups[cat.parent_id][1].append((str(cat.pk), cat.name))
    return [("", blank_label)] + [(groups[pk][0], groups[pk][1]) for pk in order if groups[pk][1]]


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name
