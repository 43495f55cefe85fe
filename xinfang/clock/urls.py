app_name = "clock"

urlpatterns = []
