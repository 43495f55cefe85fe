"""Forms for registering petitioners and revealing their data.

Identifier checks come from ``xinfang.core`` so the form, the live htmx
check and the (later) API give the same Chinese messages. Errors are
attached to the field that caused them; the bound form is re-rendered, so
nothing the registrar typed is lost.
"""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse

from xinfang.core.idnumbers import IdNumberError, normalize_id_number
from xinfang.core.phones import PhoneError, normalize_phone
from xinfang.core.uscc import UsccError, validate_uscc
from xinfang.petitioners import crypto
from xinfang.petitioners.models import PetitionerKind

PHONE_FIELDS = ("phone_1", "phone_2", "phone_3")
TOO_LONG = "不能超过 %(limit_value)d 个字（现为 %(show_value)d 个）"


def refuse_rather_than_cut(form: forms.Form) -> None:
    """Drop the browser's maxlength, which cuts what was typed without a word;
    the server refuses an over-long value at its field instead, keeping all of it."""
    for field in form.fields.values():
        if getattr(field, "max_length", None):
            field.widget.attrs.pop("maxlength", None)
            field.error_messages.setdefault("max_length", TOO_LONG)


_DIVISION_CODE = re.compile(r"\d{6}|\d{9}|\d{12}")


class PetitionerForm(forms.Form):
    kind = forms.ChoiceField(
        label="信访人类型",
        choices=PetitionerKind.choices,
        initial=PetitionerKind.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择信访人类型", "invalid_choice": "请选择信访人类型：个人或单位"},
    )
    name = forms.CharField(
        label="姓名/单位名称", max_length=100, error_messages={"required": "请填写信访人姓名或单位名称"}
    )
    id_number = forms.CharField(
        label="身份证号码",
        required=False,
        max_length=40,
        help_text="18 位，或 15 位旧号码（自动转换为 18 位）。信访人无法提供时可不填。",
    )
    phone_1 = forms.CharField(label="联系电话", required=False, max_length=30, help_text="手机号码或带区号的固定电话")
    phone_2 = forms.CharField(label="备用电话", required=False, max_length=30)
    phone_3 = forms.CharField(label="其他电话", required=False, max_length=30)
    address = forms.CharField(label="住址/单位地址", required=False, max_length=200)
    division_code = forms.CharField(
        label="住址行政区划代码",
        required=False,
        max_length=12,
        help_text="6 位（县级及以上）、9 位（乡镇、街道）或 12 位（村、社区），可不填",
    )
    uscc = forms.CharField(label="统一社会信用代码", required=False, max_length=40)
    legal_representative = forms.CharField(label="法定代表人/负责人", required=False, max_length=50)

    PERSON_ONLY = ("id_number",)
    ORGANISATION_ONLY = ("uscc", "legal_representative")

    def __init__(self, *args, duplicate_finder=None, **kwargs):
        """``duplicate_finder(id_hash)`` returns an already registered petitioner
        the user may see, or None; the form then refuses a second record."""
        super().__init__(*args, **kwargs)
        refuse_rather_than_cut(self)
        self.duplicate_finder = duplicate_finder
        self.duplicate = None
        self.warnings: dict[str, list[str]] = {}
        self.fields["id_number"].widget.attrs.update(
            {
                "autocomplete": "off",
                "inputmode": "text",
                "spellcheck": "false",
                # Live check as the registrar leaves the field (htmx, no script of ours).
                "hx-post": reverse("petitioners:validate_id"),
                "hx-trigger": "blur changed",
                "hx-target": "#id_number-check",
                "hx-swap": "innerHTML",
                "hx-params": "id_number",
                "aria-describedby": "id_id_number_helptext id_number-check",
            }
        )
        for name in PHONE_FIELDS:
            self.fields[name].widget.input_type = "tel"
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["uscc"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["division_code"].widget.attrs["inputmode"] = "numeric"

    @property
    def current_kind(self) -> str:
        value = self["kind"].value()
        return value if value in PetitionerKind.values else PetitionerKind.PERSON

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        if not raw.strip():
            return ""
        try:
            number = normalize_id_number(raw)
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if self.duplicate_finder is not None:
            self.duplicate = self.duplicate_finder(crypto.hash_value(number))
            if self.duplicate is not None:
                raise forms.ValidationError("该身份证号码已登记过信访人，请勿重复登记", code="duplicate")
        return number

    def _clean_phone(self, name):
        raw = self.cleaned_data[name]
        if not raw.strip():
            return ""
        try:
            return normalize_phone(raw).number
        except PhoneError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_phone_1(self):
        return self._clean_phone("phone_1")

    def clean_phone_2(self):
        return self._clean_phone("phone_2")

    def clean_phone_3(self):
        return self._clean_phone("phone_3")

    def clean_division_code(self):
        code = "".join(self.cleaned_data["division_code"].split())
        if code and not _DIVISION_CODE.fullmatch(code):
            raise forms.ValidationError("行政区划代码应为 6、9 或 12 位数字", code="invalid")
        return code

    def clean_uscc(self):
        raw = self.cleaned_data["uscc"]
        if not raw.strip():
            return ""
        try:
            result = validate_uscc(raw)
        except UsccError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if result.warnings:
            # A checksum failure does not block saving (DESIGN §5): the
            # registrar sees the warning, the record keeps a flag.
            self.warnings["uscc"] = list(result.warnings)
        return result.code

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        # Fields of the other kind are refused rather than silently dropped,
        # so nothing typed disappears without the registrar knowing.
        if kind == PetitionerKind.ORGANISATION:
            if data.get("id_number") or self.errors.get("id_number"):
                self.add_error("id_number", "单位信访人不填写身份证号码；如需登记其联系人，请另行登记个人信访人")
        elif kind == PetitionerKind.PERSON:
            for name in self.ORGANISATION_ONLY:
                if data.get(name) or self.errors.get(name):
                    self.add_error(name, "个人信访人不填写此项；如为单位来访，请将类型选为“单位”")
        seen = set()
        for name in PHONE_FIELDS:
            number = data.get(name)
            if number and number in seen:
                self.add_error(name, "该号码与上面的号码重复")
            elif number:
                seen.add(number)
        return data

    def phones(self) -> list[str]:
        return [self.cleaned_data[name] for name in PHONE_FIELDS if self.cleaned_data.get(name)]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看事由",
        max_length=200,
        error_messages={"required": "请填写查看完整信息的事由"},
        help_text="将记入安全审计日志，例如：电话回访核实身份、出具书面告知书",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_rather_than_cut(self)
        self.fields["reason"].widget.attrs.update({"list": "reveal-reasons", "autocomplete": "off"})

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("请填写查看完整信息的事由", code="required")
        return reason


ADDED_PHONE_FIELDS = ("add_phone_1", "add_phone_2")


class ContactForm(forms.Form):
    """Correct a petitioner's address and phone numbers (住址、联系电话).

    Stored numbers are never shown in full here: each is listed masked, with
    a field to type its replacement and a box to delete it. Fields are built
    per stored number (``phone_<pk>`` and ``remove_<pk>``).
    """

    address = forms.CharField(label="住址/单位地址", required=False, max_length=200)
    division_code = forms.CharField(
        label="住址行政区划代码",
        required=False,
        max_length=12,
        help_text="6 位（县级及以上）、9 位（乡镇、街道）或 12 位（村、社区），可不填",
    )
    add_phone_1 = forms.CharField(label="新增电话", required=False, max_length=30)
    add_phone_2 = forms.CharField(label="再新增一个电话", required=False, max_length=30)
    reason = forms.CharField(
        label="更正说明",
        required=False,
        max_length=200,
        help_text="可不填，例如：信访人来电告知新号码。与更正前后的内容一并记入安全审计日志",
    )

    def __init__(self, *args, phones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.phones = list(phones)
        for phone in self.phones:
            self.fields[f"phone_{phone.pk}"] = forms.CharField(
                label=f"将 {phone.masked} 改为", required=False, max_length=30, help_text="不改请留空"
            )
            self.fields[f"remove_{phone.pk}"] = forms.BooleanField(label=f"删除 {phone.masked}", required=False)
        for name, field in self.fields.items():
            if name.startswith("phone_") or name in ADDED_PHONE_FIELDS:
                field.widget.input_type = "tel"
                field.widget.attrs["autocomplete"] = "off"
        refuse_rather_than_cut(self)
        self.fields["division_code"].widget.attrs["inputmode"] = "numeric"

    def phone_rows(self):
        """(phone, replacement field, delete box) per stored number, for the template."""
        return [(phone, self[f"phone_{phone.pk}"], self[f"remove_{phone.pk}"]) for phone in self.phones]

    def clean_address(self):
        return self.cleaned_data["address"].strip()

    def clean_division_code(self):
        code = "".join(self.cleaned_data["division_code"].split())
        if code and not _DIVISION_CODE.fullmatch(code):
            raise forms.ValidationError("行政区划代码应为 6、9 或 12 位数字", code="invalid")
        return code

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())

    def clean(self):
        data = super().clean()
        # Every number typed is checked here at once, each error at its own field.
        typed: list[tuple[str, str]] = []
        for name in [f"phone_{p.pk}" for p in self.phones] + list(ADDED_PHONE_FIELDS):
            raw = data.get(name) or ""
            if not raw.strip():
                data[name] = ""
                continue
            try:
                data[name] = normalize_phone(raw).number
            except PhoneError as error:
                self.add_error(name, error.message)
                continue
            typed.append((name, data[name]))
        for phone in self.phones:
            if data.get(f"remove_{phone.pk}") and data.get(f"phone_{phone.pk}"):
                self.add_error(f"phone_{phone.pk}", "该号码已勾选删除，请不要同时填写新号码")
        # The numbers kept unchanged are known only by their hash.
        replaced = {name for name, _number in typed}
        seen = {
            p.number_hash for p in self.phones if not data.get(f"remove_{p.pk}") and f"phone_{p.pk}" not in replaced
        }
        for name, number in typed:
            digest = crypto.hash_value(number)
            if digest in seen:
                self.add_error(name, "该号码与信访人的其他号码重复")
            seen.add(digest)
        return data

    def replacements(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"phone_{p.pk}"] for p in self.phones if self.cleaned_data.get(f"phone_{p.pk}")}

    def removals(self) -> set[int]:
        return {p.pk for p in self.phones if self.cleaned_data.get(f"remove_{p.pk}")}

    def added(self) -> list[str]:
        return [self.cleaned_data[name] for name in ADDED_PHONE_FIELDS if self.cleaned_data.get(name)]
