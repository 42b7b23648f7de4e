"""Serializers of the API, one module per app they speak for, re-exported here."""

from .circularity import (
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
from .inventory import (
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

__all__ = [
    "AssetSerializer",
    "BulkEventItemSerializer",
    "CircularCenterSerializer",
    "DispositionCreateSerializer",
    "DispositionSerializer",
    "EventSerializer",
    "GenealogySerializer",
    "InstallSerializer",
    "LifecycleResultSerializer",
    "PackagingRecordSerializer",
    "PartModelSerializer",
    "PartMoveSerializer",
    "ReceiveSerializer",
    "SampleResultsSerializer",
    "SanitizationBatchSerializer",
    "SanitizationSerializer",
    "ShipmentSerializer",
    "SiteSerializer",
    "TargetSerializer",
    "TransitionSerializer",
]
