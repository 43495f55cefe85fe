from django.urls import path

from xinfang.petitioners import views

app_name = "petitioners"

urlpatterns = [
    path("", views.petitioner_list, name="list"),
    path("new/", views.petitioner_create, name="create"),
    path("validate-id/", views.validate_id, name="validate_id"),
    path("lookup/", views.petitioner_lookup, name="lookup"),
    path("<int:pk>/", views.petitioner_detail, name="detail"),
    path("<int:pk>/reveal/", views.petitioner_reveal, name="reveal"),
    path("<int:pk>/contact/", views.petitioner_contact, name="contact"),
]
