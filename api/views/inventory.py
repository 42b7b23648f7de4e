"""Sites, part models, assets (with their lifecycle actions) and lifecycle events.

Views are thin: they read through the caller's scope, assets and events as rows
(``api.selectors``: a fixed number of queries per page, whatever its size), and write
through ``inventory.registration`` and ``inventory.lifecycle``. Lifecycle actions answer
the asset as it now is and the events they wrote (the asset's own first, then those of
the assets installed in it).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from circularity.genealogy import genealogy
from inventory import lifecycle
from inventory.choices import Action, Source
from inventory.errors import AssetNotFound
from inventory.models import Asset, LifecycleEvent, PartModel, Site
from inventory.registration import register_assets
from inventory.scopes import SCOPED, SCOPED_VIEW, SHARED, scope_for, visible

from .. import bulk, selectors
from ..filters import AssetFilter, EventFilter, PartModelFilter, SiteFilter
from ..pagination import AssetPagination, EventCursorPagination, HistoryCursorPagination
from ..serializers import (
    AssetSerializer,
    BulkEventItemSerializer,
    EventSerializer,
    GenealogySerializer,
    InstallSerializer,
    LifecycleResultSerializer,
    PartModelSerializer,
    PartMoveSerializer,
    SiteSerializer,
    TransitionSerializer,
)
from ..serializers.inventory import BulkResultSerializer
from .base import RowsMixin

# Natural keys may hold dots (``SN.001``); only a slash ends one.
NATURAL_KEY_REGEX = r"[^/]+"

# Changing an asset's state writes events: both permissions are needed.
LIFECYCLE_PERMISSIONS = ["inventory.change_asset", "inventory.add_lifecycleevent"]


class SiteViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Data-center sites, by code. Sites are not deleted through the API (assets refer to them)."""

    scope_policy = SCOPED_VIEW  # a scoped caller reads the sites of its scope
    serializer_class = SiteSerializer
    lookup_field = "code"
    lookup_value_regex = NATURAL_KEY_REGEX
    filterset_class = SiteFilter
    ordering_fields = ["code", "name", "region", "country"]
    ordering = ["code"]

    def get_queryset(self):
        return visible(Site.objects.all(), scope_for(self.request))


class PartModelViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Part models (SKUs), by id."""

    scope_policy = SHARED  # one catalogue for every campus
    queryset = PartModel.objects.all()
    serializer_class = PartModelSerializer
    filterset_class = PartModelFilter
    ordering_fields = ["id", "manufacturer", "model_number", "category", "mass_kg"]
    ordering = ["manufacturer", "model_number"]


HISTORY_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.DATETIME, description=description)
    for name, description in (
        ("occurred_after", "Events that occurred at or after this moment."),
        ("occurred_before", "Events that occurred before this moment."),
        ("recorded_after", "Events recorded at or after this moment."),
        ("recorded_before", "Events recorded before this moment."),
    )
] + [OpenApiParameter("action", OpenApiTypes.STR, enum=Action.values, description="transition, remove or install.")]


class AssetViewSet(RowsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Assets, by serial number. Registered here; changed afterwards only by the actions."""

    scope_policy = SCOPED
    serializer_class = AssetSerializer
    lookup_field = "serial_number"
    lookup_value_regex = NATURAL_KEY_REGEX
    filterset_class = AssetFilter
    ordering_fields = ["serial_number", "status", "deployed_at", "decommissioned_at", "created_at", "updated_at"]
    ordering = ["serial_number"]
    pagination_class = AssetPagination
    action_permissions = {
        "transition": LIFECYCLE_PERMISSIONS,
        "dismantle": LIFECYCLE_PERMISSIONS,
        "remove": LIFECYCLE_PERMISSIONS,
        "install": LIFECYCLE_PERMISSIONS,
        "events": ["inventory.view_asset", "inventory.view_lifecycleevent"],
        "genealogy": ["inventory.view_asset", "inventory.view_lifecycleevent"],
    }

    def get_queryset(self):
        return visible(Asset.objects.all(), scope_for(self.request))

    def rows(self, queryset):
        return selectors.asset_rows(queryset)

    def shape(self, rows):
        return selectors.shape_assets(rows)

    def list(self, request, *args, **kwargs):
        # The paginator builds the rows of the page alone (AssetPagination).
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.shape(page))

    def get_object(self):
        serial = self.kwargs[self.lookup_field]
        asset = self.get_queryset().filter(serial_number=serial).first()
        if asset is None:
            raise AssetNotFound(serial)
        return asset

    def create(self, request, *args, **kwargs):
        """Register an asset: it enters the fleet in stock or deployed, with a first event."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = self.register(serializer.validated_data)
        return Response(self.represent(asset), status=status.HTTP_201_CREATED)

    def register(self, data) -> Asset:
        asset = Asset(
            serial_number=data["serial_number"],
            asset_tag=data.get("asset_tag"),
            part_model=data["part_model"],
            site=data["site"],
            parent=data.get("parent"),
            status=data["status"],
            deployed_at=data.get("deployed_at"),
        )
        register_assets([asset], source=Source.API, actor=self.request.user, notes=["Registered through the API"])
        return asset

    def _answer(self, asset: Asset, events: list[LifecycleEvent]) -> Response:
        return Response(
            {"asset": self.represent(asset), "events": selectors.events_by_id(event.pk for event in events)}
        )

    def _payload(self, serializer_class, asset: Asset) -> dict:
        context = {**self.get_serializer_context(), "asset": asset}
        serializer = serializer_class(data=self.request.data, context=context)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=TransitionSerializer, responses=LifecycleResultSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, serial_number=None):
        """Move the asset (and everything installed in it) to another state."""
        asset = self.get_object()
        data = self._payload(TransitionSerializer, asset)
        events = lifecycle.transition(
            asset,
            to=data["to"],
            occurred_at=data["occurred_at"],
            center=data.get("center"),
            note=data["note"],
            source=Source.API,
            actor=request.user,
        )
        return self._answer(asset, events)

    @extend_schema(request=PartMoveSerializer, responses=LifecycleResultSerializer)
    @action(detail=True, methods=["post"])
    def dismantle(self, request, serial_number=None):
        """Harvest an asset at a circular center: remove everything installed in it."""
        asset = self.get_object()
        data = self._payload(PartMoveSerializer, asset)
        events = lifecycle.dismantle(
            asset, occurred_at=data["occurred_at"], note=data["note"], source=Source.API, actor=request.user
        )
        return self._answer(asset, events)

    @extend_schema(request=PartMoveSerializer, responses=LifecycleResultSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, serial_number=None):
        """Take a component out of its parent; it stays where it is, in the same state."""
        asset = self.get_object()
        data = self._payload(PartMoveSerializer, asset)
        event = lifecycle.remove(
            asset, occurred_at=data["occurred_at"], note=data["note"], source=Source.API, actor=request.user
        )
        return self._answer(asset, [event])

    @extend_schema(request=InstallSerializer, responses=LifecycleResultSerializer)
    @action(detail=True, methods=["post"])
    def install(self, request, serial_number=None):
        """Install a top-level asset into another at the same site or circular center."""
        asset = self.get_object()
        data = self._payload(InstallSerializer, asset)
        events = lifecycle.install(
            asset,
            parent=data["parent"],
            occurred_at=data["occurred_at"],
            note=data["note"],
            source=Source.API,
            actor=request.user,
        )
        return self._answer(asset, events)

    @extend_schema(request=None, responses=EventSerializer(many=True), parameters=HISTORY_PARAMETERS)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=HistoryCursorPagination)
    def events(self, request, serial_number=None):
        """The asset's history, oldest first (cursor-paginated)."""
        asset = self.get_object()
        events = EventFilter(request.query_params, queryset=LifecycleEvent.objects.filter(asset=asset), request=request)
        if not events.is_valid():
            return Response(events.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(selectors.event_rows(events.qs))
        return self.get_paginated_response(selectors.shape_events(page))

    @extend_schema(request=None, responses=GenealogySerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def genealogy(self, request, serial_number=None):
        """The parents the asset was installed in, with the moments in and out, and its lives."""
        return Response(GenealogySerializer(genealogy(self.get_object())).data)


class EventViewSet(RowsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Lifecycle events: read them (cursor-paginated), or post transitions in bulk."""

    scope_policy = SCOPED
    serializer_class = EventSerializer
    pagination_class = EventCursorPagination
    filterset_class = EventFilter
    ordering_fields = ["occurred_at", "recorded_at", "id"]
    ordering = ["-occurred_at", "-id"]
    action_permissions = {"create": ["inventory.add_lifecycleevent", "inventory.change_asset"]}

    def get_queryset(self):
        return visible(LifecycleEvent.objects.all(), scope_for(self.request))

    def rows(self, queryset):
        return selectors.event_rows(queryset)

    def shape(self, rows):
        return selectors.shape_events(rows)

    @extend_schema(
        request=BulkEventItemSerializer(many=True), responses={201: BulkResultSerializer, 200: BulkResultSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Apply a batch of transitions: all or none; an ``external_id`` seen before is a replay."""
        results = bulk.apply_batch(request.data, request=request)
        applied = sum(1 for result in results if result.result == bulk.APPLIED)
        body = {
            "applied": applied,
            "replayed": len(results) - applied,
            "results": [{"index": r.index, "result": r.result, "event": r.event} for r in results],
        }
        return Response(body, status=status.HTTP_201_CREATED if applied else status.HTTP_200_OK)
