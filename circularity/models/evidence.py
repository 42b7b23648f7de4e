"""Evidence files: the certificates that come back from downstream (SPEC section 9).

A file is stored through Django's storage API (``STORAGES["evidence"]``: the file system
under ``var/evidence`` by default, an S3-compatible bucket when ``EVIDENCE_STORAGE_URL`` is
set), under a name generated on upload, and never overwritten or replaced: the row is
append-only and the ``sha256`` computed on upload lets an auditor check that a download is
the file received. Written only by ``circularity.evidence``.
"""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q

from inventory.append_only import AppendOnlyModel
from inventory.models import Placement

from ..choices import EvidenceKind
from .core import SanitizationRecord
from .lots import Lot
from .vendors import VendorCertification


class EvidenceStorage(Storage):
    """``STORAGES["evidence"]``, looked up on every use: a ``FileField`` keeps the storage it
    was given when the model class was built, and settings may change after (tests)."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["evidence"], name)


_EVIDENCE_STORAGE = EvidenceStorage()


def evidence_storage():
    """The storage of evidence files (``STORAGES["evidence"]``: see ``assetlife.storage``)."""
    return _EVIDENCE_STORAGE


class EvidenceFile(AppendOnlyModel):
    """One received file and what it proves: exactly one of a vendor's certification, a lot's
    certificate of recycling or destruction, or a sanitization certificate."""

    # A lot's certificate lies at the lot's center, a sanitization certificate at its
    # asset's site; a vendor's certification lies nowhere (read it through the vendor).
    placement = Placement(site="sanitization__asset__site_id", center="lot__center_id")

    kind = models.CharField(max_length=32, choices=EvidenceKind.choices)
    certification = models.ForeignKey(
        VendorCertification, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    sanitization = models.ForeignKey(
        SanitizationRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(storage=evidence_storage, max_length=255, upload_to="evidence/")
    original_name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=64, help_text="Sniffed from its first bytes.")
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Hex SHA-256 of the content, computed on upload.")
    received_at = models.DateTimeField(help_text="When the file was received (uploaded).")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=EvidenceKind.VENDOR_CERTIFICATION,
                        certification__isnull=False,
                        lot__isnull=True,
                        sanitization__isnull=True,
                    )
                    | Q(
                        kind=EvidenceKind.LOT_CERTIFICATE,
                        certification__isnull=True,
                        lot__isnull=False,
                        sanitization__isnull=True,
                    )
                    | Q(
                        kind=EvidenceKind.SANITIZATION_CERTIFICATE,
                        certification__isnull=True,
                        lot__isnull=True,
                        sanitization__isnull=False,
                    )
                ),
                name="evidence_proves_one_thing",
            ),
            models.UniqueConstraint(fields=["file"], name="evidence_unique_file"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name} ({self.sha256[:12]}…)"

    @property
    def subject(self):
        return self.certification or self.lot or self.sanitization
