from django.contrib import admin
from django.urls import include, path

from xinfang.orgs import views as orgs_views
from xinfang.shell import views as shell_views

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("healthz", shell_views.healthz, name="healthz"),
    path("accounts/", include("xinfang.orgs.urls")),
    path("accounts/tokens/", include("xinfang.api.account_urls")),
    path("admin/login/", orgs_views.admin_login),
    path("admin/", admin.site.urls),
    path("petitioners/", include("xinfang.petitioners.urls")),
    path("clock/", include("xinfang.clock.urls")),
    path("cases/", include("xinfang.cases.urls")),
    path("notifications/", include("xinfang.notifications.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("stats/", include("xinfang.stats.urls")),
    path("escalation/", include("xinfang.escalation.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("ledgers/", include("xinfang.ledgers.urls")),
    # The portal's letters waiting for registration (the portal itself has its own URLconf: xinfang.portal.site).
    path("online/", include("xinfang.portal.staff_urls")),
    path("api/v1/", include("xinfang.api.urls")),
]
