"""Form widgets and choices shared by the case screens."""

from django import forms

from xinfang.cases.models import Category

BLANK = [("", "全部")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def category_choices(blank_label="—— 请选择 ——", *, whole_groups=False):
    """Active categories grouped by their first level, as <optgroup>s (one query).

    A second-level category sits in its parent's group whatever its code (an
    administrator may add "0199" under "02"); a first-level category with no
    active children is an option of its own, so it can still be chosen.
    Children of an inactive first level are left out with it. Order: the
    administrator's 排序, then the code. ``whole_groups`` (filters, not
    registration) starts each group with its first level as a whole.
    """
    top, children = [], {}
    for cat in Category.objects.filter(is_active=True).only("pk", "name", "parent_id").order_by("sort", "code"):
        if cat.parent_id is None:
            top.append(cat)
        else:
            children.setdefault(cat.parent_id, []).append((str(cat.pk), cat.name))
    if whole_groups:
        for cat in top:
            if cat.pk in children:
                children[cat.pk].insert(0, (str(cat.pk), f"{cat.name}（全部）"))
    choices = [("", blank_label)]
    for cat in top:
        choices.append((cat.name, children[cat.pk]) if cat.pk in children else (str(cat.pk), cat.name))
    return choices


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name
