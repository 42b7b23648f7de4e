"""Circular centers, custody, sanitizations, dispositions, packaging and targets.

Dispositions, sanitizations and shipments are written only through the services of
``circularity`` (the serializers here check the request's shape); packaging records and
targets are plain data and are saved as they are.
"""

from __future__ import annotations

from rest_framework import serializers

from circularity.choices import Route, SanitizationMethod
from circularity.currencies import validate_currency
from circularity.models import (
    CircularCenter,
    Disposition,
    PackagingRecord,
    SanitizationBatch,
    SanitizationRecord,
    Shipment,
    Target,
)

from ..fields import AssetField, AssetListField, CenterField, MomentField, PartModelField, SiteField
from .custody import VendorField


class CircularCenterSerializer(serializers.ModelSerializer):
    sites = SiteField(many=True, required=False, help_text="Codes of the sites (campus) it serves.")

    class Meta:
        model = CircularCenter
        fields = ["code", "name", "sites", "onsite_routes"]

    def validate_code(self, value: str) -> str:
        value = value.strip()
        if "/" in value:
            raise serializers.ValidationError("A center code cannot contain '/'.")
        return value


class ShipmentSerializer(serializers.ModelSerializer):
    """A shipment; posting one ships its (decommissioned, top-level) assets."""

    from_site = SiteField()
    to_center = CenterField()
    shipped_at = MomentField()
    assets = AssetListField(help_text="Serial numbers of the top-level assets shipped.")

    class Meta:
        model = Shipment
        fields = ["id", "from_site", "to_center", "shipped_at", "received_at", "tracking_ref", "assets", "created_at"]
        read_only_fields = ["received_at", "created_at"]

    def validate_assets(self, value):
        if not value:
            raise serializers.ValidationError("A shipment needs at least one asset.")
        return value


class ReceiveSerializer(serializers.Serializer):
    received_at = MomentField()


class SanitizationSerializer(serializers.ModelSerializer):
    asset = AssetField()
    performed_at = MomentField()

    class Meta:
        model = SanitizationRecord
        fields = [
            "id",
            "asset",
            "method",
            "performed_at",
            "performed_by",
            "verified",
            "certificate_id",
            "tool",
            "tool_version",
            "verification_method",
            "verified_by",
            "batch",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at", "batch"]
        extra_kwargs = {"performed_by": {"help_text": "Who sanitized (a technician, or the vendor)."}}

    batch = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The sanitization batch whose verified sample certified it."
    )

    def validate(self, attrs):
        if attrs.get("verified") and not attrs.get("certificate_id", "").strip():
            raise serializers.ValidationError({"certificate_id": "A verified sanitization needs its certificate id."})
        return attrs


class DispositionSerializer(serializers.ModelSerializer):
    """One disposition row: one asset of the tree the decision was made for."""

    asset = serializers.SlugRelatedField(slug_field="serial_number", read_only=True)
    tree_root = serializers.SlugRelatedField(
        slug_field="serial_number", read_only=True, help_text="The asset the decision was made for."
    )
    center = serializers.SlugRelatedField(slug_field="code", read_only=True)
    site = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The site the asset was decommissioned from."
    )
    to_site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    vendor = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The vendor's code.")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Disposition
        fields = [
            "id",
            "asset",
            "tree_root",
            "center",
            "site",
            "category",
            "route",
            "decided_at",
            "mass_kg",
            "embodied_kgco2e",
            "hazardous",
            "to_site",
            "vendor",
            "certificate_id",
            "proceeds",
            "currency",
            "actor",
            "recorded_at",
        ]
        read_only_fields = fields


class DispositionCreateSerializer(serializers.Serializer):
    """``POST /dispositions/``: the decision for an asset at a center, and its tree."""

    asset = AssetField()
    center = CenterField()
    route = serializers.ChoiceField(choices=Route.choices)
    decided_at = MomentField()
    to_site = SiteField(required=False, allow_null=True, help_text="For reuse: the site it returns to.")
    vendor = VendorField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The vendor's code: who takes it (any route but reuse), unless the center carries the route out "
        "itself. Refused (409) unless the vendor takes the route and holds a required certification valid on "
        "decided_at.",
    )
    certificate_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    proceeds = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Resale only: what the buyer paid, in currency (kept on the row of the asset decided for).",
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_currency],
        help_text="ISO 4217.",
    )

    def validate(self, attrs):
        if attrs.get("proceeds") is not None and attrs["route"] != Route.RESALE:
            raise serializers.ValidationError({"proceeds": f"Proceeds are for resale only, not {attrs['route']}."})
        if attrs.get("proceeds") is not None and not attrs.get("currency"):
            raise serializers.ValidationError({"currency": "Proceeds need their ISO 4217 currency (e.g. EUR)."})
        if attrs.get("currency") and attrs.get("proceeds") is None:
            raise serializers.ValidationError({"proceeds": "A currency was given without proceeds."})
        if attrs["route"] == Route.REUSE and attrs.get("to_site") is None:
            raise serializers.ValidationError({"to_site": "Reuse names the site the asset returns to."})
        if attrs["route"] != Route.REUSE and attrs.get("to_site") is not None:
            raise serializers.ValidationError(
                {"to_site": f"Only reuse returns an asset to a site, not {attrs['route']}."}
            )
        return attrs


class SampleDriveSerializer(serializers.Serializer):
    asset = serializers.CharField(help_text="Serial number of the drive.")
    sampled = serializers.BooleanField(help_text="Drawn for verification.")
    result = serializers.ChoiceField(
        choices=["passed", "failed"], allow_null=True, help_text="Its verification; null if not (yet) verified."
    )


class SanitizationBatchSerializer(serializers.ModelSerializer):
    """A batch of drives sanitized together; posting one draws the sample to verify."""

    center = CenterField()
    performed_at = MomentField()
    drives = AssetListField(write_only=True, help_text="Serial numbers of the drives sanitized together.")
    code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="Blank: one is made (SB-YYYYMMDD-XXXXXX)."
    )
    state = serializers.ChoiceField(
        choices=["pending", "verified", "failed"], read_only=True, help_text="From its sampled drives' results."
    )
    drive_count = serializers.IntegerField(read_only=True)
    sample = SampleDriveSerializer(many=True, read_only=True, help_text="Every drive, sampled or not, with its result.")

    class Meta:
        model = SanitizationBatch
        fields = [
            "code",
            "center",
            "method",
            "performed_at",
            "performed_by",
            "tool",
            "tool_version",
            "verification_method",
            "drives",
            "drive_count",
            "sample_size",
            "seed",
            "state",
            "sample",
            "recorded_at",
        ]
        read_only_fields = ["sample_size", "seed", "recorded_at"]
        extra_kwargs = {"method": {"choices": SanitizationMethod.choices}}

    def validate_code(self, value: str) -> str:
        value = value.strip()
        if "/" in value:
            raise serializers.ValidationError("A batch code cannot contain '/'.")
        return value

    def validate_drives(self, value):
        if not value:
            raise serializers.ValidationError("A batch has at least one drive.")
        return value


class SampleResultSerializer(serializers.Serializer):
    asset = serializers.CharField(max_length=64, help_text="Serial number of a sampled drive.")
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was found.")


class SampleResultsSerializer(serializers.Serializer):
    """``POST /sanitization-batches/{code}/results/``: results of sampled drives, appended once."""

    verified_at = MomentField()
    verified_by = serializers.CharField(max_length=200)
    results = SampleResultSerializer(many=True, allow_empty=False)


class PackagingRecordSerializer(serializers.ModelSerializer):
    site = SiteField()
    part_model = PartModelField(required=False, allow_null=True)

    class Meta:
        model = PackagingRecord
        fields = [
            "id",
            "received_on",
            "site",
            "supplier",
            "part_model",
            "package_count",
            "packaging_mass_g",
            "single_use_plastic_g",
        ]

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        mass, plastic, count = value("packaging_mass_g"), value("single_use_plastic_g"), value("package_count")
        errors = {}
        if mass is not None and mass <= 0:
            errors["packaging_mass_g"] = "A package has a mass: give it in grams, above 0."
        if plastic is not None and plastic < 0:
            errors["single_use_plastic_g"] = "Plastic cannot be negative."
        elif mass is not None and plastic is not None and plastic > mass:
            errors["single_use_plastic_g"] = f"More plastic ({plastic} g) than the whole package ({mass} g)."
        if count is not None and count < 1:
            errors["package_count"] = "At least one package."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TargetSerializer(serializers.ModelSerializer):
    """A target, and where it stands (read-only, computed by ``circularity.targets``).

    The view attaches the ``TargetStatus`` as ``progress`` before rendering.
    """

    latest_fiscal_year = serializers.IntegerField(source="progress.fiscal_year", read_only=True)
    latest_value = serializers.FloatField(
        source="progress.value", read_only=True, allow_null=True, help_text="The metric, fiscal year to date."
    )
    baseline = serializers.FloatField(
        source="progress.baseline",
        read_only=True,
        allow_null=True,
        help_text="The stated baseline, or the metric's value in the baseline fiscal year.",
    )
    trajectory_value = serializers.FloatField(source="progress.trajectory", read_only=True, allow_null=True)
    on_track = serializers.BooleanField(source="progress.on_track", read_only=True, allow_null=True)
    projection = serializers.FloatField(
        source="progress.projection",
        read_only=True,
        allow_null=True,
        help_text="Least-squares trend of the last 24 months, read at the end of the target fiscal year.",
    )
    projected_to_meet = serializers.BooleanField(source="progress.projected_to_meet", read_only=True, allow_null=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "metric",
            "comparison",
            "target_value",
            "target_fiscal_year",
            "baseline_fiscal_year",
            "baseline_value",
            "description",
            "latest_fiscal_year",
            "latest_value",
            "baseline",
            "trajectory_value",
            "on_track",
            "projection",
            "projected_to_meet",
        ]

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        baseline_year, target_year = value("baseline_fiscal_year"), value("target_fiscal_year")
        if baseline_year is not None and target_year is not None and baseline_year >= target_year:
            raise serializers.ValidationError(
                {"baseline_fiscal_year": f"The baseline (FY{baseline_year}) comes before the target (FY{target_year})."}
            )
        return attrs
