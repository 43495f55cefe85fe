from django.urls import path

from xinfang.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:pk>/events/<int:event>/issue/", views.issue, name="issue"),
    path("cases/<int:pk>/archive/", views.archive_download, name="archive"),
    path("cases/<int:pk>/archive/request/", views.archive_request, name="archive_request"),
    path("<int:pk>/docx/", views.docx, name="docx"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/print/", views.print_view, name="print"),
]
