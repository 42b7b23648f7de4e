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
from .custody import EvidenceFileViewSet, LotViewSet, VendorViewSet
from .inventory import AssetViewSet, EventViewSet, PartModelViewSet, SiteViewSet

__all__ = [
    "AssetViewSet",
    "CircularCenterViewSet",
    "DispositionViewSet",
    "EvidenceFileViewSet",
    "LotViewSet",
    "VendorViewSet",
    "EventViewSet",
    "PackagingRecordViewSet",
    "PartModelViewSet",
    "SanitizationBatchViewSet",
    "SanitizationViewSet",
    "ShipmentViewSet",
    "SiteViewSet",
    "TargetViewSet",
]
