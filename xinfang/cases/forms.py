"""Action forms of the case page (one small form per action; to be generated from the action specs).

Action forms only parse and validate input; the action functions decide and
write. Every action form carries the case ``version`` it was opened on, which
goes to the action as ``expected_version`` (optimistic locking).
"""

from django import forms

from xinfang.cases import actions
from xinfang.cases.access import accused_may_not_receive, scoped_cases
from xinfang.cases.states import (
    RECORD_ONLY_ACTIONS,
    Action,
    DeliveryMethod,
    Evaluation,
    EvaluationSource,
    Notice,
    RedirectChannel,
    ReplyDecision,
    ReviewDecision,
    StepKind,
)
from xinfang.cases.widgets import DATE, DATETIME, OrgChoice
from xinfang.core import clock
from xinfang.orgs.models import Org, Role, User

# ---------------------------------------------------------------- actions


class ActionForm(forms.Form):
    """Base: the case version, and `run` calling the action function."""

    action = None
    primary = False
    routing_note = ""  # shown under the fields (e.g. which units an accusation may not go to)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, user, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self):
        pass

    def call(self, d, version):  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self):
        d = dict(self.cleaned_data)
        version = d.pop("version")
        return self.call(d, version)


def _note(label="说明", required=False):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}))


def _routing_targets(case, user):
    """Orgs under the same government as the router (never the accused, never itself)."""
    org = user.org
    root = org.parent if org and org.parent_id else org
    if root is None:
        return Org.objects.none()
    qs = root.subtree().filter(is_active=True).exclude(pk=case.current_org_id).order_by("path")
    return qs


def _exclude_accused(case, qs):
    if not case.is_accusation:
        return qs
    blocked = [o.pk for o in qs if accused_may_not_receive(case, o)]
    return qs.exclude(pk__in=blocked)


def _accused_note(case) -> str:
    """Why the accused unit is missing from a routing form's lists (empty when nothing is left out)."""
    if not case.is_accusation:
        return ""
    names = []
    if case.accused_org_id:
        names.append(f"被反映单位（{case.accused_org.name}）及其下级单位")
    if case.accused_user_id and case.accused_user.org_id:
        names.append(f"被反映人所在单位（{case.accused_user.org.name}）")
    if not names:
        return ""
    return f"{'、'.join(names)}不在可选范围内（检举控告件不得交转被反映单位）"


def _offer_routing_targets(form, names):
    """Offer every routing target but the accused; accept them all, so that a stale form
    naming the accused reaches the action, whose refusal says why (not "invalid choice")."""
    allowed = _routing_targets(form.case, form.user)
    for name in names:
        form.fields[name].queryset = allowed
    if not form.case.is_accusation:
        return
    offered = _exclude_accused(form.case, allowed)
    form.routing_note = _accused_note(form.case)
    for name in names:
        field = form.fields[name]
        field.queryset = offered
        shown = list(field.choices)
        field.queryset = allowed  # also resets the widget's choices: shown replaces them below
        field.widget.choices = shown


def _handlers(case):
    return (
        User.objects.filter(
            org_id=case.competent_org_id, is_active=True, role_grants__role__in=[Role.HANDLER, Role.UNIT_HEAD]
        )
        .distinct()
        .order_by("username")
    )


class OrgMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ForwardForm(ActionForm):
    action = Action.FORWARD
    org = OrgChoice(label="接收单位（有权处理机关）", queryset=Org.objects.none(), empty_label="—— 请选择 ——")
    note = _note("转送说明")

    def setup(self):
        _offer_routing_targets(self, ["org"])

    def call(self, d, version):
        return actions.do_forward(self.case, actor=self.user, to_org=d["org"], note=d["note"], expected_version=version)


class AssignForm(ActionForm):
    action = Action.ASSIGN
    primary = True
    org = OrgChoice(label="主办单位", queryset=Org.objects.none(), empty_label="—— 请选择 ——")
    co_orgs = OrgMultiChoice(
        label="协办单位（可多选）", queryset=Org.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = _note("交办要求")

    def setup(self):
        _offer_routing_targets(self, ["org", "co_orgs"])

    def call(self, d, version):
        return actions.do_assign(
            self.case,
            actor=self.user,
            lead_org=d["org"],
            co_orgs=list(d["co_orgs"]),
            note=d["note"],
            expected_version=version,
        )


class MergeForm(ActionForm):
    action = Action.MERGE_AS_REPEAT
    original = forms.CharField(label="所并原信访件编号", max_length=40)
    note = _note()

    def clean_original(self):
        number = self.cleaned_data["original"].strip()
        visible = scoped_cases(self.user)
        original = visible.filter(number=number).first()
        if original is None and number.isdigit():
            # Clerks say "00170": accept the sequence part when it names one case.
            matches = list(visible.filter(number__endswith=f"{int(number):05d}号").order_by("-pk")[:2])
            if len(matches) > 1:
                raise forms.ValidationError("有多件信访件的编号以此结尾，请输入完整编号")
            original = matches[0] if matches else None
        if original is None:
            raise forms.ValidationError("没有找到该编号的信访件")
        return original

    def call(self, d, version):
        return actions.do_merge_as_repeat(
            self.case, actor=self.user, original=d["original"], note=d["note"], expected_version=version
        )


class SignForForm(ActionForm):
    action = Action.SIGN_FOR
    primary = True
    note = _note()

    def call(self, d, version):
        return actions.do_sign_for(self.case, actor=self.user, note=d["note"], expected_version=version)


class ReturnForm(ActionForm):
    action = Action.RETURN
    reason = _note("退回理由", required=True)

    def call(self, d, version):
        return actions.do_return(self.case, actor=self.user, reason=d["reason"], expected_version=version)


class AcceptForm(ActionForm):
    action = Action.ACCEPT
    primary = True
    handler = UserChoice(
        label="承办人（可稍后指定）", queryset=User.objects.none(), required=False, empty_label="—— 暂不指定 ——"
    )
    note = _note()

    def setup(self):
        self.fields["handler"].queryset = _handlers(self.case)

    def call(self, d, version):
        return actions.do_accept(
            self.case, actor=self.user, handler=d["handler"], note=d["note"], expected_version=version
        )


class DeclineForm(ActionForm):
    action = Action.DECLINE
    reason = _note("不予受理理由（写入告知书）", required=True)

    def call(self, d, version):
        return actions.do_decline(self.case, actor=self.user, reason=d["reason"], expected_version=version)


class RedirectForm(ActionForm):
    action = Action.REDIRECT
    channel = forms.ChoiceField(label="导入的法定途径", choices=[("", "—— 请选择 ——")] + RedirectChannel.choices)
    note = _note("告知内容补充")

    def call(self, d, version):
        return actions.do_redirect(
            self.case, actor=self.user, channel=d["channel"], note=d["note"], expected_version=version
        )


class AssignHandlerForm(ActionForm):
    action = Action.ASSIGN_HANDLER
    handler = UserChoice(label="承办人", queryset=User.objects.none(), empty_label="—— 请选择 ——")

    def setup(self):
        self.fields["handler"].queryset = _handlers(self.case)

    def call(self, d, version):
        return actions.do_assign_handler(self.case, actor=self.user, handler=d["handler"], expected_version=version)


class RecordStepForm(ActionForm):
    action = Action.RECORD_STEP
    kind = forms.ChoiceField(label="办理方式", choices=StepKind.choices)
    happened_on = forms.DateField(label="日期", widget=DATE)
    description = _note("办理情况", required=True)

    def setup(self):
        self.fields["happened_on"].initial = clock.today()

    def call(self, d, version):
        return actions.do_record_step(
            self.case,
            actor=self.user,
            kind=d["kind"],
            happened_on=d["happened_on"],
            description=d["description"],
            expected_version=version,
        )


class CoReportForm(ActionForm):
    action = Action.CO_REPORT
    primary = True
    report = _note("协办情况", required=True)

    def call(self, d, version):
        return actions.do_co_report(self.case, actor=self.user, report=d["report"], expected_version=version)


class RequestExtensionForm(ActionForm):
    action = Action.REQUEST_EXTENSION
    days = forms.IntegerField(label="延期天数（最长30日）", min_value=1, max_value=30, initial=30)
    reason = _note("延期理由（将告知信访人）", required=True)

    def call(self, d, version):
        return actions.do_request_extension(
            self.case, actor=self.user, days=d["days"], reason=d["reason"], expected_version=version
        )


class ApproveExtensionForm(ActionForm):
    action = Action.APPROVE_EXTENSION
    primary = True
    note = _note("审批意见")

    def call(self, d, version):
        return actions.do_approve_extension(self.case, actor=self.user, note=d["note"], expected_version=version)


class RejectExtensionForm(ActionForm):
    action = Action.REJECT_EXTENSION
    note = _note("不批准理由")

    def call(self, d, version):
        return actions.do_reject_extension(self.case, actor=self.user, note=d["note"], expected_version=version)


class StartHearingForm(ActionForm):
    action = Action.START_HEARING
    day = forms.DateField(label="听证开始日期", widget=DATE, required=False)
    note = _note()

    def call(self, d, version):
        return actions.do_start_hearing(
            self.case, actor=self.user, day=d["day"], note=d["note"], expected_version=version
        )


class EndHearingForm(StartHearingForm):
    action = Action.END_HEARING

    def setup(self):
        self.fields["day"].label = "听证结束日期"

    def call(self, d, version):
        return actions.do_end_hearing(
            self.case, actor=self.user, day=d["day"], note=d["note"], expected_version=version
        )


class DraftReplyForm(ActionForm):
    action = Action.DRAFT_REPLY
    request = _note("一、信访请求", required=True)
    facts = forms.CharField(label="二、事实和理由", widget=forms.Textarea(attrs={"rows": 6}))
    decision = forms.ChoiceField(label="三、处理意见", choices=[("", "—— 请选择 ——")] + ReplyDecision.choices)
    basis = _note("四、依据", required=True)

    def setup(self):
        draft = self.case.reply_draft or {}
        for name in ("request", "facts", "decision", "basis"):
            if draft.get(name):
                self.fields[name].initial = draft[name]
        if not self.fields["request"].initial:
            self.fields["request"].initial = self.case.summary

    def call(self, d, version):
        return actions.do_draft_reply(self.case, actor=self.user, expected_version=version, **d)


class ReplyForm(DraftReplyForm):
    action = Action.REPLY
    primary = True

    def call(self, d, version):
        return actions.do_reply(self.case, actor=self.user, expected_version=version, **d)


class RecordDeliveryForm(ActionForm):
    action = Action.RECORD_DELIVERY
    primary = True
    notice = forms.ChoiceField(label="送达的文书", choices=Notice.choices)
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices)
    delivered_at = forms.DateTimeField(label="送达时间", widget=DATETIME)
    recipient = forms.CharField(label="签收人", max_length=50, required=False)

    def setup(self):
        self.fields["delivered_at"].initial = clock.localtime().replace(second=0, microsecond=0)
        # Offer the notices this case has produced (latest first), defaulting to the newest.
        produced = [e.notice for e in getattr(self.case, "prefetched_notice_events", [])]
        if produced:
            self.fields["notice"].initial = produced[-1]
            self.fields["notice"].choices = [(n, Notice(n).label) for n in dict.fromkeys(reversed(produced))]

    def call(self, d, version):
        return actions.do_record_delivery(self.case, actor=self.user, expected_version=version, **d)


class EvaluateForm(ActionForm):
    action = Action.EVALUATE
    primary = True
    evaluation = forms.ChoiceField(label="评价结果", choices=Evaluation.choices, widget=forms.RadioSelect)
    source = forms.ChoiceField(label="评价方式", choices=EvaluationSource.choices, initial=EvaluationSource.FOLLOW_UP)
    note = _note()

    def call(self, d, version):
        return actions.do_evaluate(self.case, actor=self.user, expected_version=version, **d)


class NoteOnlyForm(ActionForm):
    note = _note()
    func = None

    def call(self, d, version):
        return type(self).func(self.case, actor=self.user, note=d["note"], expected_version=version)


class ReportBackForm(NoteOnlyForm):
    action = Action.REPORT_BACK
    primary = True
    func = staticmethod(actions.do_report_back)


class ConfirmClosureForm(NoteOnlyForm):
    action = Action.CONFIRM_CLOSURE
    primary = True
    func = staticmethod(actions.do_confirm_closure)


class CloseForm(NoteOnlyForm):
    action = Action.CLOSE
    primary = True
    func = staticmethod(actions.do_close)


class FinalizeForm(NoteOnlyForm):
    action = Action.FINALIZE
    func = staticmethod(actions.do_finalize)


class SendBackForm(ActionForm):
    action = Action.SEND_BACK
    reason = _note("补办要求", required=True)

    def call(self, d, version):
        return actions.do_send_back(self.case, actor=self.user, reason=d["reason"], expected_version=version)


class RequestReviewForm(ActionForm):
    action = Action.REQUEST_REVIEW
    received_on = forms.DateField(label="收到申请日期", widget=DATE)
    note = _note("申请事项")

    def setup(self):
        self.fields["received_on"].initial = clock.today()

    def call(self, d, version):
        return actions.do_request_review(
            self.case, actor=self.user, received_on=d["received_on"], note=d["note"], expected_version=version
        )


class RequestReexamForm(RequestReviewForm):
    action = Action.REQUEST_REEXAM

    def call(self, d, version):
        return actions.do_request_reexam(
            self.case, actor=self.user, received_on=d["received_on"], note=d["note"], expected_version=version
        )


class ReviewForm(ActionForm):
    action = Action.REVIEW
    primary = True
    decision = forms.ChoiceField(label="结论", choices=[("", "—— 请选择 ——")] + ReviewDecision.choices)
    reasons = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 5}))

    def call(self, d, version):
        return actions.do_review(self.case, actor=self.user, expected_version=version, **d)


class ReexamineForm(ReviewForm):
    action = Action.REEXAMINE

    def call(self, d, version):
        return actions.do_reexamine(self.case, actor=self.user, expected_version=version, **d)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    f.action: f
    for f in (
        ForwardForm,
        AssignForm,
        MergeForm,
        SignForForm,
        ReturnForm,
        AcceptForm,
        DeclineForm,
        RedirectForm,
        AssignHandlerForm,
        RecordStepForm,
        CoReportForm,
        RequestExtensionForm,
        ApproveExtensionForm,
        RejectExtensionForm,
        StartHearingForm,
        EndHearingForm,
        DraftReplyForm,
        ReplyForm,
        RecordDeliveryForm,
        EvaluateForm,
        ReportBackForm,
        ConfirmClosureForm,
        SendBackForm,
        CloseForm,
        RequestReviewForm,
        ReviewForm,
        RequestReexamForm,
        ReexamineForm,
        FinalizeForm,
    )
}
assert set(ACTION_FORMS) == set(Action) - RECORD_ONLY_ACTIONS, "every action needs a form"
