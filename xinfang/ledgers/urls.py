from django.urls import path

from xinfang.ledgers import export_views, views

app_name = "ledgers"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/columns/", views.columns, name="columns"),
    path("<int:pk>/values/", views.values, name="values"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/report.xlsx", views.report, name="report"),
    path("export/", export_views.export_page, name="export"),
]
