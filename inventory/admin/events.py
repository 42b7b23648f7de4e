"""The lifecycle history, read-only for everyone: events are append-only (SPEC section 2)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import LifecycleEvent
from .readonly import ReadOnlyAdminMixin
from .scoping import ScopedAdminMixin


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "asset_link", "action", "from_status", "to_status", "location", "source", "actor")
    list_select_related = ("asset", "actor")
    list_filter = ("action", "source", "to_status")
    search_fields = ("asset__serial_number__startswith", "external_id__exact")
    search_help_text = "Serial number of the asset (whole or its beginning), or the external id of an event."
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description="asset", ordering="asset__serial_number")
    def asset_link(self, obj):
        url = reverse("admin:inventory_asset_change", args=[obj.asset_id])
        return format_html('<a href="{}">{}</a>', url, obj.asset.serial_number)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("asset", "actor", "parent")
