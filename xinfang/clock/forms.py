from django import forms

from xinfang.clock.services import MAX_PERIOD_DAYS


class DueForm(forms.Form):
    """The "when is this due?" question on the calendar page."""

    start = forms.DateField(label="起算日", widget=forms.DateInput(attrs={"type": "date"}), help_text="当日不计入")
    days = forms.IntegerField(label="天数", min_value=0, max_value=MAX_PERIOD_DAYS)
    working = forms.BooleanField(label="按工作日计算", required=False)
    roll_forward = forms.BooleanField(label="末日遇休息日顺延（仅自然日）", required=False)
