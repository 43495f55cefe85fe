from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from xinfang.orgs.models import Role


def home(request):
    # A leader's landing page is the dashboard (工作概览); everyone else starts at the workbench.
    user = request.user
    if user.is_authenticated and user.org_id is not None and user.has_role(Role.LEADER):
        return redirect(reverse("stats:dashboard"))
    try:
        return redirect(reverse("cases:workbench"))
    except NoReverseMatch:
        return render(request, "shell/home.html")


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
