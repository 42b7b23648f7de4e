"""The technicians' triage queue: assets held at circular centers, and what is done to them.

``AssetAtCenter`` is a proxy of ``inventory.Asset`` limited to ``at_circular_center``, so
this admin never touches the inventory's own Asset admin. Its actions call the services:
``circularity.dispositions.record_disposition`` / ``record_sanitization`` and
``inventory.lifecycle.dismantle``. Permissions are those of the facts written (adding a
disposition or a sanitization record, changing an asset), not of the proxy.

A scoped user's queue holds the assets at their sites and centers only; an asset outside
it is not found, by its page, its dismantle button or a hand-posted action.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from inventory import lifecycle
from inventory.admin.assets import InstalledFilter
from inventory.admin.readonly import ReadOnlyAdminMixin
from inventory.admin.scoping import ScopedAdminMixin, ScopedRelatedFieldListFilter
from inventory.choices import Action, Status
from inventory.models import LifecycleEvent
from inventory.scopes import scope_for, visible

from .. import dispositions
from ..models import AssetAtCenter, Disposition, SanitizationRecord
from .base import CircularityAdmin, correlated_count, moment
from .triage_actions import TriageActionsMixin


def removed_from(serials) -> Exists:
    """Whether the asset was ever taken out of (dismantled from) an asset with one of ``serials``.

    The asset's own ``parent`` is cleared by the removal; the removal event keeps it.
    """
    return Exists(
        LifecycleEvent.objects.filter(asset=OuterRef("pk"), action=Action.REMOVE, parent__serial_number__in=serials)
    )


class DismantledFromFilter(admin.SimpleListFilter):
    """``?dismantled_from=<serial>``: the parts taken out of that asset, where they are now.

    Shown in the sidebar only while it is set (its choices would be every dismantled server);
    the dismantle button lands on it, and the search box finds the same parts by the former
    parent's serial number.
    """

    title = "dismantled from"
    parameter_name = "dismantled_from"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(removed_from([self.value()]))
        return queryset


class CenterFilter(ScopedRelatedFieldListFilter):
    """Every asset in the queue is at a center: no "empty" choice."""

    @property
    def include_empty_choice(self):
        return False


@admin.register(AssetAtCenter)
class AssetAtCenterAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, TriageActionsMixin, CircularityAdmin):
    list_display = (
        "serial_number",
        "part_model",
        "category",
        "installed_in",
        "parts",
        "dismantled_from",
        "center",
        "arrived_at",
        "last_sanitization",
    )
    list_select_related = ("part_model", "site", "center", "parent")
    list_filter = (
        ("center", CenterFilter),
        InstalledFilter,
        DismantledFromFilter,
        "part_model__category",
        "part_model__data_bearing",
        "site",
    )
    search_fields = ("serial_number", "asset_tag", "parent__serial_number")
    search_help_text = (
        "Serial number or asset tag; the serial number of the server a part is installed in or was dismantled from."
    )
    actions = ["record_disposition", "record_sanitization", "dismantle"]
    fields = (
        "serial_number",
        "asset_tag",
        "part_model",
        "category",
        "data_bearing",
        "mass_kg",
        "tree_mass_kg",
        "site",
        "center",
        "installed_in",
        "installed_parts",
        "sanitizations",
        "past_dispositions",
    )
    readonly_fields = fields

    # --- permissions: those of the facts each action writes ----------------------------------

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("inventory.view_asset")

    # --- the queue -----------------------------------------------------------------------

    def get_queryset(self, request):
        arrivals = LifecycleEvent.objects.filter(
            asset=OuterRef("pk"), action=Action.TRANSITION, to_status=Status.AT_CIRCULAR_CENTER
        ).order_by("-occurred_at", "-pk")
        removals = LifecycleEvent.objects.filter(asset=OuterRef("pk"), action=Action.REMOVE).order_by(
            "-occurred_at", "-pk"
        )
        certificates = SanitizationRecord.objects.filter(asset=OuterRef("pk"), verified=True).order_by(
            "-performed_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                arrived=Subquery(arrivals.values("occurred_at")[:1]),
                sanitized_at=Subquery(certificates.values("performed_at")[:1]),
                sanitized_by=Subquery(certificates.values("method")[:1]),
                part_count=correlated_count(AssetAtCenter.objects.filter(parent=OuterRef("pk")), "parent"),
                removed_from_serial=Subquery(removals.values("parent__serial_number")[:1]),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """The admin's search, plus the parts dismantled from the asset searched for."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        terms = search_term.replace(",", " ").split()
        if not terms:
            return found, may_have_duplicates
        return found | queryset.filter(removed_from(terms)), may_have_duplicates

    @admin.display(description="Category", ordering="part_model__category")
    def category(self, asset):
        label = asset.part_model.get_category_display()
        return f"{label} · data-bearing" if asset.part_model.data_bearing else label

    @admin.display(description="Data-bearing", ordering="part_model__data_bearing")
    def data_bearing(self, asset):
        # Text, not the admin's red cross: "not data-bearing" is no fault.
        return "yes" if asset.part_model.data_bearing else "—"

    @admin.display(description="Own mass (kg)", ordering="part_model__mass_kg")
    def mass_kg(self, asset):
        return asset.part_model.mass_kg

    @admin.display(description="Installed in", ordering="parent__serial_number")
    def installed_in(self, asset):
        if asset.parent_id is None:
            return "—"
        url = reverse("admin:circularity_assetatcenter_change", args=[quote(asset.parent_id)])
        return format_html('<a href="{}">{}</a>', url, asset.parent.serial_number)

    @admin.display(description="Dismantled from", ordering="removed_from_serial")
    def dismantled_from(self, asset):
        if asset.parent_id is not None or not asset.removed_from_serial:
            return "—"
        query = urlencode({DismantledFromFilter.parameter_name: asset.removed_from_serial})
        url = reverse("admin:circularity_assetatcenter_changelist") + "?" + query
        return format_html('<a href="{}" title="Every part taken out of it">{}</a>', url, asset.removed_from_serial)

    @admin.display(description="Parts installed", ordering="part_count")
    def parts(self, asset):
        return getattr(asset, "part_count", None) or "—"

    @admin.display(description="Arrived", ordering="arrived")
    def arrived_at(self, asset):
        return moment(asset.arrived)

    @admin.display(description="Last verified sanitization", ordering="sanitized_at")
    def last_sanitization(self, asset):
        if asset.sanitized_at is None:
            return "—"
        return f"{asset.sanitized_by} · {asset.sanitized_at:%Y-%m-%d}"

    # --- the asset's page (read-only) and its buttons ------------------------------------------

    @admin.display(description="Mass with installed parts (kg)")
    def tree_mass_kg(self, asset):
        return dispositions.tree_mass_kg(asset)

    @admin.display(description="Installed parts")
    def installed_parts(self, asset):
        parts = lifecycle.tree_of(asset)[1:]
        if not parts:
            return "—"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:circularity_assetatcenter_change", args=[quote(part.pk)]),
                    part.serial_number,
                    part.part_model,
                    part.part_model.get_category_display(),
                    "yes" if part.part_model.data_bearing else "no",
                )
                for part in parts
            ),
        )
        return format_html(
            '<table class="circularity-inline-table"><thead><tr><th>Serial number</th><th>Part model</th>'
            "<th>Category</th><th>Data-bearing</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Sanitizations (this asset and its parts)")
    def sanitizations(self, asset):
        tree = [member.pk for member in lifecycle.tree_of(asset)]
        records = SanitizationRecord.objects.filter(asset_id__in=tree).select_related("asset")
        if not records:
            return "None recorded."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{:%Y-%m-%d %H:%M}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.asset.serial_number,
                    r.get_method_display(),
                    r.performed_at,
                    "yes" if r.verified else "no",
                    r.certificate_id or "—",
                )
                for r in records
            ),
        )
        return format_html(
            '<table class="circularity-inline-table"><thead><tr><th>Serial number</th><th>Method</th>'
            "<th>Performed</th><th>Verified</th><th>Certificate</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Earlier dispositions")
    def past_dispositions(self, asset):
        # Those of the viewer's scope (a reused asset may come back from another campus).
        earlier = visible(Disposition.objects.filter(asset=asset), asset.viewer_scope).select_related("center")
        if not earlier:
            return "None: first custody cycle."
        return format_html_join(
            format_html("<br>"),
            "{} at {} on {:%Y-%m-%d}",
            ((d.get_route_display(), d.center.code, d.decided_at) for d in earlier),
        )

    def get_object(self, request, object_id, from_field=None):
        asset = super().get_object(request, object_id, from_field)
        if asset is not None:
            asset.viewer_scope = scope_for(request)  # for the fields that list related records
        return asset

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Triage: assets at circular centers", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        asset = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "triage_links": self._triage_links(request, asset)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _triage_links(self, request, asset) -> list[tuple[str, str]]:
        if asset is None:
            return []
        links = []
        query = urlencode({"asset": asset.serial_number})
        if asset.parent_id is None and self.has_record_disposition_permission(request):
            links.append(("Record disposition", reverse("admin:circularity_disposition_add") + "?" + query))
        if self.has_record_sanitization_permission(request):
            links += self._sanitization_links(asset)
        if asset.parent_id is None and self.has_dismantle_permission(request):
            links.append(("Dismantle", reverse("admin:circularity_assetatcenter_dismantle", args=[quote(asset.pk)])))
        return links

    def _sanitization_links(self, asset) -> list[tuple[str, str]]:
        """Where the data is: the asset itself if it is data-bearing, else its data-bearing parts.

        The service refuses a record for an asset that holds no data; the page offers none.
        One drive: its form, pre-filled. Several: the queue filtered to them, where the bulk
        action records one certificate for all.
        """
        add = reverse("admin:circularity_sanitizationrecord_add")
        if asset.part_model.data_bearing:
            return [("Record sanitization", f"{add}?{urlencode({'asset': asset.serial_number})}")]
        drives = [member for member in lifecycle.tree_of(asset)[1:] if member.part_model.data_bearing]
        if len(drives) == 1:
            (drive,) = drives
            label = f"Record sanitization of {drive.serial_number}"
            return [(label, f"{add}?{urlencode({'asset': drive.serial_number})}")]
        if drives:
            query = urlencode({"q": asset.serial_number, "part_model__data_bearing__exact": 1})
            queue = reverse("admin:circularity_assetatcenter_changelist")
            return [(f"Record sanitization of its {len(drives)} data-bearing parts", f"{queue}?{query}")]
        return []

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/dismantle/",
                self.admin_site.admin_view(self.dismantle_view),
                name="circularity_assetatcenter_dismantle",
            )
        ]
        return urls + super().get_urls()

    def dismantle_view(self, request, object_id):
        if not self.has_dismantle_permission(request):
            raise PermissionDenied
        asset = get_object_or_404(self.get_queryset(request), pk=object_id)
        return self._dismantle([asset], request, action=None, obj=asset)
