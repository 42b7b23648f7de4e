from django.contrib import admin
from django.urls import include, path, reverse_lazy

# The admin's "View site" link: the dashboard is this product's front page (there is no
# public site at "/").
admin.site.site_url = reverse_lazy("circularity:dashboard")

urlpatterns = [
    path("admin/dashboard/", include("circularity.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]
