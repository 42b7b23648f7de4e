"""Circular centers and shipments: operators ship decommissioned assets, technicians receive them.

Shipping and receiving are ``circularity.custody`` services; this module gives them forms
and shows their refusals (an asset not at the site, a shipment already received, ...).

A scoped user sees the centers of their scope (read-only: centers define the scopes) and
the shipments leaving their sites or bound for their centers; they ship only from a site
of their scope, to a center of it (``inventory.admin.scoping``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from inventory.admin.scoping import ScopedAdminMixin
from inventory.choices import Source, Status
from inventory.errors import LifecycleError
from inventory.models import Asset, Site
from inventory.scopes import SCOPED_VIEW, Scope, scope_for, visible

from .. import custody
from ..models import CircularCenter, Shipment
from .base import (
    CircularityAdmin,
    correlated_count,
    moment,
    render_form_page,
    report_refusals,
    run_bulk_action,
    submitted,
)
from .custody import RoutesAsCheckboxes
from .forms import ReceiveForm, ShipmentForm


@admin.register(CircularCenter)
class CircularCenterAdmin(RoutesAsCheckboxes, ScopedAdminMixin, CircularityAdmin):
    scope_policy = SCOPED_VIEW
    routes_fields = ("onsite_routes",)
    list_display = ("code", "name", "sites_served", "onsite", "assets_held", "shipments_in_transit")
    search_fields = ("code", "name", "sites__code")
    filter_horizontal = ("sites",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("sites")
            .annotate(
                held=correlated_count(
                    Asset.objects.filter(center=OuterRef("pk"), status=Status.AT_CIRCULAR_CENTER), "center"
                ),
                incoming=correlated_count(
                    Shipment.objects.filter(to_center=OuterRef("pk"), received_at__isnull=True), "to_center"
                ),
            )
        )

    @admin.display(description="Sites served")
    def sites_served(self, center):
        return ", ".join(site.code for site in center.sites.all()) or "—"

    @admin.display(description="Onsite routes")
    def onsite(self, center):
        return ", ".join(center.onsite_routes) or "—"

    @admin.display(description="Assets held", ordering="held")
    def assets_held(self, center):
        url = reverse("admin:circularity_assetatcenter_changelist") + f"?center__id__exact={center.pk}"
        return format_html('<a href="{}">{}</a>', url, center.held)

    @admin.display(description="Shipments in transit", ordering="incoming")
    def shipments_in_transit(self, center):
        url = reverse("admin:circularity_shipment_changelist") + f"?to_center__id__exact={center.pk}&received=no"
        return format_html('<a href="{}">{}</a>', url, center.incoming)


class ReceivedFilter(admin.SimpleListFilter):
    title = "received"
    parameter_name = "received"

    def lookups(self, request, model_admin):
        return [("no", "In transit"), ("yes", "Received")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(received_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(received_at__isnull=False)
        return queryset


@admin.register(Shipment)
class ShipmentAdmin(ScopedAdminMixin, CircularityAdmin):
    list_display = ("shipment", "from_site", "to_center", "shipped", "asset_count", "received", "state")
    list_select_related = ("from_site", "to_center")
    list_filter = (ReceivedFilter, "to_center", "from_site")
    date_hierarchy = "shipped_at"
    search_fields = ("tracking_ref", "assets__serial_number", "from_site__code", "to_center__code")
    actions = ["receive_shipments"]
    # What was shipped is history (each asset has its event); only the reference is corrected.
    fields = ("from_site", "to_center", "shipped_at", "received_at", "tracking_ref", "shipped_assets")
    readonly_fields = ("from_site", "to_center", "shipped_at", "received_at", "shipped_assets")

    def get_queryset(self, request):
        through = Shipment.assets.through
        return (
            super()
            .get_queryset(request)
            .annotate(assets_shipped=correlated_count(through.objects.filter(shipment=OuterRef("pk")), "shipment"))
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Shipment", ordering="-shipped_at")
    def shipment(self, shipment):
        return shipment.tracking_ref or f"#{shipment.pk}"

    @admin.display(description="Shipped", ordering="shipped_at")
    def shipped(self, shipment):
        return moment(shipment.shipped_at)

    @admin.display(description="Received", ordering="received_at")
    def received(self, shipment):
        return moment(shipment.received_at)

    @admin.display(description="Assets", ordering="assets_shipped")
    def asset_count(self, shipment):
        return shipment.assets_shipped

    @admin.display(description="State")
    def state(self, shipment):
        if shipment.received_at is not None:
            return "Received"
        days = (timezone.now() - shipment.shipped_at).days
        return f"In transit ({days} day{'s' if days != 1 else ''})"

    @admin.display(description="Assets shipped")
    def shipped_assets(self, shipment):
        assets = shipment.assets.select_related("part_model", "center").order_by("serial_number")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((a.serial_number, a.part_model, a.get_status_display()) for a in assets),
        )
        return format_html(
            '<table class="circularity-inline-table"><thead><tr><th>Serial number</th><th>Part model</th>'
            "<th>Status now</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    # --- shipping: the add view is the ship() form ----------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        scope = scope_for(request)
        site = self._chosen_site(request, scope)
        if submitted(request):
            form = ShipmentForm(request.POST, site=site, scope=scope)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    shipment = custody.ship(
                        assets=data["serials"],
                        from_site=data["from_site"],
                        to_center=data["to_center"],
                        shipped_at=data["shipped_at"],
                        tracking_ref=data["tracking_ref"],
                        source=Source.ADMIN,
                        actor=request.user,
                    )
                except LifecycleError as error:
                    report_refusals(request, [error])
                else:
                    count = len(data["serials"])
                    self.log_addition(request, shipment, f"Shipped {count} asset(s).")
                    self.message_user(
                        request,
                        f"Shipment {shipment}: {count} asset(s) in transit to {shipment.to_center.code}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:circularity_shipment_change", args=[quote(shipment.pk)]))
        else:
            initial = {"from_site": site, "serial_numbers": "\n".join(request.GET.getlist("serial"))}
            if site is not None:
                serving = list(site.circular_centers.all()[:2])
                if len(serving) == 1:  # the campus's own center, the usual destination
                    initial["to_center"] = serving[0]
            form = ShipmentForm(initial=initial, site=site, scope=scope)
        return render_form_page(
            self,
            request,
            title="Ship decommissioned assets",
            form=form,
            submit_label="Ship",
            intro="Each asset, and everything installed in it, goes in transit to the circular center. "
            "Choose a site on the right to pick its decommissioned assets from a list.",
            extra={
                "aside_template": "admin/circularity/shipment/awaiting.html",
                "awaiting": self._awaiting_by_site(scope),
                "chosen_site": site,
            },
        )

    @staticmethod
    def _chosen_site(request, scope: Scope | None) -> Site | None:
        value = request.POST.get("from_site") if submitted(request) else request.GET.get("from_site")
        if not value or not str(value).isdigit():
            return None
        return visible(Site.objects.filter(pk=value), scope).first()

    @staticmethod
    def _awaiting_by_site(scope: Scope | None):
        """Sites (of the scope) with decommissioned top-level assets, and how many: one grouped query."""
        awaiting = Asset.objects.filter(status=Status.DECOMMISSIONED, parent__isnull=True)
        if scope is not None:  # shipped only from a site of the scope
            awaiting = awaiting.filter(site__in=visible(Site.objects.all(), scope))
        return awaiting.values("site_id", "site__code").annotate(count=Count("pk")).order_by("site__code")

    # --- receiving --------------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/receive/",
                self.admin_site.admin_view(self.receive_view),
                name="circularity_shipment_receive",
            )
        ]
        return urls + super().get_urls()

    def receive_view(self, request, object_id):
        shipment = get_object_or_404(self.get_queryset(request).select_related("from_site", "to_center"), pk=object_id)
        if not self.has_change_permission(request, shipment):
            raise PermissionDenied
        form = ReceiveForm(request.POST if submitted(request) else None)
        if form.is_valid():
            try:
                custody.receive(
                    shipment=shipment,
                    received_at=form.cleaned_data["received_at"],
                    source=Source.ADMIN,
                    actor=request.user,
                )
            except LifecycleError as error:
                report_refusals(request, [error])
            else:
                self.log_change(request, shipment, "Received.")
                self.message_user(request, f"Shipment {shipment} received at {shipment.to_center.code}.")
                return HttpResponseRedirect(reverse("admin:circularity_shipment_change", args=[quote(shipment.pk)]))
        return render_form_page(
            self,
            request,
            title="Receive shipment",
            form=form,
            submit_label="Receive",
            intro=f"The assets of shipment {shipment} still in transit arrive at {shipment.to_center.code}; "
            "assets reported missing on the way stay missing.",
            obj=shipment,
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Shipments", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        shipment = self.get_object(request, object_id)
        if shipment is not None and shipment.received_at is None and self.has_change_permission(request, shipment):
            extra_context["receive_url"] = reverse("admin:circularity_shipment_receive", args=[quote(shipment.pk)])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Receive selected shipments at their centers", permissions=["change"])
    def receive_shipments(self, request, queryset):
        shipments = list(queryset.select_related("from_site", "to_center").order_by("shipped_at", "pk"))
        return run_bulk_action(
            self,
            request,
            shipments,
            form=ReceiveForm(request.POST if submitted(request) else None),
            apply=lambda shipment, data: custody.receive(
                shipment=shipment, received_at=data["received_at"], source=Source.ADMIN, actor=request.user
            ),
            log=lambda shipment, received: self.log_change(request, shipment, "Received."),
            done_message=lambda done, data: f"Received {len(done)} shipment(s).",
            page={
                "title": "Receive shipments",
                "submit_label": "Receive all",
                "intro": "Every selected shipment is received, or none is.",
                "selection": [(s.pk, f"{s} — shipped {s.shipped_at:%Y-%m-%d}") for s in shipments],
                "selection_heading": f"{len(shipments)} shipment(s)",
                "action": "receive_shipments",
            },
        )
