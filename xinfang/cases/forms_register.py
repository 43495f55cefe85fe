"""Forms of the registration screen (登记): the case, and the inline quick-create of a petitioner."""

import json
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.db.models import Exists, OuterRef
from django.forms.utils import ErrorDict

from xinfang.cases.attachments import sniff_all
from xinfang.cases.inputs import TEXT_MAX
from xinfang.cases.models import Category
from xinfang.cases.states import Channel, Importance, Kind, Urgency
from xinfang.cases.widgets import DATETIME, OrgChoice, category_choices
from xinfang.core import clock
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.masking import mask_id_number, mask_phone
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.orgs.models import PATH_STEP, Org
from xinfang.petitioners import crypto
from xinfang.petitioners.access import RegisteredMatch
from xinfang.petitioners.services import match_id_number

SUMMARY_LIMIT = 200  # Case.summary's max_length
TOO_LONG = "不能超过 %(limit_value)d 个字（现为 %(show_value)d 个），请精简"


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


class CategoryField(forms.TypedChoiceField):
    """The category select: its options are read only to render it; a submitted value is
    checked against the table by ``clean_category`` (one query, not two)."""

    def valid_value(self, value):
        return True


class RegistrationForm(forms.Form):
    channel = forms.ChoiceField(label="来源渠道", choices=Channel.choices, initial=Channel.VISIT)
    received_at = forms.DateTimeField(
        label="收件时间",
        widget=DATETIME,
        error_messages={"required": "请填写收件时间", "invalid": "收件时间格式不正确，请选择日期和时间"},
    )
    kind = forms.ChoiceField(label="信访性质", choices=Kind.choices, initial=Kind.CLAIM)
    category = CategoryField(
        label="内容分类", coerce=int, empty_value=None, error_messages={"required": "请选择内容分类"}
    )
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    importance = forms.ChoiceField(label="重要程度", choices=Importance.choices, initial=Importance.NORMAL)
    person_count = forms.IntegerField(
        label="人数",
        min_value=1,
        initial=1,
        error_messages={"required": "请填写人数", "invalid": "人数应为整数", "min_value": "人数至少为 1"},
    )
    place_code = forms.RegexField(
        label="问题属地区划代码",
        regex=r"^(\d{6}|\d{9}|\d{12})$",
        required=False,
        error_messages={"invalid": "区划代码应为6、9或12位数字"},
    )
    place_name = forms.CharField(label="问题属地", max_length=100, required=False)
    summary = forms.CharField(
        label="内容摘要",
        max_length=SUMMARY_LIMIT,
        error_messages={
            "required": "请填写内容摘要",
            "max_length": "内容摘要不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简",
        },
    )
    content = forms.CharField(
        label="信访内容",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "请填写信访内容",
            "max_length": "信访内容不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简",
        },
    )
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
        _no_silent_cut(self)
        # A live count under the field (app.js), since nothing cuts the text any more.
        self.fields["summary"].widget.attrs.update(
            {
                "data-char-limit": str(SUMMARY_LIMIT),
                "data-char-counter": "summary-count",
                "aria-describedby": "summary-count",
            }
        )
        self.fields["category"].choices = category_choices  # called when the select is rendered
        self.fields["received_at"].initial = clock.localtime().replace(second=0, microsecond=0)
        org = user.org
        higher = Org.objects.none()
        if org is not None:
            higher = org.ancestors().filter(is_active=True)
        self.fields["referring_org"].queryset = higher | Org.objects.filter(
            parent__in=org.ancestors() if org else [], kind="petition_bureau"
        ).exclude(pk=getattr(org, "pk", None))
        # The parent's subtree, from the org's own path (the parent's path is its prefix): no read of the parent.
        root_path = (org.path[:-PATH_STEP] if org.parent_id else org.path) if org else None
        self.fields["accused_org"].queryset = (
            Org.objects.filter(path__startswith=root_path, is_active=True) if root_path else Org.objects.none()
        )

    def hide_errors(self):
        """Keep what was typed but show no errors (steps that do not register: 查找, 选择, 新建)."""
        self._errors = ErrorDict()

    def clean_category(self):
        value = self.cleaned_data["category"]
        if value is None:
            raise forms.ValidationError("请选择内容分类")
        # What the select offers (widgets.category_choices): an active second-level category of
        # an active first level, or an active first level without active children.
        category = (
            Category.objects.filter(pk=value, is_active=True)
            .select_related("parent")
            .annotate(open_children=Exists(Category.objects.filter(parent=OuterRef("pk"), is_active=True)))
            .first()
        )
        parent = category.parent if category is not None else None
        offered = category is not None and (
            (parent is None and not category.open_children)
            or (parent is not None and parent.is_active and parent.parent_id is None)
        )
        if not offered:
            field = self.fields["category"]
            raise forms.ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
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


def _no_silent_cut(form: forms.Form) -> None:
    """Drop the browser's maxlength (it cuts what was typed without a word); refuse at the field instead."""
    for field in form.fields.values():
        if getattr(field, "max_length", None):
            field.widget.attrs.pop("maxlength", None)
            field.error_messages.setdefault(
                "max_length", "不能超过 %(limit_value)d 个字（现为 %(show_value)d 个），请精简"
            )


class QuickPetitionerForm(forms.Form):
    """Inline quick-create of a person petitioner on the registration screen.

    Nothing is saved when it validates: the person joins the chosen
    petitioners as a ``PendingPetitioner`` carried in the form, and is
    created (or, when the ID number is already registered in the clerk's
    jurisdiction, the existing record used) only when the case is registered,
    in the same transaction. Every field is checked in one submit.
    """

    new_name = forms.CharField(label="姓名", max_length=100, error_messages={"required": "请填写信访人姓名"})
    new_id_number = forms.CharField(label="身份证号码", max_length=30, required=False)
    new_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    new_address = forms.CharField(label="住址", max_length=200, required=False)

    def __init__(self, *args, user=None, taken=(), **kwargs):
        """``user`` is the clerk (for the look-up of an already registered ID
        number); ``taken`` holds the ID number hashes already pending."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.taken = set(taken)
        self.duplicate = None  # registered, and the clerk may see it: choose it instead
        self.match = None  # registered elsewhere in the jurisdiction: it will be used
        _no_silent_cut(self)
        for name in ("new_id_number", "new_phone"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["new_phone"].widget.input_type = "tel"
        # The visible label carries a red * for "required"; the name read out stays
        # the plain label, and the required attribute announces the rest.
        self.fields["new_name"].widget.attrs["aria-label"] = self.fields["new_name"].label

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

    def clean_new_name(self):
        name = " ".join(self.cleaned_data["new_name"].split())
        if not name:
            raise forms.ValidationError("请填写信访人姓名", code="required")
        return name

    def clean_new_id_number(self):
        raw = self.cleaned_data["new_id_number"]
        if not raw.strip():
            return ""
        try:
            number = normalize_id_number(raw)  # the 15-digit form becomes the 18-digit one
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if crypto.hash_value(number) in self.taken:
            raise forms.ValidationError("已加入相同身份证号码的信访人，请勿重复加入", code="duplicate")
        match = match_id_number(self.user, number) if self.user is not None else None
        if match is not None and match.visible:
            self.duplicate = match.petitioner
            raise forms.ValidationError(
                f"该身份证号码已登记为信访人“{self.duplicate.name}”，请直接选择，勿重复登记", code="duplicate"
            )
        self.match = match
        return number

    def clean_new_phone(self):
        raw = self.cleaned_data["new_phone"]
        if not raw.strip():
            return ""
        try:
            return normalize_phone(raw).number
        except PhoneError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_new_address(self):
        return self.cleaned_data["new_address"].strip()

    def pending(self, key: str) -> "PendingPetitioner":
        d = self.cleaned_data
        return PendingPetitioner(key, d["new_name"], d["new_id_number"], d["new_phone"], d["new_address"], self.match)


@dataclass
class PendingPetitioner:
    """A person added with 新建并选择, saved only with the case (see QuickPetitionerForm).

    Carried between steps as JSON in a hidden ``new_petitioner`` input, with
    normalised values; read back with ``from_post``, which checks them again,
    so an edited value is dropped rather than trusted.
    """

    key: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    match: RegisteredMatch | None = None

    def as_json(self) -> str:
        return json.dumps(
            {"key": self.key, "name": self.name, "id": self.id_number, "phone": self.phone, "address": self.address},
            ensure_ascii=False,
        )

    @classmethod
    def from_post(cls, post, user) -> list["PendingPetitioner"]:
        out: list[PendingPetitioner] = []
        for raw in post.getlist("new_petitioner"):
            try:
                d = json.loads(raw)
                key, name = str(d["key"]), " ".join(str(d["name"]).split())[:100]
                number = normalize_id_number(d["id"]) if d.get("id") else ""
                phone = normalize_phone(d["phone"]).number if d.get("phone") else ""
                address = str(d.get("address") or "").strip()[:200]
            except (ValueError, TypeError, KeyError, AttributeError, IdNumberError, PhoneError):
                continue
            if not (key.isalnum() and name) or any(p.key == key for p in out):
                continue
            out.append(cls(key, name, number, phone, address, match_id_number(user, number) if number else None))
        return out

    @property
    def rep_value(self) -> str:
        return f"new-{self.key}"

    @property
    def id_hash(self) -> str:
        return crypto.hash_value(self.id_number)

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        """The name shown: the typed one for a new record; the existing record's, masked when not visible."""
        if self.match is None:
            return self.name
        return self.match.petitioner.name if self.match.visible else self.match.masked_name
