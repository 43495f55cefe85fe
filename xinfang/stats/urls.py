from django.urls import path

from xinfang.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.monthly, name="monthly"),
    path("monthly.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
]
