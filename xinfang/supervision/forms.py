"""The forms of the case page's 督办催办 section: they parse what the page sends; the actions decide."""

from __future__ import annotations

from django import forms

from xinfang.cases.models import CaseOrg
from xinfang.cases.states import ParticipantRole
from xinfang.orgs.models import Org, User
from xinfang.supervision.actions import MAX_CADENCE, MAX_TEXT
from xinfang.supervision.models import ReportKind, SupervisionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, required=True, rows=3):
    return forms.CharField(
        label=label, required=required, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": rows})
    )


class OpenForm(forms.Form):
    kind = forms.ChoiceField(label="督办方式", choices=SupervisionKind.choices)
    reason = _text("督办事由")
    due_on = forms.DateField(label="办结期限", widget=DATE)
    report_every_days = forms.IntegerField(
        label="进展反馈周期（日，可不填）", required=False, min_value=1, max_value=MAX_CADENCE
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="反馈类型", choices=ReportKind.choices)
    text = _text("反馈内容")


class ConcludeForm(forms.Form):
    outcome = _text("办结意见（可不填）", required=False, rows=2)


class ContinueForm(forms.Form):
    due_on = forms.DateField(label="新的办结期限", widget=DATE)
    note = _text("继续督办意见（可不填）", required=False, rows=2)


class EscalateForm(forms.Form):
    note = _text("提级理由（可不填）", required=False, rows=2)


class UrgeForm(forms.Form):
    subject = _text("催办事项")
    reply_by = forms.DateField(label="答复期限", widget=DATE)
    deadline = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class UrgeCoForm(forms.Form):
    co_org = forms.ModelChoiceField(label="协办单位", queryset=Org.objects.none())
    subject = _text("催办事项")
    reply_by = forms.DateField(label="答复期限", widget=DATE)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            ids = CaseOrg.objects.filter(case=case, role=ParticipantRole.CO).values("org_id")
            self.fields["co_org"].queryset = Org.objects.filter(pk__in=ids).order_by("path")


class AnswerForm(forms.Form):
    reply = _text("答复内容")


class WithdrawForm(forms.Form):
    note = _text("撤回理由（可不填）", required=False, rows=2)


class InstructForm(forms.Form):
    text = _text("批示内容")
    to_org = forms.ModelChoiceField(label="落实单位", queryset=Org.objects.none())
    to_user = forms.ModelChoiceField(label="落实责任人（可不填）", queryset=User.objects.none(), required=False)
    commit_by = forms.DateField(label="落实期限", widget=DATE)

    def __init__(self, *args, case=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and actor is not None and actor.org is not None:
            # Offered: the units taking part in the case, within the leader's own org or below.
            ids = CaseOrg.objects.filter(case=case).values("org_id")
            orgs = Org.objects.filter(pk__in=ids, path__startswith=actor.org.path, is_active=True).order_by("path")
            self.fields["to_org"].queryset = orgs
            self.fields["to_user"].queryset = User.objects.filter(org__in=orgs, is_active=True).order_by("org", "pk")


class InstructionReportForm(forms.Form):
    report = _text("落实情况")


class CloseForm(forms.Form):
    note = _text("办结意见（可不填）", required=False, rows=2)
