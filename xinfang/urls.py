from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.shell import views as shell_views

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("healthz", shell_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("petitioners/", include("xinfang.petitioners.urls")),
    path("clock/", include("xinfang.clock.urls")),
    path("cases/", include("xinfang.cases.urls")),
    path("api/v1/", include("xinfang.api.urls")),
]
