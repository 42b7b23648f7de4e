"""The circularity app's models, one module per subject; import them from here.

New subjects get a module of their own (e.g. ``vendors.py``) and one import line below.
"""

from .core import (
    FIRST_TARGET_YEAR,
    LAST_TARGET_YEAR,
    AssetAtCenter,
    AtCircularCenterManager,
    CircularCenter,
    ComplianceReport,
    Disposition,
    MonthlySnapshot,
    PackagingRecord,
    ReportRecipient,
    ReportState,
    SanitizationRecord,
    Shipment,
    SnapshotMonth,
    Target,
    validate_fraction,
    validate_target_year,
)
from .evidence import EvidenceFile, evidence_storage
from .lots import Lot, LotItem
from .sanitization import SanitizationBatch, SanitizationBatchDrive, SanitizationSampleResult
from .vendors import Vendor, VendorCertification, validate_downstream_routes

__all__ = [
    "FIRST_TARGET_YEAR",
    "LAST_TARGET_YEAR",
    "validate_fraction",
    "validate_target_year",
    "AssetAtCenter",
    "AtCircularCenterManager",
    "CircularCenter",
    "ComplianceReport",
    "Disposition",
    "MonthlySnapshot",
    "PackagingRecord",
    "ReportRecipient",
    "ReportState",
    "SanitizationBatch",
    "SanitizationBatchDrive",
    "SanitizationRecord",
    "SanitizationSampleResult",
    "Shipment",
    "SnapshotMonth",
    "Target",
    "EvidenceFile",
    "evidence_storage",
    "Lot",
    "LotItem",
    "Vendor",
    "VendorCertification",
    "validate_downstream_routes",
]
