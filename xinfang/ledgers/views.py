"""The ledger import screens: upload → columns → values → report → import → progress → result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.ledgers import fields as F
from xinfang.ledgers.forms import ColumnsForm, UploadForm, ValuesForm
from xinfang.ledgers.importer import layout_of, validate
from xinfang.ledgers.models import ImportedRow, ImportState, LedgerImport, LedgerLayout, ValueMapping
from xinfang.orgs.models import Role

RESULT_LIMIT = 200  # the result page links this many cases; the rest are in the case list


def _clerk(request):
    user = request.user
    if not (user.is_authenticated and user.has_role(Role.REGISTRAR, Role.PETITION_OFFICER) and user.org_id):
        raise PermissionDenied("只有登记员或受理交办员可以导入台账")
    return user


def _own(request, pk) -> LedgerImport:
    """The clerk's org's import; another org's is a 404 like a missing one."""
    user = _clerk(request)
    try:
        return LedgerImport.objects.select_related("layout", "org").get(pk=pk, org_id=user.org_id)
    except LedgerImport.DoesNotExist:
        raise Http404 from None


@never_cache
def imports(request):
    user = _clerk(request)
    form = UploadForm(request.POST or None, request.FILES or None, org=user.org)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        imp = LedgerImport.objects.create(
            org=user.org,
            created_by=user,
            filename=upload.name[:200],
            data=upload.read(),
            layout=form.cleaned_data["layout"],
        )
        validate(imp)
        return redirect("ledgers:detail", pk=imp.pk)
    recent = LedgerImport.objects.filter(org_id=user.org_id).defer("data", "report")[:20]
    return render(request, "ledgers/imports.html", {"form": form, "recent": recent})


@never_cache
def detail(request, pk):
    imp = _own(request, pk)
    context = {"imp": imp, "fields": F.FIELDS}
    if imp.state in (ImportState.UPLOADED, ImportState.VALIDATED, ImportState.FAILED):
        from xinfang.ledgers.validation import check

        columns, mappings = layout_of(imp)
        checked = check(imp.filename, bytes(imp.data), org=imp.org, columns=columns, mappings=mappings)
        context["checked"] = checked
        context["problems"] = checked.problems[:50]
        context["columns_open"] = any(p.row == 1 for p in checked.problems)  # a header is missing
        if checked.headers:
            context["columns_form"] = ColumnsForm(headers=checked.headers, columns=columns, layout=imp.layout)
        if checked.unmatched:
            context["values_form"] = ValuesForm(unmatched=checked.unmatched, org=imp.org)
    if imp.state == ImportState.DONE:
        rows = ImportedRow.objects.filter(ledger_import=imp).select_related("case").order_by("pk")
        context["rows"] = rows[:RESULT_LIMIT]
    template = (
        "ledgers/_progress.html" if request.htmx and request.GET.get("part") == "progress" else "ledgers/detail.html"
    )
    return render(request, template, context)


@require_POST
def columns(request, pk):
    imp = _own(request, pk)
    from xinfang.ledgers.reading import FileRefused, read

    try:
        headers = read(imp.filename, bytes(imp.data)).headers
    except FileRefused:
        raise Http404 from None
    form = ColumnsForm(request.POST, headers=headers, columns={}, layout=imp.layout)
    if form.is_valid():
        mapped = form.columns()
        with transaction.atomic():
            # The file's header order is the layout's column order: an export in it follows the file.
            layout, _ = LedgerLayout.objects.update_or_create(
                org=imp.org,
                name=form.cleaned_data["name"],
                defaults={"columns": mapped, "order": F.order_in_file(mapped, headers)},
            )
            imp.layout = layout
            imp.save(update_fields=["layout"])
            validate(imp)
    return redirect("ledgers:detail", pk=imp.pk)


@require_POST
def values(request, pk):
    imp = _own(request, pk)
    columns_, mappings = layout_of(imp)
    from xinfang.ledgers.validation import check

    checked = check(imp.filename, bytes(imp.data), org=imp.org, columns=columns_, mappings=mappings)
    form = ValuesForm(request.POST, unmatched=checked.unmatched, org=imp.org)
    if form.is_valid():
        with transaction.atomic():
            if imp.layout is None:
                imp.layout, _ = LedgerLayout.objects.get_or_create(
                    org=imp.org,
                    name="默认格式",
                    defaults={"columns": columns_, "order": F.order_in_file(columns_, checked.headers)},
                )
                imp.save(update_fields=["layout"])
            for kind, text, target in form.chosen():
                ValueMapping.objects.update_or_create(
                    layout=imp.layout, kind=kind, text=text, defaults={"target": target}
                )
            validate(imp)
    return redirect("ledgers:detail", pk=imp.pk)


@require_POST
def start(request, pk):
    imp = _own(request, pk)
    # A cancelled import may be started again: the rows already in are skipped.
    if imp.state not in (ImportState.VALIDATED, ImportState.CANCELLED):
        return redirect("ledgers:detail", pk=imp.pk)
    from xinfang.ledgers.tasks import import_ledger

    with transaction.atomic():  # the task row and the state together (the database queue)
        LedgerImport.objects.filter(pk=imp.pk).update(state=ImportState.IMPORTING, cancel_requested=False)
        import_ledger.enqueue(imp.pk)
    return redirect("ledgers:detail", pk=imp.pk)


@require_POST
def cancel(request, pk):
    imp = _own(request, pk)
    LedgerImport.objects.filter(pk=imp.pk, state=ImportState.IMPORTING).update(cancel_requested=True)
    return redirect("ledgers:detail", pk=imp.pk)


def report(request, pk):
    imp = _own(request, pk)
    if not imp.report:
        raise Http404
    response = HttpResponse(
        bytes(imp.report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-report-{imp.pk}.xlsx"'
    return response
