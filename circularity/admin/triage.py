"""The technicians' triage queue: assets held at circular centers, and what is done to them.

``AssetAtCenter`` is a proxy of ``inventory.Asset`` limited to ``at_circular_center``, so
this admin never touches the inventory's own Asset admin. Its actions call the services:
``circularity.dispositions.record_disposition`` / ``record_sanitization`` and
``inventory.lifecycle.dismantle``. Permissions are those of the facts written (adding a
disposition or a sanitization record, changing an asset), not of the proxy.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from inventory import lifecycle
from inventory.choices import Action, Source, Status
from inventory.models import LifecycleEvent

from .. import dispositions
from ..models import AssetAtCenter, Disposition, SanitizationRecord
from .base import CircularityAdmin, all_or_nothing, moment, render_form_page, report_refusals, submitted
from .centers import _count
from .forms import DismantleForm, DispositionFields, SanitizationFields

DISPOSITION_PERMISSION = "circularity.add_disposition"
SANITIZATION_PERMISSION = "circularity.add_sanitizationrecord"
DISMANTLE_PERMISSION = "inventory.change_asset"


class InstalledFilter(admin.SimpleListFilter):
    title = "installed"
    parameter_name = "installed"

    def lookups(self, request, model_admin):
        return [("no", "Top-level (can be dispositioned)"), ("yes", "Installed in another asset")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(parent__isnull=True)
        if self.value() == "yes":
            return queryset.filter(parent__isnull=False)
        return queryset


class CenterFilter(admin.RelatedFieldListFilter):
    """Every asset in the queue is at a center: no "empty" choice."""

    @property
    def include_empty_choice(self):
        return False


def _label(asset) -> str:
    installed = f", installed in {asset.parent.serial_number}" if asset.parent_id else ""
    return f"{asset.serial_number} — {asset.part_model} at {asset.center.code}{installed}"


@admin.register(AssetAtCenter)
class AssetAtCenterAdmin(CircularityAdmin):
    list_display = (
        "serial_number",
        "part_model",
        "category",
        "installed_in",
        "parts",
        "center",
        "arrived_at",
        "last_sanitization",
    )
    list_select_related = ("part_model", "site", "center", "parent")
    list_filter = (
        ("center", CenterFilter),
        InstalledFilter,
        "part_model__category",
        "part_model__data_bearing",
        "site",
    )
    search_fields = ("serial_number", "asset_tag", "parent__serial_number")
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_record_disposition_permission(self, request):
        return request.user.has_perm(DISPOSITION_PERMISSION)

    def has_record_sanitization_permission(self, request):
        return request.user.has_perm(SANITIZATION_PERMISSION)

    def has_dismantle_permission(self, request):
        return request.user.has_perm(DISMANTLE_PERMISSION)

    # --- the queue -----------------------------------------------------------------------

    def get_queryset(self, request):
        arrivals = LifecycleEvent.objects.filter(
            asset=OuterRef("pk"), action=Action.TRANSITION, to_status=Status.AT_CIRCULAR_CENTER
        ).order_by("-occurred_at", "-pk")
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
                part_count=_count(AssetAtCenter.objects.filter(parent=OuterRef("pk")), "parent"),
            )
        )

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
        earlier = Disposition.objects.filter(asset=asset).select_related("center")
        if not earlier:
            return "None: first custody cycle."
        return format_html_join(
            format_html("<br>"),
            "{} at {} on {:%Y-%m-%d}",
            ((d.get_route_display(), d.center.code, d.decided_at) for d in earlier),
        )

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
            links.append(("Record sanitization", reverse("admin:circularity_sanitizationrecord_add") + "?" + query))
        if asset.parent_id is None and self.has_dismantle_permission(request):
            links.append(("Dismantle", reverse("admin:circularity_assetatcenter_dismantle", args=[quote(asset.pk)])))
        return links

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
        response = self._dismantle([asset], request, action=None, obj=asset)
        if response is None:
            return HttpResponseRedirect(reverse("admin:circularity_assetatcenter_changelist"))
        return response

    # --- bulk actions --------------------------------------------------------------------------

    @admin.action(description="Record a disposition of the selected assets", permissions=["record_disposition"])
    def record_disposition(self, request, queryset):
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        centers = {asset.center for asset in assets}
        initial = {"center": next(iter(centers))} if len(centers) == 1 else {}
        form = DispositionFields(request.POST if submitted(request) else None, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: dispositions.record_disposition(
                    asset=asset,
                    center=data["center"],
                    route=data["route"],
                    decided_at=data["decided_at"],
                    to_site=data["to_site"],
                    vendor=data["vendor"],
                    certificate_id=data["certificate_id"],
                    source=Source.ADMIN,
                    actor=request.user,
                ),
            )
            if not errors:
                for created in done:
                    self.log_addition(request, created[0], f"Recorded {data['route']} ({len(created)} row(s)).")
                rows = sum(len(created) for created in done)
                self.message_user(
                    request,
                    f"Recorded {data['route']} for {len(done)} asset(s) ({rows} disposition(s), installed parts "
                    "included).",
                    messages.SUCCESS,
                )
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Record a disposition",
            form=form,
            submit_label="Record disposition",
            intro="One route for every selected asset and everything installed in it; all of them are recorded, "
            "or none. Data-bearing assets need a verified sanitization first.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action="record_disposition",
        )

    @admin.action(description="Record a sanitization of the selected assets", permissions=["record_sanitization"])
    def record_sanitization(self, request, queryset):
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        form = SanitizationFields(
            request.POST if submitted(request) else None,
            initial={"performed_by": request.user.get_full_name() or request.user.get_username()},
        )
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: dispositions.record_sanitization(asset=asset, **data),
            )
            if not errors:
                for record in done:
                    self.log_addition(request, record, "Recorded.")
                self.message_user(request, f"Recorded {data['method']} for {len(done)} asset(s).", messages.SUCCESS)
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Record a sanitization",
            form=form,
            submit_label="Record sanitization",
            intro="One sanitization (and one certificate, e.g. a destruction lot) for every selected asset; all "
            "of them are recorded, or none.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action="record_sanitization",
        )

    @admin.action(description="Dismantle the selected assets (harvest their parts)", permissions=["dismantle"])
    def dismantle(self, request, queryset):
        assets = list(queryset.select_related("part_model", "center", "parent").order_by("serial_number"))
        return self._dismantle(assets, request, action="dismantle")

    def _dismantle(self, assets, request, *, action, obj=None):
        form = DismantleForm(request.POST if submitted(request) else None)
        if form.is_valid():
            data = form.cleaned_data
            done, errors = all_or_nothing(
                assets,
                lambda asset: lifecycle.dismantle(
                    asset, occurred_at=data["occurred_at"], note=data["note"], source=Source.ADMIN, actor=request.user
                ),
            )
            if not errors:
                for asset, events in zip(assets, done, strict=True):
                    self.log_change(request, asset, f"Dismantled: {len(events)} part(s) removed.")
                parts = sum(len(events) for events in done)
                self.message_user(
                    request,
                    f"Dismantled {len(done)} asset(s): {parts} part(s) are now top-level at their center, each "
                    "to get a disposition of its own.",
                    messages.SUCCESS,
                )
                return None
            report_refusals(request, errors)
        return render_form_page(
            self,
            request,
            title="Dismantle",
            form=form,
            submit_label="Dismantle",
            intro="Everything installed in each asset is removed and stays at the circular center as an asset of "
            "its own; the emptied asset stays too. Each then gets its own disposition.",
            selection=[(asset.pk, _label(asset)) for asset in assets],
            selection_heading=f"{len(assets)} asset(s)",
            action=action,
            obj=obj,
        )
