"""Circular centers, shipments, sanitizations, dispositions, packaging records, targets.

Shipments, sanitizations and dispositions are written only by the ``circularity``
services (``custody.ship``/``receive``, ``dispositions.record_*``); their refusals answer
409 through ``api.errors``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assetlife.replica import on_replica
from circularity import custody, dispositions, sanitization, targets
from circularity.metrics import shared_series
from circularity.models import (
    CircularCenter,
    Disposition,
    PackagingRecord,
    SanitizationBatch,
    SanitizationBatchDrive,
    SanitizationRecord,
    SanitizationSampleResult,
    Shipment,
    Target,
)
from inventory import moments
from inventory.choices import Source
from inventory.errors import MomentRefused
from inventory.models import Asset, Site
from inventory.scopes import SCOPED, SCOPED_VIEW, SHARED, scope_for, visible

from .. import selectors
from ..filters import (
    CircularCenterFilter,
    DispositionFilter,
    PackagingRecordFilter,
    SanitizationBatchFilter,
    SanitizationFilter,
    ShipmentFilter,
    TargetFilter,
)
from ..serializers import (
    CircularCenterSerializer,
    DispositionCreateSerializer,
    DispositionSerializer,
    PackagingRecordSerializer,
    ReceiveSerializer,
    SampleResultsSerializer,
    SanitizationBatchSerializer,
    SanitizationSerializer,
    ShipmentSerializer,
    TargetSerializer,
)
from .base import RowsMixin
from .inventory import NATURAL_KEY_REGEX


class CircularCenterViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Circular centers, by code, with the sites they serve."""

    scope_policy = SCOPED_VIEW  # a scoped caller reads the centers of its scope
    serializer_class = CircularCenterSerializer
    lookup_field = "code"
    lookup_value_regex = NATURAL_KEY_REGEX
    filterset_class = CircularCenterFilter
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self):
        queryset = CircularCenter.objects.prefetch_related(Prefetch("sites", queryset=Site.objects.only("id", "code")))
        return visible(queryset, scope_for(self.request))


class ShipmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Shipments from a site to a circular center. Posting one ships its assets."""

    scope_policy = SCOPED
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["shipped_at", "received_at", "id"]
    ordering = ["-shipped_at", "-id"]
    action_permissions = {
        "create": ["circularity.add_shipment", "inventory.change_asset"],
        "receive": ["circularity.change_shipment", "inventory.change_asset"],
    }

    def get_queryset(self):
        assets = Asset.objects.only("id", "serial_number").order_by("serial_number")
        queryset = Shipment.objects.select_related("from_site", "to_center").prefetch_related(
            Prefetch("assets", queryset=assets)
        )
        return visible(queryset, scope_for(self.request))

    def perform_create(self, serializer):
        data = serializer.validated_data
        shipment = custody.ship(
            assets=data["assets"],
            from_site=data["from_site"],
            to_center=data["to_center"],
            shipped_at=data["shipped_at"],
            tracking_ref=data.get("tracking_ref", ""),
            source=Source.API,
            actor=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=shipment.pk)

    @extend_schema(request=ReceiveSerializer, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """The shipment arrived: its assets still in transit are now at the center."""
        shipment = self.get_object()
        serializer = ReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        custody.receive(
            shipment=shipment,
            received_at=serializer.validated_data["received_at"],
            source=Source.API,
            actor=request.user,
        )
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data)


class SanitizationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Media sanitizations (NIST SP 800-88) of data-bearing assets."""

    scope_policy = SCOPED
    serializer_class = SanitizationSerializer
    filterset_class = SanitizationFilter
    ordering_fields = ["performed_at", "recorded_at", "id"]
    ordering = ["-performed_at", "-id"]

    def get_queryset(self):
        return visible(SanitizationRecord.objects.select_related("asset"), scope_for(self.request))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = dispositions.record_sanitization(
            asset=data["asset"],
            method=data["method"],
            performed_at=data["performed_at"],
            performed_by=data["performed_by"],
            verified=data.get("verified", False),
            certificate_id=data.get("certificate_id", ""),
            tool=data.get("tool", ""),
            tool_version=data.get("tool_version", ""),
            verification_method=data.get("verification_method", ""),
            verified_by=data.get("verified_by", ""),
        )


class SanitizationBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Sanitization batches by code: drives purged together, a drawn sample, its results.

    Posting a batch draws its sample (5 % rounded up, at least one drive, from a stored
    seed); ``POST .../results/`` appends the sampled drives' verification results.
    """

    scope_policy = SCOPED
    serializer_class = SanitizationBatchSerializer
    filterset_class = SanitizationBatchFilter
    lookup_field = "code"
    lookup_value_regex = NATURAL_KEY_REGEX
    ordering_fields = ["performed_at", "recorded_at", "code"]
    ordering = ["-performed_at", "-id"]
    action_permissions = {
        "create": ["circularity.add_sanitizationbatch"],
        "results": ["circularity.add_sanitizationsampleresult"],
    }

    def get_queryset(self):
        drives = SanitizationBatchDrive.objects.select_related("asset").only(
            "batch_id", "sampled", "asset__serial_number"
        )
        results = SanitizationSampleResult.objects.only("batch_id", "asset_id", "passed")
        queryset = sanitization.with_state(SanitizationBatch.objects.select_related("center")).prefetch_related(
            Prefetch("drives", queryset=drives), Prefetch("results", queryset=results)
        )
        return visible(queryset, scope_for(self.request))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        _attach_sample(page if page is not None else [])
        return page

    def get_object(self):
        batch = super().get_object()
        _attach_sample([batch])
        return batch

    def perform_create(self, serializer):
        data = serializer.validated_data
        batch = sanitization.sanitization_batch_create(
            center=data["center"],
            serial_numbers=[asset.serial_number for asset in data["drives"]],
            method=data["method"],
            performed_at=data["performed_at"],
            performed_by=data["performed_by"],
            code=data.get("code", ""),
            tool=data.get("tool", ""),
            tool_version=data.get("tool_version", ""),
            verification_method=data.get("verification_method", ""),
            actor=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=batch.pk)
        _attach_sample([serializer.instance])

    @extend_schema(request=SampleResultsSerializer, responses=SanitizationBatchSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request, code=None):
        """Append the verification results of sampled drives (each once; never edited)."""
        batch = self.get_object()
        serializer = SampleResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sanitization.sanitization_batch_record_results(
            batch=batch,
            results=[sanitization.SampleResult(row["asset"], row["passed"], row["note"]) for row in data["results"]],
            verified_at=data["verified_at"],
            verified_by=data["verified_by"],
        )
        batch = self.get_queryset().get(pk=batch.pk)
        _attach_sample([batch])
        return Response(SanitizationBatchSerializer(batch).data)


def _attach_sample(batches) -> None:
    """Each batch's state and drives with their results, from what was prefetched (no query)."""
    for batch in batches:
        outcome = {result.asset_id: "passed" if result.passed else "failed" for result in batch.results.all()}
        batch.sample = [
            {"asset": drive.asset.serial_number, "sampled": drive.sampled, "result": outcome.get(drive.asset_id)}
            for drive in sorted(batch.drives.all(), key=lambda drive: drive.asset.serial_number)
        ]
        batch.state = sanitization.state_of(batch.sample_size, batch.result_count, batch.failed_count)


class DispositionViewSet(RowsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Dispositions: one row per asset of the tree a decision was made for."""

    scope_policy = SCOPED
    serializer_class = DispositionSerializer
    filterset_class = DispositionFilter
    ordering_fields = ["decided_at", "recorded_at", "mass_kg", "id"]
    ordering = ["-decided_at", "-id"]

    def get_queryset(self):
        return visible(Disposition.objects.all(), scope_for(self.request))

    def rows(self, queryset):
        return selectors.disposition_rows(queryset)

    def shape(self, rows):
        return selectors.shape_dispositions(rows)

    @extend_schema(request=DispositionCreateSerializer, responses={201: DispositionSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        """Decide the route of an asset at a circular center; answers the rows written."""
        serializer = DispositionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = dispositions.record_disposition(
            asset=data["asset"],
            center=data["center"],
            route=data["route"],
            decided_at=data["decided_at"],
            to_site=data.get("to_site"),
            vendor=data["vendor"],
            certificate_id=data["certificate_id"],
            proceeds=data.get("proceeds"),
            currency=data.get("currency", ""),
            source=Source.API,
            actor=request.user,
        )
        written = selectors.disposition_rows(Disposition.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk"))
        return Response(selectors.shape_dispositions(written), status=status.HTTP_201_CREATED)


class PackagingRecordViewSet(viewsets.ModelViewSet):
    """Packages received at sites, with their mass and single-use plastic (per package)."""

    scope_policy = SCOPED
    serializer_class = PackagingRecordSerializer
    filterset_class = PackagingRecordFilter
    ordering_fields = ["received_on", "package_count", "id"]
    ordering = ["-received_on", "-id"]

    def get_queryset(self):
        return visible(PackagingRecord.objects.select_related("site"), scope_for(self.request))


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Evaluate the targets on this day (default: today, UTC)."
)


@extend_schema_view(list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF]))
class TargetViewSet(viewsets.ModelViewSet):
    """Targets, each with where it stands: latest value, trajectory, on-track, projection."""

    scope_policy = SHARED  # the organisation's commitments
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["target_fiscal_year", "metric", "id"]
    ordering = ["target_fiscal_year", "metric"]

    def as_of(self) -> dt.date:
        value = self.request.query_params.get("as_of")
        if not value:
            return timezone.now().date()
        try:
            return moments.parse_day(value, field="as_of")
        except MomentRefused as refused:
            raise ValidationError({"as_of": [refused.sentence]}) from None

    def attach_progress(self, items, as_of: dt.date | None = None) -> None:
        """Compute the targets' statuses; targets of one metric share its series (and queries)."""
        as_of = as_of or self.as_of()

        def statuses():
            with shared_series():
                return [targets.target_status(target, as_of) for target in items]

        for target, progress in zip(items, on_replica(statuses), strict=True):
            target.progress = progress

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self.attach_progress(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        self.attach_progress([target])
        return Response(self.get_serializer(target).data)

    def perform_create(self, serializer):
        as_of = self.as_of()  # a bad as_of is refused before anything is saved
        serializer.save()
        self.attach_progress([serializer.instance], as_of)

    def perform_update(self, serializer):
        as_of = self.as_of()
        serializer.save()
        self.attach_progress([serializer.instance], as_of)
