"""Sanitization batches: drives purged together, a random sample of them verified (SPEC section 9).

NIST SP 800-88 Rev. 2 lets an organisation verify a representative sample of the media
sanitized in one run instead of every one. Here a batch records the run (its drives, the
method, the tool), the sample the product drew (its seed, so anyone can draw it again,
and which drives were drawn), and one result per sampled drive as it comes in.

Every row is append-only (``inventory.append_only``): a batch and its drawn sample are
what was recorded when it was created; a verification result is appended once and never
edited. Where a batch stands (``pending``, ``verified``, ``failed``) is derived from its
results, never stored, so nothing needs editing when the last result arrives.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from inventory.append_only import AppendOnlyModel
from inventory.models import Asset, Placement
from inventory.moments import stored_range, validate_moment

from ..choices import SanitizationMethod
from .core import CircularCenter, _in_choices


class SanitizationBatch(AppendOnlyModel):
    """Drives sanitized together at one circular center, by one method and tool."""

    placement = Placement(center="center_id")

    code = models.CharField(max_length=32, unique=True, help_text="The batch's reference, e.g. the tool's job id.")
    center = models.ForeignKey(CircularCenter, on_delete=models.PROTECT, related_name="sanitization_batches")
    method = models.CharField(max_length=8, choices=SanitizationMethod.choices)
    performed_at = models.DateTimeField(validators=[validate_moment])
    performed_by = models.CharField(max_length=200, help_text="Who sanitized the drives.")
    tool = models.CharField(max_length=100, blank=True, help_text="The sanitization tool (software or device).")
    tool_version = models.CharField(max_length=50, blank=True)
    verification_method = models.CharField(
        max_length=200, blank=True, help_text="How a sampled drive is verified (e.g. full read-back of every sector)."
    )
    sample_size = models.PositiveIntegerField(help_text="Drives drawn for verification: 5 % rounded up, at least one.")
    seed = models.BigIntegerField(help_text="The seed of the random draw: the sample can be drawn again from it.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name_plural = "sanitization batches"
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("method", SanitizationMethod), name="sanitization_batch_method_valid"
            ),
            models.CheckConstraint(condition=Q(sample_size__gte=1), name="sanitization_batch_samples_one"),
            models.CheckConstraint(
                condition=stored_range("performed_at"), name="sanitization_batch_performed_at_in_range"
            ),
        ]

    def __str__(self):
        return self.code


class SanitizationBatchDrive(AppendOnlyModel):
    """A drive of a batch, and whether the draw picked it for verification."""

    placement = Placement(center="batch__center_id")

    batch = models.ForeignKey(SanitizationBatch, on_delete=models.PROTECT, related_name="drives")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="sanitization_batch_drives")
    sampled = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch", "asset__serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "asset"], name="sanitization_batch_drive_unique"),
        ]
        indexes = [models.Index(fields=["asset"], name="sanitization_batch_drive_idx")]

    def __str__(self):
        return f"{self.batch} {self.asset}{' (sampled)' if self.sampled else ''}"


class SanitizationSampleResult(AppendOnlyModel):
    """The verification of one sampled drive: passed or failed, once (SP 800-88 §4.7)."""

    placement = Placement(center="batch__center_id")

    batch = models.ForeignKey(SanitizationBatch, on_delete=models.PROTECT, related_name="results")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField()
    verified_at = models.DateTimeField(validators=[validate_moment])
    verified_by = models.CharField(max_length=200, help_text="Who verified the drive.")
    note = models.TextField(blank=True, help_text="What the verification found.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "verified_at", "id"]
        constraints = [
            # A result is never replaced: a second verification of the drive is refused.
            models.UniqueConstraint(fields=["batch", "asset"], name="sanitization_sample_result_unique"),
            models.CheckConstraint(
                condition=stored_range("verified_at"), name="sanitization_sample_verified_at_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=["batch"], condition=Q(passed=False), name="sanitization_sample_failed_idx"),
        ]

    def __str__(self):
        return f"{self.batch} {self.asset}: {'passed' if self.passed else 'failed'}"
