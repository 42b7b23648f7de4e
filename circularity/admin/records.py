"""Dispositions and sanitizations (recorded through their services, then read-only),
packaging records and targets (edited by analysts and operators).

The "add" page of a disposition or a sanitization is its service's form: the asset is
named by serial number (the triage page links here with ``?asset=<serial>``), and a
refusal, such as the sanitization gate naming every asset that lacks a certificate, is
shown as it is, with the form kept as typed.

Dispositions, sanitizations and packaging records lie where their sites and centers are:
a scoped user sees and records only those (an asset outside the scope is an unknown serial
number). Targets are the organisation's: read-only for scoped users.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from inventory.admin.readonly import ReadOnlyAdminMixin
from inventory.admin.scoping import ScopedAdminMixin, SharedAdminMixin
from inventory.choices import Source
from inventory.errors import LifecycleError
from inventory.models import Asset
from inventory.scopes import scope_for, visible

from .. import metrics
from ..dispositions import record_disposition, record_sanitization
from ..models import AssetAtCenter, Disposition, PackagingRecord, SanitizationRecord, Target
from .base import CircularityAdmin, moment, render_form_page, report_refusals, submitted
from .forms import DispositionForm, SanitizationForm, TargetForm


def _asset_from_query(request) -> Asset | None:
    serial = request.GET.get("asset", "").strip()
    if not serial:
        return None
    assets = Asset.objects.select_related("center", "part_model").filter(serial_number=serial)
    return visible(assets, scope_for(request)).first()


@admin.register(Disposition)
class DispositionAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, CircularityAdmin):
    list_display = (
        "asset",
        "route",
        "center",
        "site",
        "category",
        "mass_kg",
        "hazardous",
        "decided",
        "part_of",
        "vendor",
        "certificate_id",
        "value",
    )
    list_select_related = ("asset", "tree_root", "center", "site", "to_site", "vendor")
    list_filter = ("route", "center", "site", "category", "hazardous")
    date_hierarchy = "decided_at"
    search_fields = (
        "asset__serial_number",
        "tree_root__serial_number",
        "certificate_id",
        "vendor__code",
        "vendor__name",
    )
    readonly_fields = [field.name for field in Disposition._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return request.user.has_perm("circularity.add_disposition")

    @admin.display(description="Decided", ordering="decided_at")
    def decided(self, disposition):
        return moment(disposition.decided_at)

    @admin.display(description="Proceeds", ordering="proceeds")
    def value(self, disposition):
        return "—" if disposition.proceeds is None else f"{disposition.proceeds} {disposition.currency}"

    @admin.display(description="Part of", ordering="tree_root__serial_number")
    def part_of(self, disposition):
        if disposition.tree_root_id == disposition.asset_id:
            return "—"
        return disposition.tree_root.serial_number

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if submitted(request):
            form = DispositionForm(request.POST, scope=scope_for(request))
            if form.is_valid():
                data = form.cleaned_data
                try:
                    created = record_disposition(**data, source=Source.ADMIN, actor=request.user)
                except LifecycleError as error:
                    report_refusals(request, [error])
                else:
                    root = created[0]
                    self.log_addition(request, root, f"Recorded {root.route} ({len(created)} row(s)).")
                    parts = len(created) - 1
                    self.message_user(
                        request,
                        f"Recorded {root.get_route_display().lower()} for {root.asset}"
                        + (f" and {parts} installed part(s)" if parts else "")
                        + f" at {root.center.code}.",
                        messages.SUCCESS,
                    )
                    url = reverse("admin:circularity_disposition_changelist")
                    return HttpResponseRedirect(f"{url}?{urlencode({'q': root.asset.serial_number})}")
        else:
            asset = _asset_from_query(request)
            initial = {"asset": request.GET.get("asset", "")}
            if asset is not None and asset.center_id is not None:
                initial["center"] = asset.center
            form = DispositionForm(initial=initial, scope=scope_for(request))
        return render_form_page(
            self,
            request,
            title="Record a disposition",
            form=form,
            submit_label="Record disposition",
            intro="The route applies to the asset and to everything installed in it (each gets its own row, with "
            "its own mass). A data-bearing asset needs a verified sanitization first: clear, purge or destroy "
            "for reuse; purge or destroy for any other route.",
        )


@admin.register(SanitizationRecord)
class SanitizationRecordAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, CircularityAdmin):
    list_display = ("asset", "method", "performed", "performed_by", "tool", "verified", "verified_by", "certificate_id")
    list_select_related = ("asset",)
    list_filter = ("method", "verified")
    date_hierarchy = "performed_at"
    search_fields = ("asset__serial_number", "certificate_id", "performed_by", "verified_by", "batch__code")
    readonly_fields = (
        "asset",
        "method",
        "performed_at",
        "performed_by",
        "tool",
        "tool_version",
        "verification_method",
        "verified",
        "verified_by",
        "certificate_id",
        "batch",
        "recorded_at",
    )

    def has_add_permission(self, request):
        return request.user.has_perm("circularity.add_sanitizationrecord")

    @admin.display(description="Performed", ordering="performed_at")
    def performed(self, record):
        return moment(record.performed_at)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if submitted(request):
            form = SanitizationForm(request.POST, scope=scope_for(request))
            if form.is_valid():
                try:
                    record = record_sanitization(**form.cleaned_data)
                except LifecycleError as error:
                    report_refusals(request, [error])
                else:
                    self.log_addition(request, record, "Recorded.")
                    verified = "verified" if record.verified else "not verified"
                    self.message_user(
                        request,
                        f"Recorded {record.method} of {record.asset} ({verified}).",
                        messages.SUCCESS,
                    )
                    return self._after_sanitization(request, record)
        else:
            form = SanitizationForm(
                initial={
                    "asset": request.GET.get("asset", ""),
                    "performed_by": request.user.get_full_name() or request.user.get_username(),
                },
                scope=scope_for(request),
            )
        return render_form_page(
            self,
            request,
            title="Record a sanitization",
            form=form,
            submit_label="Record sanitization",
            intro="NIST SP 800-88: a verified clear, purge or destroy lets a data-bearing asset be reused; "
            "a verified purge or destroy lets it take any other route. A verified record needs its certificate.",
        )

    def _after_sanitization(self, request, record):
        """Back to the asset's triage page when it is at a center, else to the list."""
        if AssetAtCenter.objects.filter(pk=record.asset_id).exists():
            return HttpResponseRedirect(reverse("admin:circularity_assetatcenter_change", args=[record.asset_id]))
        return HttpResponseRedirect(reverse("admin:circularity_sanitizationrecord_changelist"))


@admin.register(PackagingRecord)
class PackagingRecordAdmin(ScopedAdminMixin, CircularityAdmin):
    list_display = (
        "received_on",
        "site",
        "supplier",
        "part_model",
        "package_count",
        "packaging_mass_g",
        "single_use_plastic_g",
        "plastic_content",
    )
    list_select_related = ("site", "part_model")
    list_filter = ("site",)
    date_hierarchy = "received_on"
    search_fields = ("supplier", "site__code", "part_model__model_number")

    def get_queryset(self, request):
        return metrics.with_plastic_content(super().get_queryset(request))

    @admin.display(description="Plastic content", ordering="plastic_content")
    def plastic_content(self, record):
        return "—" if record.plastic_content is None else f"{record.plastic_content:.1%}"


@admin.register(Target)
class TargetAdmin(SharedAdminMixin, CircularityAdmin):
    form = TargetForm
    list_display = (
        "metric",
        "comparison",
        "target_value",
        "target_fiscal_year",
        "baseline_fiscal_year",
        "baseline_value",
        "description",
    )
    list_filter = ("metric",)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard_url": reverse("circularity:dashboard")}
        return super().changelist_view(request, extra_context)
