"""Viewsets of the API, one module per app they speak for, re-exported here."""

from .circularity import (
    CircularCenterViewSet,
    DispositionViewSet,
    PackagingRecordViewSet,
    SanitizationBatchViewSet,
    SanitizationViewSet,
    ShipmentViewSet,
    TargetViewSet,
)
from .inventory import AssetViewSet, EventViewSet, PartModelViewSet, SiteViewSet

__all__ = [
    "AssetViewSet",
    "CircularCenterViewSet",
    "DispositionViewSet",
    "EventViewSet",
    "PackagingRecordViewSet",
    "PartModelViewSet",
    "SanitizationBatchViewSet",
    "SanitizationViewSet",
    "ShipmentViewSet",
    "SiteViewSet",
    "TargetViewSet",
]
