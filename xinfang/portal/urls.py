"""The portal's routes (mounted by site.PortalURLConf at the portal's host root or prefix, never by the staff site)."""

from django.urls import path

from xinfang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
]
