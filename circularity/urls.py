"""The circularity pages outside the model admins: the dashboard (staff only)."""

from django.contrib import admin
from django.urls import path

from .dashboard import dashboard_view

app_name = "circularity"

urlpatterns = [
    path("", admin.site.admin_view(dashboard_view), name="dashboard"),
]
