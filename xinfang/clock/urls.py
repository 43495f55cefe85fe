from django.urls import path

from xinfang.clock import views

app_name = "clock"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("due/", views.due, name="due"),
]
