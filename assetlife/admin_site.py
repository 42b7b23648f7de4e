"""The admin site of AssetLife: Django's, with a "View site" link that leads somewhere.

There is no public site at "/": the product's front page is the circularity dashboard.
"View site" points at it for those who may see it and is hidden for everyone else (a
link that answers 403 is a dead end too).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse

DASHBOARD_PERMISSION = "circularity.view_disposition"


class AssetLifeAdminSite(admin.AdminSite):
    def each_context(self, request):
        context = super().each_context(request)
        user = getattr(request, "user", None)
        may_see = user is not None and user.is_active and user.has_perm(DASHBOARD_PERMISSION)
        context["site_url"] = reverse("circularity:dashboard") if may_see else None
        return context


class AssetLifeAdminConfig(AdminConfig):
    default_site = "assetlife.admin_site.AssetLifeAdminSite"
