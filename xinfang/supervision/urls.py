from django.urls import path

from xinfang.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.items, name="items"),
    path("cases/<int:pk>/<str:verb>/", views.act, name="act"),
    path("cases/<int:pk>/<str:verb>/<int:item>/", views.act, name="act_item"),
]
