"""The portal's forms: writing a letter (我要写信), signing in to track it, and acting on the case."""

from __future__ import annotations

from django import forms
from django.contrib.auth.hashers import make_password

from xinfang.cases.attachments import ACCEPT, max_mb, sniff_all
from xinfang.cases.forms_register import SUMMARY_LIMIT
from xinfang.cases.inputs import TEXT_MAX
from xinfang.cases.models import Category
from xinfang.cases.states import Evaluation, Kind
from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.portal.models import Mailbox

# One line each, in plain words, under the choice.
KIND_HELP = {
    Kind.SUGGESTION: "对政府和部门的工作提出建议、意见或批评",
    Kind.ACCUSATION: "检举、揭发、控告工作人员或单位的违法违纪行为",
    Kind.CLAIM: "自己的合法权益受到侵害，请求有关机关解决",
}
PASSWORD_MIN = 8
MOBILE_REQUIRED = "请填写手机号码（11位），用于接收验证码和办理告知"
ACCUSED_REQUIRED = "检举控告的，请填写被反映人或单位"


def category_choices() -> list:
    """The dictionary's second-level categories grouped by the first level (only active ones)."""
    groups: dict = {}
    for c in (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort", "parent__code", "sort", "code")
    ):
        parent = c.parent
        if parent is not None:  # filtered above; for the type checker
            groups.setdefault(parent.name, []).append((c.pk, c.name))
    return [("", "请选择")] + list(groups.items())


def mobile(raw: str) -> str:
    """A mainland mobile number, normalised; raises ValidationError with the field's message."""
    try:
        number = normalize_phone(raw or "")
    except PhoneError as exc:
        raise forms.ValidationError(MOBILE_REQUIRED if exc.code == "empty" else str(exc)) from None
    if number.kind != "mobile":
        raise forms.ValidationError("请填写手机号码（11位），座机无法接收验证码")
    return number.number


class SubmissionForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(
        label="身份证号码",
        max_length=30,
        help_text="18位，最后一位可以是X；也可填15位旧号码",
        error_messages={"required": "请填写身份证号码"},
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": MOBILE_REQUIRED},
    )
    sms_code = forms.CharField(
        label="短信验证码",
        max_length=10,
        required=False,
        help_text="先点“获取验证码”，再填写收到的6位数字",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    address = forms.CharField(label="住址", max_length=200, required=False, help_text="便于邮寄告知书")
    division_code = forms.RegexField(
        label="住址行政区划代码",
        regex=r"^(\d{6}|\d{9}|\d{12})$",
        required=False,
        help_text="知道的可以填写：6位（县）、9位（乡镇）或12位（村）",
        error_messages={"invalid": "区划代码应为6、9或12位数字"},
    )
    mailbox = forms.ModelChoiceField(
        label="写信给",
        queryset=Mailbox.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "请选择写信给谁", "invalid_choice": "请选择写信给谁"},
    )
    kind = forms.ChoiceField(
        label="信访类型",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择信访类型", "invalid_choice": "请选择信访类型"},
    )
    category = forms.TypedChoiceField(
        label="问题分类",
        coerce=int,
        empty_value=None,
        error_messages={"required": "请选择问题分类", "invalid_choice": "请选择问题分类"},
    )
    place_name = forms.CharField(
        label="问题发生地",
        max_length=100,
        help_text="如：清河县东岗镇前村",
        error_messages={"required": "请填写问题发生地"},
    )
    accused_name = forms.CharField(
        label="被反映人或单位",
        max_length=100,
        required=False,
        help_text="检举控告的必须填写；其他类型可不填",
    )
    title = forms.CharField(
        label="标题",
        max_length=SUMMARY_LIMIT,
        help_text="用一句话概括您反映的问题",
        error_messages={
            "required": "请填写标题",
            "max_length": "标题不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简",
        },
    )
    content = forms.CharField(
        label="信访内容",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="请写明事情经过、您的诉求和理由",
        error_messages={
            "required": "请填写信访内容",
            "max_length": "信访内容不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简",
        },
    )
    sms_consent = forms.BooleanField(
        label="同意通过短信接收受理、答复等办理告知",
        required=False,
        initial=True,
    )
    password1 = forms.CharField(
        label="设置查询密码",
        min_length=PASSWORD_MIN,
        max_length=64,
        strip=False,
        help_text=f"至少{PASSWORD_MIN}位，查询办理进度时和查询码一起使用",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请设置查询密码", "min_length": f"查询密码至少{PASSWORD_MIN}位"},
    )
    password2 = forms.CharField(
        label="再次输入查询密码",
        max_length=64,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入查询密码"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailboxes = Mailbox.objects.filter(is_active=True).select_related("org")
        self.fields["mailbox"].queryset = self.mailboxes  # type: ignore[attr-defined]
        self.fields["mailbox"].label_from_instance = lambda m: m.name
        self.fields["category"].choices = category_choices()

    def kind_options(self) -> list[dict]:
        """The kind radio buttons with their one-line explanation (the template lays them out)."""
        return [{"widget": w, "help": KIND_HELP.get(w.data["value"], "")} for w in self["kind"]]

    def mailbox_options(self) -> list[dict]:
        described = {str(m.pk): m.description for m in self.mailboxes}
        return [{"widget": w, "help": described.get(str(w.data["value"]), "")} for w in self["mailbox"]]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("请填写姓名")
        return name

    def clean_id_number(self):
        try:
            return normalize_id_number(self.cleaned_data["id_number"])
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_phone(self):
        return mobile(self.cleaned_data["phone"])

    def clean_category(self):
        pk = self.cleaned_data["category"]
        category = Category.objects.filter(pk=pk, is_active=True, parent__isnull=False).first()
        if category is None:
            raise forms.ValidationError("请选择问题分类")
        return category

    def clean_content(self):
        content = self.cleaned_data["content"]
        if not content.strip():
            raise forms.ValidationError("请填写信访内容")
        return content

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.ACCUSATION and not (data.get("accused_name") or "").strip():
            self.add_error("accused_name", ACCUSED_REQUIRED)
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 is not None and p1 != p2:
            self.add_error("password2", "两次输入的查询密码不一致")
        return data

    def password_hash(self) -> str:
        return make_password(self.cleaned_data["password1"])


class TrackLoginForm(forms.Form):
    query_code = forms.CharField(
        label="查询码",
        max_length=60,
        help_text="提交时页面上显示、并用短信发给您的查询码",
        error_messages={"required": "请填写查询码"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    password = forms.CharField(
        label="查询密码",
        max_length=64,
        strip=False,
        error_messages={"required": "请填写查询密码"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class IdentityTrackForm(forms.Form):
    """查询办理进度 by the writer's ID number and the mobile number the letter was confirmed with."""

    id_number = SubmissionForm.base_fields["id_number"]
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="写信时验证过的手机号码",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": MOBILE_REQUIRED},
    )
    sms_code = SubmissionForm.base_fields["sms_code"]

    clean_id_number = SubmissionForm.clean_id_number
    clean_phone = SubmissionForm.clean_phone


# --- acting on the case page (补充材料, 评价, 复查/复核) ------------------------------------------
# The API (xinfang.portal.api) calls xinfang.portal.acting directly and keeps acting's own checks
# and messages; these forms add what a page needs on top: each error at its field, the input kept.

MATERIALS_MAX = 5000
COMMENT_MAX = 500
REASONS_MAX = 5000
MATERIALS_EMPTY = "请填写补充的内容或选择要上传的文件"
EVALUATION_EMPTY = "请选择评价结果"
REASONS_EMPTY = "请写明申请的理由"


def too_long(what: str) -> str:
    return what + "不能超过 %(limit_value)d 字（现为 %(show_value)d 字），请精简"


class CaseActionForm(forms.Form):
    """A form on the case page; several share the page, so each has its own ids (``auto_id``)."""

    @property
    def errors_id(self) -> str:
        """The id of the form's error summary, which the page's top message links to."""
        return str(self.auto_id) % "errors"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files from one picker, checked by their bytes as the staff's uploads are
    (cases.attachments: type sniffing and the size limit); cleans to the list of uploads."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        _sniffed, errors = sniff_all(files)
        if errors:
            # One message (one error id for aria-describedby), every refused file named in it.
            raise forms.ValidationError("；".join(errors), code="type")
        return files


class MaterialsForm(CaseActionForm):
    """补充材料: written materials, files, or both."""

    text = forms.CharField(
        label="补充的内容",
        required=False,  # either this or a file: checked in clean()
        strip=False,
        max_length=MATERIALS_MAX,
        help_text="新的情况、事实或证据说明；可以只上传文件",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": too_long("补充的内容")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "materials_%s")
        super().__init__(*args, **kwargs)
        # Added here, not declared: a field named "files" (the name the page has always posted)
        # would shadow the form's own ``files`` (the uploads) for the type checker.
        self.fields["files"] = AttachmentsField(
            label="文件（选填）",
            required=False,
            help_text=f"图片、PDF 或 Word 文件，每个不超过{max_mb()}MB",
            widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        )

    def clean(self):
        data = super().clean()
        if "text" in data and "files" in data and not data["text"].strip() and not data["files"]:
            self.add_error("text", MATERIALS_EMPTY)
        return data

    @property
    def files_to_choose_again(self) -> bool:
        """Refused for another reason, the files that passed are not kept: a browser cannot refill a picker."""
        return self.is_bound and bool(self.errors) and "files" not in self.errors and bool(self.files.getlist("files"))


class EvaluateForm(CaseActionForm):
    evaluation = forms.ChoiceField(
        label="您对处理意见是否满意",
        choices=Evaluation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": EVALUATION_EMPTY, "invalid_choice": EVALUATION_EMPTY},
    )
    comment = forms.CharField(
        label="意见和建议（选填）",
        required=False,
        strip=False,  # passed to the action as typed, as before
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": too_long("意见和建议")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "evaluate_%s")
        super().__init__(*args, **kwargs)


class AskForm(CaseActionForm):
    """复查 or 复核: the reasons (the body and the window come from the case)."""

    reasons = forms.CharField(
        max_length=REASONS_MAX,
        help_text="请写明您不服的理由和请求",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": REASONS_EMPTY},
    )

    def __init__(self, *args, slug: str, label: str, **kwargs):
        # Each request has its own form on the page: ids per slug keep them apart.
        kwargs.setdefault("auto_id", f"{slug}_%s")
        super().__init__(*args, **kwargs)
        self.slug = slug
        self.fields["reasons"].label = f"申请{label}的理由"
        self.fields["reasons"].error_messages["max_length"] = too_long(f"申请{label}的理由")
