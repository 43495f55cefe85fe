from django.urls import path

from xinfang.escalation import views

app_name = "escalation"

urlpatterns = [
    path("cards/", views.register, name="register"),
    path("units/<int:org_id>/", views.unit_register, name="unit"),
    path("cards/<int:pk>/revoke/", views.revoke, name="revoke"),
]
