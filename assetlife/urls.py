from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/dashboard/", include("circularity.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]
