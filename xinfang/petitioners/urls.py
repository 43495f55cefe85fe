app_name = "petitioners"

urlpatterns = []
