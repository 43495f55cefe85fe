from django.urls import path

from xinfang.stats import bulletin, dashboard, views

app_name = "stats"

urlpatterns = [
    path("", views.monthly, name="monthly"),
    path("monthly.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("definitions/", views.definitions, name="definitions"),
    path("dashboard/", dashboard.page, name="dashboard"),
    path("bulletin.docx", bulletin.download, name="bulletin"),
]
