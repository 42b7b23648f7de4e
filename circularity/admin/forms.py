"""Forms of the circularity admin. They parse what a person typed; the services judge it.

No rule of the domain is checked here (the sanitization gate, the transition table, who
may ship what): the services do that and their refusals are shown as they are. A form
only turns text into values and says which field is unreadable.

Forms that name sites, centers or assets take the user's access ``scope``: they offer
and accept only those in it, and a serial number outside it is unknown
(``inventory.admin.scoping.limit_choices``).
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.html import format_html

from inventory.admin.forms import MomentField
from inventory.admin.scoping import limit_choices
from inventory.choices import Status
from inventory.models import Asset, Site
from inventory.scopes import Scope, visible

from ..choices import Route, SanitizationMethod
from ..currencies import validate_currency
from ..models import CircularCenter, Target, Vendor

SERIAL_SEPARATORS = re.compile(r"[\s,;]+")


def parse_serials(text: str) -> list[str]:
    """Serial numbers pasted one per line, or separated by spaces, commas or semicolons."""
    seen: dict[str, None] = {}
    for serial in SERIAL_SEPARATORS.split(text or ""):
        if serial:
            seen.setdefault(serial)
    return list(seen)


def moment_field(label: str, help_text: str = "") -> MomentField:
    return MomentField(label=label, help_text=help_text)


def awaiting_shipment(site: Site):
    """Decommissioned top-level assets at ``site``: what an operator can put on a pallet."""
    return (
        Asset.objects.filter(site=site, status=Status.DECOMMISSIONED, parent__isnull=True)
        .select_related("part_model")
        .order_by("serial_number")
    )


class AssetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.serial_number} — {obj.part_model} ({obj.part_model.get_category_display()})"


class AssetPicker(FilteredSelectMultiple):
    """The admin's two-box picker, wrapped as the admin wraps it so its script lays it out."""

    def render(self, *args, **kwargs):
        return format_html('<div class="related-widget-wrapper">{}</div>', super().render(*args, **kwargs))


class ShipmentForm(forms.Form):
    from_site = forms.ModelChoiceField(Site.objects.all(), label="From site")
    to_center = forms.ModelChoiceField(CircularCenter.objects.all(), label="To circular center")
    shipped_at = moment_field("Shipped at")
    tracking_ref = forms.CharField(label="Tracking reference", max_length=100, required=False)
    serial_numbers = forms.CharField(
        label="Serial numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40, "placeholder": "One serial number per line"}),
        help_text="Paste or scan serial numbers of decommissioned top-level assets (one per line, or "
        "separated by spaces or commas). Whatever is installed in them travels with them.",
    )
    assets = AssetChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        label="Or pick assets",
        widget=AssetPicker("assets", is_stacked=False),
        help_text="Decommissioned top-level assets at the chosen site.",
    )

    def __init__(self, *args, scope: Scope | None, site: Site | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if site is None:
            del self.fields["assets"]
        else:
            self.fields["assets"].queryset = awaiting_shipment(site)
        limit_choices(self, scope)

    def clean(self):
        cleaned = super().clean()
        pasted = parse_serials(cleaned.get("serial_numbers", ""))
        picked = [asset.serial_number for asset in cleaned.get("assets") or ()]
        if pasted:
            named = visible(Asset.objects.filter(serial_number__in=pasted), self.scope)
            known = set(named.values_list("serial_number", flat=True))
            unknown = [serial for serial in pasted if serial not in known]
            if unknown:
                self.add_error("serial_numbers", f"No asset has serial number: {', '.join(unknown)}.")
        serials = list(dict.fromkeys(pasted + picked))
        if not serials and not self.has_error("serial_numbers"):
            raise forms.ValidationError("Paste serial numbers or pick assets: a shipment needs at least one.")
        cleaned["serials"] = serials
        return cleaned


class ReceiveForm(forms.Form):
    received_at = moment_field("Received at")


class DispositionFields(forms.Form):
    route = forms.ChoiceField(choices=Route.choices)
    center = forms.ModelChoiceField(
        CircularCenter.objects.all(), label="Circular center", help_text="The center holding the asset."
    )
    decided_at = moment_field("Decided at")
    to_site = forms.ModelChoiceField(
        Site.objects.all(), required=False, label="To site", help_text="For reuse: the site it returns to."
    )
    vendor = forms.ModelChoiceField(
        Vendor.objects.all(),
        required=False,
        to_field_name="code",
        help_text="Who takes it (any route but reuse), unless the center carries the route out itself; "
        "the vendor must take the route and hold a required certification valid that day.",
    )
    certificate_id = forms.CharField(
        max_length=100, required=False, label="Certificate", help_text="The vendor's certificate or lot number."
    )


class DispositionForm(DispositionFields):
    """One asset (and everything installed in it), named by serial number."""

    asset = forms.CharField(label="Serial number", max_length=64)
    proceeds = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Resale only: what the buyer paid."
    )
    currency = forms.CharField(
        max_length=3, required=False, validators=[validate_currency], help_text="ISO 4217 code of the proceeds (EUR)."
    )
    field_order = ["asset", "route", "center", "decided_at", "to_site", "vendor", "certificate_id"]

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def __init__(self, *args, scope: Scope | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        limit_choices(self, scope)

    def clean_asset(self):
        return asset_in_scope(self.cleaned_data["asset"], self.scope)


def asset_in_scope(serial: str, scope: Scope | None) -> Asset:
    """The asset a person named by serial number; one outside their scope is unknown."""
    serial = serial.strip()
    asset = visible(Asset.objects.filter(serial_number=serial), scope).first()
    if asset is None:
        raise forms.ValidationError(f"No asset has serial number {serial!r}.")
    return asset


class SanitizationFields(forms.Form):
    method = forms.ChoiceField(choices=SanitizationMethod.choices, help_text="NIST SP 800-88: clear, purge or destroy.")
    performed_at = moment_field("Performed at")
    performed_by = forms.CharField(max_length=200, help_text="Who sanitized: the technician or vendor.")
    tool = forms.CharField(max_length=100, required=False, help_text="The sanitization tool (software or device).")
    tool_version = forms.CharField(max_length=50, required=False)
    verification_method = forms.CharField(
        max_length=200, required=False, help_text="How the result was verified (NIST SP 800-88 Rev. 2)."
    )
    verified = forms.BooleanField(required=False, help_text="The result was verified (needs its certificate).")
    verified_by = forms.CharField(max_length=200, required=False, help_text="Who verified it.")
    certificate_id = forms.CharField(max_length=100, required=False, label="Certificate")


class SanitizationForm(SanitizationFields):
    asset = forms.CharField(label="Serial number", max_length=64)
    field_order = ["asset", "method", "performed_at", "performed_by", "tool", "tool_version"]

    def __init__(self, *args, scope: Scope | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_asset(self):
        return asset_in_scope(self.cleaned_data["asset"], self.scope)


class SanitizationBatchForm(forms.Form):
    """Drives sanitized together at one center: the product draws the sample to verify."""

    code = forms.CharField(
        max_length=32, required=False, help_text="The batch's reference (e.g. the tool's job id); blank: one is made."
    )
    center = forms.ModelChoiceField(CircularCenter.objects.all(), label="Circular center")
    method = forms.ChoiceField(choices=SanitizationMethod.choices, help_text="NIST SP 800-88: clear, purge or destroy.")
    performed_at = moment_field("Performed at")
    performed_by = forms.CharField(max_length=200, help_text="Who sanitized the drives.")
    tool = forms.CharField(max_length=100, required=False)
    tool_version = forms.CharField(max_length=50, required=False)
    verification_method = forms.CharField(
        max_length=200, required=False, help_text="How a sampled drive is verified (e.g. full read-back)."
    )
    serial_numbers = forms.CharField(
        label="Drives",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40, "placeholder": "One serial number per line"}),
        help_text="The drives of the batch, held at the center (one per line, or separated by spaces or commas).",
    )

    def __init__(self, *args, scope: Scope | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        limit_choices(self, scope)

    def clean_serial_numbers(self):
        serials = parse_serials(self.cleaned_data["serial_numbers"])
        known = set(
            visible(Asset.objects.filter(serial_number__in=serials), self.scope).values_list("serial_number", flat=True)
        )
        unknown = [serial for serial in serials if serial not in known]
        if unknown:
            raise forms.ValidationError(f"No asset has serial number: {', '.join(unknown)}.")
        return serials


class SampleResultsForm(forms.Form):
    """One choice per sampled drive still awaiting its result; blank ones are left for later."""

    verified_at = moment_field("Verified at")
    verified_by = forms.CharField(max_length=200, help_text="Who verified the drives.")

    def __init__(self, *args, awaiting: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.awaiting = awaiting
        for serial in awaiting:
            self.fields[f"drive_{serial}"] = forms.ChoiceField(
                label=serial,
                required=False,
                choices=[("", "—"), ("passed", "Passed"), ("failed", "Failed")],
            )

    def results(self) -> list[tuple[str, bool]]:
        return [
            (serial, self.cleaned_data[f"drive_{serial}"] == "passed")
            for serial in self.awaiting
            if self.cleaned_data.get(f"drive_{serial}")
        ]


class DismantleForm(forms.Form):
    occurred_at = moment_field("Dismantled at")
    note = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs={"size": 60}))


class TargetForm(forms.ModelForm):
    """A target; its values are fractions and its years FY2000 … FY2100 (the model's validators say so)."""

    class Meta:
        model = Target
        fields = [
            "metric",
            "comparison",
            "target_value",
            "target_fiscal_year",
            "baseline_fiscal_year",
            "baseline_value",
            "description",
        ]
