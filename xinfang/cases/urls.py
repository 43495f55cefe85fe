from django.urls import path

from xinfang.cases import views, views_petitioner, views_register

app_name = "cases"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("new/", views_register.register, name="register"),
    path("new/lookup/", views_register.petitioner_lookup, name="register_lookup"),
    path("new/check-id/", views_register.check_id, name="register_check_id"),
    path("by-petitioner/<int:pk>/", views_petitioner.petitioner_cases, name="by_petitioner"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:aid>/", views.attachment_download, name="attachment"),
]
