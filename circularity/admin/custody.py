"""Downstream custody in the admin: vendors and their certifications, lots, evidence files.

Vendors and certifications are the organisation's (``SHARED``: read by everyone, written
by unscoped staff). Lots lie at their center and evidence files with what they prove
(``SCOPED``). A certification with its file, a lot and an evidence file are written by the
``circularity`` services (``vendors``, ``lots``, ``evidence``); their forms check the file
(``evidence.inspect``) and the lot (``lots.lot_create`` tried, then rolled back) first, so a
refusal shows on the form and nothing is written. Evidence files are never edited: their
pages are read-only once received, with the SHA-256 and a download link.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from inventory.admin.forms import MomentField
from inventory.admin.scoping import ScopedAdminMixin, SharedAdminMixin
from inventory.models import Asset
from inventory.scopes import SCOPED, scope_for, visible

from .. import downstream, evidence, lots, vendors
from ..choices import DownstreamRoute
from ..errors import EvidenceRefused, LotRefused
from ..metrics.lots import with_weights
from ..models import Disposition, EvidenceFile, Lot, Vendor, VendorCertification
from .base import CircularityAdmin, moment


def routes_field(**kwargs) -> forms.Field:
    """A list of routes (never reuse) as checkboxes: vendors' routes, centers' onsite routes."""
    return forms.TypedMultipleChoiceField(
        choices=DownstreamRoute.choices, widget=forms.CheckboxSelectMultiple, required=False, **kwargs
    )


class RoutesAsCheckboxes:
    """For a ModelAdmin with a JSON list of routes: checkboxes, not a JSON text box."""

    routes_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.routes_fields:
            return routes_field(label=db_field.verbose_name.capitalize(), help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def evidence_file_field() -> forms.FileField:
    return forms.FileField(help_text="PDF, PNG or JPEG; its SHA-256 is recorded on upload.")


def clean_evidence(upload):
    """The form's check of a file: the service's own (``evidence.inspect``)."""
    if upload is not None:
        try:
            evidence.inspect(upload)
        except EvidenceRefused as refused:
            raise ValidationError(refused.sentence) from None
    return upload


def download_link(found: EvidenceFile):
    url = reverse("evidence-file-download", kwargs={"pk": found.pk})
    return format_html('<a href="{}">{}</a>', url, found.original_name)


class CertificationInline(admin.TabularInline):
    model = VendorCertification
    extra = 0
    fields = ("scheme", "certificate_number", "valid_from", "valid_until", "files")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Certificate files")
    def files(self, certification):
        return format_html_join(", ", "{}", ((download_link(f),) for f in certification.evidence.all())) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evidence")


@admin.register(Vendor)
class VendorAdmin(RoutesAsCheckboxes, SharedAdminMixin, CircularityAdmin):
    routes_fields = ("routes",)
    list_display = ("code", "name", "country", "route_list", "qualified_today", "migrated_from_text")
    list_filter = ("country", "migrated_from_text")
    search_fields = ("code", "name")
    inlines = [CertificationInline]

    def get_queryset(self, request):
        today = timezone.now().date()
        valid = VendorCertification.objects.filter(
            vendor=models.OuterRef("pk"),
            valid_from__lte=today,
            valid_until__gte=today,
            scheme__in=downstream.required_schemes(),
        )
        return super().get_queryset(request).annotate(qualified=models.Exists(valid))

    @admin.display(description="Routes")
    def route_list(self, vendor):
        return ", ".join(vendor.routes) or "—"

    @admin.display(description="Required certification valid today", boolean=True, ordering="qualified")
    def qualified_today(self, vendor):
        return vendor.qualified


class CertificationForm(forms.ModelForm):
    file = forms.FileField(
        required=False, label="Certificate file", help_text="PDF, PNG or JPEG; its SHA-256 is recorded on upload."
    )

    class Meta:
        model = VendorCertification
        fields = ["vendor", "scheme", "certificate_number", "valid_from", "valid_until"]

    def clean_file(self):
        return clean_evidence(self.cleaned_data.get("file"))


@admin.register(VendorCertification)
class VendorCertificationAdmin(SharedAdminMixin, CircularityAdmin):
    form = CertificationForm
    list_display = ("vendor", "scheme", "certificate_number", "valid_from", "valid_until", "files")
    list_filter = ("scheme",)
    list_select_related = ("vendor",)
    search_fields = ("vendor__code", "vendor__name", "certificate_number")
    date_hierarchy = "valid_until"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evidence")

    def get_readonly_fields(self, request, obj=None):
        return ("vendor", "scheme", "certificate_number", "valid_from", "valid_until") if obj else ()

    def get_fields(self, request, obj=None):
        fields = ["vendor", "scheme", "certificate_number", "valid_from", "valid_until"]
        return fields if obj else [*fields, "file"]

    @admin.display(description="Certificate files")
    def files(self, certification):
        return format_html_join(", ", "{}", ((download_link(f),) for f in certification.evidence.all())) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            return  # what a certificate said is not edited: record a new certification
        data = form.cleaned_data
        written = vendors.vendor_certify(
            vendor=data["vendor"],
            scheme=data["scheme"],
            certificate_number=data["certificate_number"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            upload=data.get("file"),
            actor=request.user,
        )
        obj.pk, obj.recorded_at = written.pk, written.recorded_at


class LotForm(forms.ModelForm):
    shipped_at = MomentField(label="Shipped at")
    serial_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Serial numbers of the dispositioned assets in the lot, one per line: each names the asset's "
        "latest disposition at this center, to this vendor, by this route.",
    )

    class Meta:
        model = Lot
        fields = ["code", "center", "vendor", "route", "seal_number", "shipped_at", "gross_kg", "tare_kg"]

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if "route" in self.fields:
            self.fields["route"].choices = DownstreamRoute.choices

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        serials = [line.strip() for line in cleaned.get("serial_numbers", "").splitlines() if line.strip()]
        latest = {}
        rows = visible(
            Disposition.objects.filter(
                asset__serial_number__in=serials,
                center=cleaned["center"],
                vendor=cleaned["vendor"],
                route=cleaned["route"],
            ),
            self.scope,
        ).order_by("decided_at", "pk")
        for row in rows.values("pk", "asset__serial_number"):
            latest[row["asset__serial_number"]] = row["pk"]
        unknown = [serial for serial in serials if serial not in latest]
        if unknown:
            raise ValidationError(
                {
                    "serial_numbers": f"No disposition of these at {cleaned['center']} to {cleaned['vendor']} by "
                    f"{cleaned['route']}: {', '.join(unknown)}."
                }
            )
        cleaned["dispositions"] = list(Disposition.objects.filter(pk__in=latest.values()))
        try:  # the service decides; tried here so a refusal shows on the form
            with transaction.atomic():
                lots.lot_create(**self.lot_arguments(cleaned))
                transaction.set_rollback(True)
        except LotRefused as refused:
            raise ValidationError(str(refused)) from None
        return cleaned

    @staticmethod
    def lot_arguments(cleaned) -> dict:
        names = ["code", "center", "vendor", "route", "seal_number", "shipped_at", "gross_kg", "tare_kg"]
        return {**{name: cleaned[name] for name in names}, "dispositions": cleaned["dispositions"]}


class OutsideToleranceFilter(admin.SimpleListFilter):
    title = "weight ticket"
    parameter_name = "weight"

    def lookups(self, request, model_admin):
        return [("outside", "Outside tolerance"), ("within", "Within tolerance")]

    def queryset(self, request, queryset):
        if self.value() in ("outside", "within"):
            return queryset.filter(outside_tolerance=self.value() == "outside")
        return queryset


class ClosedFilter(admin.SimpleListFilter):
    title = "certificate"
    parameter_name = "closed"

    def lookups(self, request, model_admin):
        return [("yes", "Received (closed)"), ("no", "Awaited (open)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(closed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Lot)
class LotAdmin(ScopedAdminMixin, CircularityAdmin):
    scope_policy = SCOPED
    form = LotForm
    list_display = (
        "code",
        "center",
        "vendor",
        "route",
        "shipped",
        "net",
        "recorded",
        "weight_flag",
        "closed",
    )
    list_select_related = ("center", "vendor")
    list_filter = ("route", "center", "vendor", OutsideToleranceFilter, ClosedFilter)
    search_fields = ("code", "seal_number", "vendor__code")
    date_hierarchy = "shipped_at"

    def get_queryset(self, request):
        return with_weights(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = scope_for(request)

        class ScopedLotForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, scope=scope, **inner)

        return ScopedLotForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "center", "vendor", "route", "seal_number", "shipped_at", "gross_kg", "tare_kg",
                    "serial_numbers"]  # fmt: skip
        return ["code", "center", "vendor", "route", "seal_number", "shipped", "gross_kg", "tare_kg", "net",
                "recorded", "weight_flag", "closed", "certificates", "disposition_list"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        lot = lots.lot_create(**form.lot_arguments(form.cleaned_data), actor=request.user)
        obj.pk, obj.created_at = lot.pk, lot.created_at

    def save_related(self, request, form, formsets, change):
        pass  # the service wrote the lot's dispositions

    @admin.display(description="Shipped", ordering="shipped_at")
    def shipped(self, lot):
        return moment(lot.shipped_at)

    @admin.display(description="Net kg (scale)", ordering="net_kg_")
    def net(self, lot):
        return lot.net_kg_

    @admin.display(description="Recorded kg", ordering="recorded_kg")
    def recorded(self, lot):
        return lot.recorded_kg

    @admin.display(description="Weight", ordering="outside_tolerance")
    def weight_flag(self, lot):
        if lot.outside_tolerance:
            difference = f"{lot.difference_kg:+}"
            return format_html('<strong class="errornote">Outside tolerance ({} kg)</strong>', difference)
        return "Within tolerance"

    @admin.display(description="Certificate", ordering="closed_at")
    def closed(self, lot):
        return f"received {moment(lot.closed_at)}" if lot.closed_at else "awaited"

    @admin.display(description="Certificates of recycling or destruction")
    def certificates(self, lot):
        found = lot.evidence.order_by("received_at")
        rows = ((download_link(f), f.sha256) for f in found)
        return format_html_join(mark_safe("<br>"), "{} sha256 {}", rows) or "—"

    @admin.display(description="Dispositions")
    def disposition_list(self, lot):
        serials = Asset.objects.filter(dispositions__lot_item__lot=lot).order_by("serial_number")
        return ", ".join(serials.values_list("serial_number", flat=True)) or "—"


class EvidenceForm(forms.ModelForm):
    file = evidence_file_field()

    class Meta:
        model = EvidenceFile
        fields = ["kind", "certification", "lot", "sanitization"]

    def clean_file(self):
        return clean_evidence(self.cleaned_data.get("file"))

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned:
            try:
                evidence.check_subject(
                    cleaned["kind"], cleaned.get("certification"), cleaned.get("lot"), cleaned.get("sanitization")
                )
            except EvidenceRefused as refused:
                raise ValidationError(refused.sentence) from None
        return cleaned


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ScopedAdminMixin, CircularityAdmin):
    scope_policy = SCOPED
    form = EvidenceForm
    list_display = ("received", "kind", "proves", "download", "sha256", "size_bytes", "uploaded_by")
    list_select_related = ("lot", "certification__vendor", "sanitization__asset", "uploaded_by")
    list_filter = ("kind",)
    search_fields = ("sha256", "original_name", "lot__code", "certification__certificate_number")
    raw_id_fields = ("sanitization",)
    date_hierarchy = "received_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "certification", "lot", "sanitization", "file"]
        return ["kind", "proves", "download", "content_type", "size_bytes", "sha256", "received", "uploaded_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "certification" and scope_for(request) is not None:
            kwargs["queryset"] = VendorCertification.objects.none()  # the organisation's
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        written = evidence.evidence_receive(
            upload=data["file"],
            kind=data["kind"],
            certification=data.get("certification"),
            lot=data.get("lot"),
            sanitization=data.get("sanitization"),
            uploaded_by=request.user,
        )
        obj.pk, obj.received_at = written.pk, written.received_at

    @admin.display(description="Received", ordering="received_at")
    def received(self, found):
        return moment(found.received_at)

    @admin.display(description="Proves")
    def proves(self, found):
        return str(found.subject)

    @admin.display(description="File")
    def download(self, found):
        return download_link(found)
