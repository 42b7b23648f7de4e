"""Downstream custody (SPEC section 9): vendors, their certifications, lots, evidence files.

Certifications, lots and evidence files are written only by the ``circularity`` services
(``vendors``, ``lots``, ``evidence``); the serializers here check the request's shape.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from circularity.choices import CertificationScheme, DownstreamRoute, EvidenceKind
from circularity.models import (
    Disposition,
    EvidenceFile,
    Lot,
    SanitizationRecord,
    Vendor,
    VendorCertification,
    validate_downstream_routes,
)
from inventory.scopes import scope_for

from ..fields import CenterField, MomentField, in_callers_scope

DOWNSTREAM_ROUTES = DownstreamRoute.choices


class VendorField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else Vendor.objects.all())
        super().__init__(slug_field="code", **kwargs)
        self.error_messages["does_not_exist"] = "No vendor has code {value!r}."


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A row by id, looked up within the caller's access scope (one outside it is unknown)."""

    noun = "object"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"No {self.noun} has id {{pk_value}}."

    def get_queryset(self):
        return in_callers_scope(super().get_queryset(), self.context.get("request"))


class DispositionIdField(ScopedPrimaryKeyField):
    noun = "disposition"


class SanitizationIdField(ScopedPrimaryKeyField):
    noun = "sanitization"


class CertificationIdField(serializers.PrimaryKeyRelatedField):
    """A vendor's certification by id. Vendors are the organisation's: a caller with an
    access scope attaches no evidence to them (none is found)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = "No certification has id {pk_value}."

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.none() if request is not None and scope_for(request) is not None else queryset


class LotField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else Lot.objects.all())
        super().__init__(slug_field="code", **kwargs)
        self.error_messages["does_not_exist"] = "No lot has code {value!r}."

    def get_queryset(self):
        return in_callers_scope(super().get_queryset(), self.context.get("request"))


class EvidenceSummarySerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size_bytes", "sha256", "received_at", "download"]

    def get_download(self, evidence) -> str:
        path = reverse("evidence-file-download", kwargs={"pk": evidence.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class VendorCertificationSerializer(serializers.ModelSerializer):
    """A certification; posting one may carry its certificate (multipart ``file``)."""

    scheme = serializers.ChoiceField(choices=CertificationScheme.choices)
    evidence = EvidenceSummarySerializer(many=True, read_only=True)
    file = serializers.FileField(
        write_only=True, required=False, help_text="The certificate: PDF, PNG or JPEG (at most EVIDENCE_MAX_BYTES)."
    )

    class Meta:
        model = VendorCertification
        fields = [
            "id",
            "scheme",
            "certificate_number",
            "valid_from",
            "valid_until",
            "recorded_at",
            "evidence",
            "file",
        ]
        read_only_fields = ["recorded_at"]

    def validate(self, attrs):
        if attrs["valid_until"] < attrs["valid_from"]:
            raise serializers.ValidationError({"valid_until": "A certification ends on or after the day it starts."})
        return attrs


class VendorSerializer(serializers.ModelSerializer):
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=DOWNSTREAM_ROUTES),
        validators=[validate_downstream_routes],
        help_text="The routes it may take (never reuse).",
    )
    certifications = VendorCertificationSerializer(many=True, read_only=True)

    class Meta:
        model = Vendor
        fields = ["code", "name", "country", "routes", "migrated_from_text", "certifications"]
        read_only_fields = ["migrated_from_text"]

    def validate_code(self, value: str) -> str:
        value = value.strip()
        if "/" in value:
            raise serializers.ValidationError("A vendor code cannot contain '/'.")
        return value

    def validate_country(self, value: str) -> str:
        return value.upper()


class LotSerializer(serializers.ModelSerializer):
    """A lot with its weight ticket, compared with its dispositions' recorded mass."""

    center = CenterField()
    vendor = VendorField()
    route = serializers.ChoiceField(choices=DOWNSTREAM_ROUTES)
    shipped_at = MomentField()
    dispositions = DispositionIdField(
        many=True,
        queryset=Disposition.objects.all(),
        required=False,
        write_only=True,
        help_text="Ids of its dispositions (answered as a list of ids).",
    )
    net_kg = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True, source="net_kg_")
    recorded_kg = serializers.DecimalField(
        max_digits=18, decimal_places=3, read_only=True, help_text="Sum of its dispositions' mass_kg."
    )
    difference_kg = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)
    outside_tolerance = serializers.BooleanField(
        read_only=True, help_text="|net − recorded| > LOT_WEIGHT_TOLERANCE × recorded."
    )
    closed = serializers.BooleanField(source="is_closed", read_only=True)
    certificates = EvidenceSummarySerializer(many=True, read_only=True, source="evidence")

    class Meta:
        model = Lot
        fields = [
            "code",
            "center",
            "vendor",
            "route",
            "seal_number",
            "shipped_at",
            "gross_kg",
            "tare_kg",
            "net_kg",
            "recorded_kg",
            "difference_kg",
            "outside_tolerance",
            "closed",
            "closed_at",
            "certificates",
            "dispositions",
        ]
        read_only_fields = ["closed_at"]

    def validate(self, attrs):
        if attrs["gross_kg"] < attrs["tare_kg"]:
            raise serializers.ValidationError({"gross_kg": "The gross weight includes the tare: it cannot be less."})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["dispositions"] = sorted(item.disposition_id for item in instance.items.all())
        return data


class EvidenceFileSerializer(serializers.ModelSerializer):
    """An evidence file; posted multipart with what it proves (``kind`` and one subject)."""

    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    certification = CertificationIdField(queryset=VendorCertification.objects.all(), required=False, allow_null=True)
    lot = LotField(required=False, allow_null=True)
    sanitization = SanitizationIdField(queryset=SanitizationRecord.objects.all(), required=False, allow_null=True)
    file = serializers.FileField(write_only=True, help_text="PDF, PNG or JPEG, at most EVIDENCE_MAX_BYTES.")
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "kind",
            "certification",
            "lot",
            "sanitization",
            "file",
            "original_name",
            "content_type",
            "size_bytes",
            "sha256",
            "received_at",
            "uploaded_by",
            "download",
        ]
        read_only_fields = ["original_name", "content_type", "size_bytes", "sha256", "received_at"]

    def get_download(self, evidence) -> str:
        return EvidenceSummarySerializer(context=self.context).get_download(evidence)

    def validate(self, attrs):
        subject = {
            EvidenceKind.VENDOR_CERTIFICATION: "certification",
            EvidenceKind.LOT_CERTIFICATE: "lot",
            EvidenceKind.SANITIZATION_CERTIFICATE: "sanitization",
        }
        wanted = subject[attrs["kind"]]
        if attrs.get(wanted) is None:
            raise serializers.ValidationError({wanted: f"Evidence of kind {attrs['kind']} names its {wanted}."})
        others = [name for name in subject.values() if name != wanted and attrs.get(name) is not None]
        if others:
            message = f"Evidence of kind {attrs['kind']} proves its {wanted} only."
            raise serializers.ValidationError({others[0]: message})
        return attrs
