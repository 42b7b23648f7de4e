from django.contrib import admin
from django.urls import include, path

# The admin's "View site" link leads to the dashboard (assetlife.admin_site).

urlpatterns = [
    path("admin/dashboard/", include("circularity.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]
