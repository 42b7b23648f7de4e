"""Vendors and their certifications, lots, evidence files (SPEC section 9).

Written only through the ``circularity`` services (``vendors.vendor_certify``,
``lots.lot_create``, ``evidence.evidence_receive``); refusals answer 409 (lots) or 400
(a file of the wrong type or size) through ``api.errors``. Lists have fixed query counts
(tests/api/test_query_counts.py): the certifications, dispositions and evidence of a page
are prefetched, the lots' weights computed in the same query as the lots.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from circularity import evidence, lots, vendors
from circularity.metrics.lots import with_weights
from circularity.models import EvidenceFile, Lot, LotItem, Vendor, VendorCertification
from inventory.scopes import SCOPED, SHARED, scope_for, visible

from ..filters import EvidenceFileFilter, LotFilter, VendorFilter
from ..serializers.custody import (
    EvidenceFileSerializer,
    LotSerializer,
    VendorCertificationSerializer,
    VendorSerializer,
)
from .inventory import NATURAL_KEY_REGEX

EVIDENCE_SUMMARY = EvidenceFile.objects.only(
    "id", "certification_id", "lot_id", "original_name", "content_type", "size_bytes", "sha256", "received_at"
).order_by("received_at", "id")


class VendorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Downstream vendors, by code, with their certifications and the files that prove them."""

    scope_policy = SHARED  # the organisation's vendors: read in full, written by unscoped staff
    serializer_class = VendorSerializer
    lookup_field = "code"
    lookup_value_regex = NATURAL_KEY_REGEX
    filterset_class = VendorFilter
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {"certifications": ["circularity.add_vendorcertification"]}

    def get_queryset(self):
        certifications = VendorCertification.objects.order_by("-valid_until", "scheme", "id").prefetch_related(
            Prefetch("evidence", queryset=EVIDENCE_SUMMARY)
        )
        return Vendor.objects.prefetch_related(Prefetch("certifications", queryset=certifications))

    @extend_schema(request=VendorCertificationSerializer, responses={201: VendorCertificationSerializer})
    @action(detail=True, methods=["post"])
    def certifications(self, request, code=None):
        """Record a certification of the vendor (JSON, or multipart with its certificate ``file``)."""
        vendor = self.get_object()
        serializer = VendorCertificationSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        certification = vendors.vendor_certify(
            vendor=vendor,
            scheme=data["scheme"],
            certificate_number=data["certificate_number"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            upload=data.get("file"),
            actor=request.user,
        )
        written = VendorCertification.objects.prefetch_related(Prefetch("evidence", queryset=EVIDENCE_SUMMARY)).get(
            pk=certification.pk
        )
        context = self.get_serializer_context()
        return Response(VendorCertificationSerializer(written, context=context).data, status=status.HTTP_201_CREATED)


class LotViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Lots shipped to vendors, by code: weight ticket, recorded mass, tolerance, certificate.

    A lot is closed by posting its certificate of recycling or destruction to
    ``/evidence-files/`` (``kind=lot_certificate``, ``lot=<code>``).
    """

    scope_policy = SCOPED
    serializer_class = LotSerializer
    lookup_field = "code"
    lookup_value_regex = NATURAL_KEY_REGEX
    filterset_class = LotFilter
    ordering_fields = ["shipped_at", "code", "id"]
    ordering = ["-shipped_at", "-id"]

    def get_queryset(self):
        queryset = with_weights(Lot.objects.select_related("center", "vendor")).prefetch_related(
            Prefetch("items", queryset=LotItem.objects.only("id", "lot_id", "disposition_id")),
            Prefetch("evidence", queryset=EVIDENCE_SUMMARY),
        )
        return visible(queryset, scope_for(self.request))

    def perform_create(self, serializer):
        data = serializer.validated_data
        lot = lots.lot_create(
            code=data["code"],
            center=data["center"],
            vendor=data["vendor"],
            route=data["route"],
            seal_number=data.get("seal_number", ""),
            shipped_at=data["shipped_at"],
            gross_kg=data["gross_kg"],
            tare_kg=data["tare_kg"],
            dispositions=data.get("dispositions", []),
            actor=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=lot.pk)


class EvidenceFileViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Evidence files: certificates received, with the SHA-256 computed on upload.

    Posted multipart (``kind``, ``file`` and the one thing it proves); never replaced or
    edited. ``download`` answers the file as stored, with its recorded SHA-256 in the
    ``X-Checksum-SHA256`` header to compare with the download's own.
    """

    scope_policy = SCOPED
    serializer_class = EvidenceFileSerializer
    filterset_class = EvidenceFileFilter
    ordering_fields = ["received_at", "id"]
    ordering = ["-received_at", "-id"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = EvidenceFile.objects.select_related("lot", "uploaded_by")
        return visible(queryset, scope_for(self.request))

    def perform_create(self, serializer):
        data = serializer.validated_data
        received = evidence.evidence_receive(
            upload=data["file"],
            kind=data["kind"],
            certification=data.get("certification"),
            lot=data.get("lot"),
            sanitization=data.get("sanitization"),
            uploaded_by=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=received.pk)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file as stored; compare its SHA-256 with ``sha256`` (also in ``X-Checksum-SHA256``)."""
        found = self.get_object()
        with found.file.open("rb") as stored:  # at most EVIDENCE_MAX_BYTES
            response = HttpResponse(stored.read(), content_type=found.content_type)
        response["Content-Disposition"] = content_disposition_header(True, found.original_name)
        response["X-Checksum-SHA256"] = found.sha256
        return response
