"""Forms of the registration screen (登记): the case, and the inline quick-create of a petitioner."""

from datetime import timedelta

from django import forms
from django.forms.utils import ErrorDict

from xinfang.cases.attachments import sniff_all
from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Importance, Kind, Urgency
from xinfang.cases.widgets import DATETIME, OrgChoice, category_choices
from xinfang.core import clock
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.orgs.models import Org
from xinfang.petitioners import crypto


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RegistrationForm(forms.Form):
    channel = forms.ChoiceField(label="来源渠道", choices=Channel.choices, initial=Channel.VISIT)
    received_at = forms.DateTimeField(label="收件时间", widget=DATETIME)
    kind = forms.ChoiceField(label="信访性质", choices=Kind.choices, initial=Kind.CLAIM)
    category = forms.TypedChoiceField(label="内容分类", coerce=int, empty_value=None)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    importance = forms.ChoiceField(label="重要程度", choices=Importance.choices, initial=Importance.NORMAL)
    person_count = forms.IntegerField(label="人数", min_value=1, initial=1)
    place_code = forms.RegexField(
        label="问题属地区划代码",
        regex=r"^(\d{6}|\d{9}|\d{12})$",
        required=False,
        error_messages={"invalid": "区划代码应为6、9或12位数字"},
    )
    place_name = forms.CharField(label="问题属地", max_length=100, required=False)
    summary = forms.CharField(label="内容摘要", max_length=200)
    content = forms.CharField(label="信访内容", widget=forms.Textarea(attrs={"rows": 8}))
    referring_org = OrgChoice(label="交办上级", queryset=Org.objects.none(), required=False, empty_label="—— 请选择 ——")
    referring_ref = forms.CharField(label="上级交办文号", max_length=60, required=False)
    leader_instruction = forms.CharField(label="领导批示", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accused_name = forms.CharField(label="被反映人或单位", max_length=100, required=False)
    accused_org = OrgChoice(
        label="被反映单位（本系统机构）", queryset=Org.objects.none(), required=False, empty_label="—— 不在本系统 ——"
    )
    attachments = MultipleFileField(label="附件（可多选）", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].choices = category_choices()
        self.fields["received_at"].initial = clock.localtime().replace(second=0, microsecond=0)
        org = user.org
        higher = Org.objects.none()
        if org is not None:
            higher = org.ancestors().filter(is_active=True)
        self.fields["referring_org"].queryset = higher | Org.objects.filter(
            parent__in=org.ancestors() if org else [], kind="petition_bureau"
        ).exclude(pk=getattr(org, "pk", None))
        root = org.parent if org and org.parent_id else org
        self.fields["accused_org"].queryset = root.subtree().filter(is_active=True) if root else Org.objects.none()

    def hide_errors(self):
        """Keep what was typed but show no errors (steps that do not register: 查找, 选择, 新建)."""
        self._errors = ErrorDict()

    def clean_category(self):
        value = self.cleaned_data["category"]
        if value is None:
            raise forms.ValidationError("请选择内容分类")
        category = Category.objects.filter(pk=value, is_active=True).first()
        if category is None:
            raise forms.ValidationError("内容分类无效")
        return category

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        self.sniffed, errors = sniff_all(files)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        d = super().clean()
        if d.get("channel") == Channel.REFERRED and not d.get("referring_org"):
            self.add_error("referring_org", "上级交办件须选择交办上级")
        if d.get("kind") == Kind.ACCUSATION and not (d.get("accused_name") or d.get("accused_org")):
            self.add_error("accused_name", "检举控告类须填写被反映人或单位")
        received = d.get("received_at")
        if received and received > clock.now() + timedelta(minutes=5):
            self.add_error("received_at", "收件时间不能晚于当前时间")
        return d


class QuickPetitionerForm(forms.Form):
    """Inline quick-create of a person petitioner on the registration screen."""

    new_name = forms.CharField(label="姓名", max_length=100)
    new_id_number = forms.CharField(label="身份证号码", max_length=30, required=False)
    new_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    new_address = forms.CharField(label="住址", max_length=200, required=False)

    def __init__(self, *args, duplicate_finder=None, **kwargs):
        """``duplicate_finder(id_hash)`` returns a petitioner this user can see
        who already has the number (as on /petitioners/new/), or None."""
        super().__init__(*args, **kwargs)
        self.duplicate_finder = duplicate_finder
        self.duplicate = None

    @classmethod
    def typed(cls, data, **kwargs):
        """Unbound (no errors), showing what was typed into the section during another step."""
        values = {name: data.get(name, "") for name in cls.base_fields if data.get(name, "").strip()}
        form = cls(initial=values, **kwargs)
        form.has_typed = bool(values)
        return form

    has_typed = False

    @property
    def open(self) -> bool:
        return self.is_bound or self.has_typed

    def clean_new_id_number(self):
        raw = self.cleaned_data["new_id_number"]
        if not raw.strip():
            return ""
        try:
            number = normalize_id_number(raw)  # the 15-digit form becomes the 18-digit one
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if self.duplicate_finder is not None:
            self.duplicate = self.duplicate_finder(crypto.hash_value(number))
            if self.duplicate is not None:
                raise forms.ValidationError(
                    f"该身份证号码已登记为信访人“{self.duplicate.name}”，请直接选择，勿重复登记", code="duplicate"
                )
        return number
