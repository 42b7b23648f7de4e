"""Monthly snapshots: read-only sums, and the buttons that refresh them now.

The nightly job (``circularity.tasks.refresh_snapshots``) keeps them fresh; an analyst who
has just corrected data can refresh the stale months, the months of selected rows, or
every month, without waiting. Each button calls ``circularity.snapshots`` directly: the
refresh is a few grouped queries, safe to run twice.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from inventory.admin.readonly import ReadOnlyAdminMixin
from inventory.admin.scoping import SharedAdminMixin
from inventory.scopes import SHARED, scope_for, writable

from .. import snapshots
from ..models import MonthlySnapshot
from .base import CircularityAdmin

REFRESH_MODES = {"stale": snapshots.refresh_stale, "all": snapshots.rebuild_all}


def _months_text(months) -> str:
    return ", ".join(f"{month:%Y-%m}" for month in months) or "none"


@admin.register(MonthlySnapshot)
class MonthlySnapshotAdmin(SharedAdminMixin, ReadOnlyAdminMixin, CircularityAdmin):
    list_display = (
        "month_label",
        "dimension",
        "group_key",
        "route",
        "hazardous",
        "onsite",
        "units",
        "mass_kg",
        "avoided_kgco2e",
        "computed_at",
    )
    list_filter = ("dimension", "route", "hazardous", "onsite")
    date_hierarchy = "month"
    search_fields = ("group_key",)
    actions = ["refresh_months"]

    def has_refresh_permission(self, request):
        # Organisation-wide figures: refreshed by unscoped staff only.
        return writable(SHARED, scope_for(request)) and self.has_view_permission(request)

    @admin.display(description="Month", ordering="month")
    def month_label(self, snapshot):
        return f"{snapshot.month:%Y-%m}"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Monthly snapshots",
            **(extra_context or {}),
            "stale_months": snapshots.stale_months(),
            "can_refresh": self.has_refresh_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        urls = [
            path(
                "refresh/<str:mode>/",
                self.admin_site.admin_view(self.refresh_view),
                name="circularity_monthlysnapshot_refresh",
            )
        ]
        return urls + super().get_urls()

    def refresh_view(self, request, mode):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_refresh_permission(request):
            raise PermissionDenied
        if mode not in REFRESH_MODES:
            self.message_user(request, f"Unknown refresh {mode!r}: use stale or all.", messages.ERROR)
        else:
            refreshed = REFRESH_MODES[mode]()
            self.message_user(
                request, f"Refreshed {len(refreshed)} month(s): {_months_text(refreshed)}.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:circularity_monthlysnapshot_changelist"))

    @admin.action(description="Refresh the months of the selected rows", permissions=["refresh"])
    def refresh_months(self, request, queryset):
        months = sorted(set(queryset.values_list("month", flat=True)))
        refreshed = snapshots.refresh(months)
        self.message_user(request, f"Refreshed {len(refreshed)} month(s): {_months_text(refreshed)}.", messages.SUCCESS)
