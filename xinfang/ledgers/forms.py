"""The upload, column mapping and value mapping forms of the ledger import."""

from __future__ import annotations

from django import forms

from xinfang.cases.models import Category
from xinfang.cases.states import Channel
from xinfang.ledgers import fields as F
from xinfang.ledgers.models import LedgerLayout
from xinfang.orgs.models import Org

MAX_UPLOAD = 50 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件（XLSX 或 CSV）", allow_empty_file=True)
    layout = forms.ModelChoiceField(
        label="台账格式", queryset=LedgerLayout.objects.none(), required=False, empty_label="按默认表头对应"
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].queryset = LedgerLayout.objects.filter(org=org).order_by("name")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过50MB")
        return f


class ColumnsForm(forms.Form):
    name = forms.CharField(label="保存为格式", max_length=60, initial="默认格式")

    def __init__(self, *args, headers, columns, layout, **kwargs):
        super().__init__(*args, **kwargs)
        if layout is not None:
            self.fields["name"].initial = layout.name
        choices = [("", "（无此列）")] + [(h, h) for h in headers if h]
        for f in F.FIELDS:
            initial = columns.get(f.key) if columns.get(f.key) in headers else ""
            self.fields[f"col_{f.key}"] = forms.ChoiceField(
                label=f.label + ("（必填）" if f.required else ""),
                choices=choices,
                required=f.required,
                initial=initial,
            )

    def columns(self) -> dict[str, str]:
        return {f.key: self.cleaned_data[f"col_{f.key}"] for f in F.FIELDS if self.cleaned_data.get(f"col_{f.key}")}


class ValuesForm(forms.Form):
    """One choice per ledger text nothing matched: the clerk says what it is."""

    def __init__(self, *args, unmatched: dict[str, list[str]], org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        options = {
            F.CATEGORY: [
                (c.code, f"{c.code} {c.name}") for c in Category.objects.filter(is_active=True, parent__isnull=False)
            ],
            F.UNIT: [
                (str(o.pk), o.name)
                for o in Org.objects.filter(division_code__startswith=org.division_code[:6], is_active=True)
            ],
            F.CHANNEL: [c for c in Channel.choices if c[0] != Channel.REFERRED],
        }
        self.keys: list[tuple[str, str, str]] = []
        for kind, texts in unmatched.items():
            for i, text in enumerate(texts):
                name = f"{kind}_{i}"
                self.keys.append((name, kind, text))
                self.fields[name] = forms.ChoiceField(
                    label=f"{F.MAPPED[kind]}“{text}”", choices=[("", "（暂不对应）")] + options[kind], required=False
                )

    def chosen(self):
        for name, kind, text in self.keys:
            if self.cleaned_data.get(name):
                yield kind, text, self.cleaned_data[name]
