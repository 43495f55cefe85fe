"""The DOCX bulletin (通报)."""

from django.http import Http404


def download(request):
    raise Http404
