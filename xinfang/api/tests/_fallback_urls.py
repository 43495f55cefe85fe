# TEMPORARY while xinfang/cases/urls.py is mid-edit by a colleague: mount only the API.
from django.urls import include, path

urlpatterns = [path("api/v1/", include("xinfang.api.urls"))]
