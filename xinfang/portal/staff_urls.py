"""The staff site's pages for the portal's letters (included by xinfang.urls under /online/)."""

from django.urls import path

from xinfang.portal import views_staff

app_name = "portal_staff"

urlpatterns = [
    path("", views_staff.inbox, name="inbox"),
    path("<int:pk>/", views_staff.register, name="register"),
]
