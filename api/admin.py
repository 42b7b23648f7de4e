"""Access scopes are granted in the admin; API tokens are managed by DRF's own admin page."""

from django.contrib import admin

from .models import AccessScope


@admin.register(AccessScope)
class AccessScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "site_codes", "center_codes", "note"]
    search_fields = ["user__username", "user__email", "sites__code", "centers__code"]
    filter_horizontal = ["sites", "centers"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("sites", "centers")

    @admin.display(description="Sites")
    def site_codes(self, scope):
        return ", ".join(site.code for site in scope.sites.all()) or "—"

    @admin.display(description="Circular centers")
    def center_codes(self, scope):
        return ", ".join(center.code for center in scope.centers.all()) or "—"
