from django.urls import path

from xinfang.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("settings/", views.preferences, name="preferences"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/open/", views.open_link, name="open"),
]
