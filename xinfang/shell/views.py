from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse


def home(request):
    try:
        return redirect(reverse("cases:workbench"))
    except NoReverseMatch:
        return render(request, "shell/home.html")


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
