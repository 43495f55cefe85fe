"""导出台账: the form (layout, period, unit, date format, personal data) and the streamed download.

GET shows the form; POST makes the file, logs it in the security audit log (as the statistics exports
are, and a reveal as well when full personal data goes out) and streams it from a temporary file. A
layout of another org, or a unit outside the viewer's tree and scope, is a 404 like a missing one.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xinfang.core import clock
from xinfang.ledgers import export as ex
from xinfang.ledgers.models import LedgerLayout
from xinfang.orgs.audit import record
from xinfang.orgs.models import PATH_STEP, AuditAction, Org, Role
from xinfang.stats import ledger as stats_ledger
from xinfang.stats import table as stats_table
from xinfang.stats.periods import FIRST_DAY, LAST_DAY, Period, PeriodError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_ALLOWED = "只有登记员、受理交办员、统计员、领导、督查员和单位负责人可以导出台账"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def may_export(user) -> bool:
    """Those who keep the ledgers (the import's clerks) and those who may export the statistics ledger."""
    if not (user.is_authenticated and user.org_id):
        return False
    return user.has_role(Role.REGISTRAR, Role.PETITION_OFFICER) or stats_ledger.may_export(user)


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DATE,
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}无效，请按 2024-03-15 的格式填写",
        },
    )


class ExportForm(forms.Form):
    layout = forms.CharField(label="台账格式", required=False, widget=forms.Select)
    start = _date("开始日期")
    end = _date("结束日期")
    unit = forms.CharField(label="单位", required=False, widget=forms.Select)
    date_format = forms.ChoiceField(label="日期写法", choices=list(ex.DATE_FORMATS.items()), initial=ex.CELL)
    personal = forms.BooleanField(label="含完整个人信息（姓名、身份证号、联系电话）", required=False)
    reason = forms.CharField(label="导出完整个人信息的理由", max_length=200, required=False)

    def __init__(self, data=None, *, user, root: Org):
        super().__init__(data)
        self.user = user
        today = clock.today()
        self.fields["start"].initial = date(today.year, 1, 1)
        self.fields["end"].initial = today
        layouts = LedgerLayout.objects.filter(org_id=user.org_id).order_by("name").values_list("pk", "name")
        self.fields["layout"].widget.choices = [("", "默认格式（系统表头）")] + [(str(pk), n) for pk, n in layouts]
        units = Org.objects.filter(path__startswith=root.path, is_active=True).order_by("path")
        self.fields["unit"].widget.choices = [
            (str(o.pk), "　" * ((len(o.path) - len(root.path)) // PATH_STEP) + o.name)
            for o in units.only("pk", "name", "path")
        ]
        self.fields["unit"].initial = str(root.pk)
        if not user.can_reveal_pii():
            del self.fields["personal"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "结束日期不能早于开始日期")
            elif start < FIRST_DAY or end > LAST_DAY:
                self.add_error("start", "登记日期须在1900-01-01至2099-12-31之间")
            else:
                try:
                    data["period"] = Period.range(start, end)
                except PeriodError as refused:
                    self.add_error("end", str(refused))
        if data.get("personal") and not (data.get("reason") or "").strip():
            self.add_error("reason", "导出完整个人信息须填写理由")
        return data


def _id(raw: str) -> int | None:
    """A posted id: empty is None; anything that is not an id is a 404, as an id nobody may see."""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


def _layout(user, raw: str) -> LedgerLayout | None:
    pk = _id(raw)
    if pk is None:
        return None
    try:
        return LedgerLayout.objects.get(pk=pk, org_id=user.org_id)
    except LedgerLayout.DoesNotExist:
        raise Http404 from None


@never_cache
@require_http_methods(["GET", "POST"])
def export_page(request):
    user = request.user
    if not may_export(user):
        raise PermissionDenied(NOT_ALLOWED)
    root = stats_table.root_for(user)
    if request.method == "GET":
        return render(request, "ledgers/export.html", {"form": ExportForm(user=user, root=root), "root": root})
    form = ExportForm(request.POST, user=user, root=root)
    # What the viewer may not reach is a 404 whatever else is wrong with the form.
    layout = _layout(user, request.POST.get("layout", ""))
    unit = stats_table.org_for(user, _id(request.POST.get("unit", "")))
    if not form.is_valid():
        return render(request, "ledgers/export.html", {"form": form, "root": root}, status=400)
    asked = ex.Asked(
        layout=layout,
        period=form.cleaned_data["period"],
        unit=unit,
        top=unit.pk == root.pk,
        date_format=form.cleaned_data["date_format"],
        personal=bool(form.cleaned_data.get("personal")),
    )
    today = clock.today()
    made = ex.export(user, asked, today=today)
    record(
        AuditAction.STATS_EXPORT,
        request=request,
        target="导出台账（XLSX）",
        detail=f"{made.count}件；{asked.conditions}",
    )
    if asked.personal:
        record(
            AuditAction.REVEAL,
            request=request,
            target="导出台账：完整姓名、身份证号码和联系电话",
            detail=f"{made.count}件；{asked.conditions}",
            reason=form.cleaned_data["reason"].strip(),
        )
    p = asked.period
    name = f"{unit.name}台账-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    ascii_name = f"xinfang-ledger-{unit.pk}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    response = FileResponse(made.file, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
