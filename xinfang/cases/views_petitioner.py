"""A petitioner's cases (/cases/by-petitioner/<id>/): their history, as far as the viewer may see it.

It lives in the cases app because the petitioners app may not import cases
(the layers: core ← orgs ← clock | petitioners ← cases). The petitioner page
loads it by htmx (the fragment) and links to it as the no-JS fallback (the
full page). The petitioner is read through the petitioners' access layer and
the cases through ``scoped_cases``: a petitioner the viewer may not see is a
404, and cases the viewer may not see are neither listed nor counted.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.cases.access import scoped_cases
from xinfang.petitioners.access import access_petitioner

PAGE_SIZE = 20


@never_cache
@require_GET
def petitioner_cases(request, pk):
    petitioner = access_petitioner(request.user, pk)
    cases = (
        scoped_cases(request.user)
        .filter(case_petitioners__petitioner=petitioner)
        .select_related("current_org")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    partial = bool(request.htmx) and not request.htmx.boosted
    template = "cases/_petitioner_cases.html" if partial else "cases/petitioner_cases.html"
    response = render(request, template, {"petitioner": petitioner, "page": page})
    patch_vary_headers(response, ["HX-Request"])
    return response
