from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/dashboard/", include("circularity.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]

# Under /api/ an error outside any view is JSON too (api/errors.py), never an HTML page.
handler400 = "api.errors.bad_request"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
