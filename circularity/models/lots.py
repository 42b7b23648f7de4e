"""Lots: the sealed, weighed consignments that leave a circular center for a vendor (SPEC section 9).

A lot gathers dispositions of one center, vendor and route (``circularity.lots`` refuses
anything else). Its weight ticket (gross and tare, from the scale) is compared with the
recorded mass of its dispositions by ``circularity.metrics.lots``; it is closed when the
vendor's certificate of recycling or destruction arrives (an ``EvidenceFile``).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from inventory.models import Placement
from inventory.moments import stored_range, validate_moment

from ..choices import Route
from .core import CircularCenter, Disposition
from .vendors import Vendor


class Lot(models.Model):
    """A sealed consignment to a vendor, with the scale's weight ticket."""

    placement = Placement(center="center_id")  # at the center that shipped it

    code = models.CharField(max_length=32, unique=True, help_text="Unique lot code, e.g. AMS-CC-2024-0042.")
    center = models.ForeignKey(CircularCenter, on_delete=models.PROTECT, related_name="lots")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="lots")
    route = models.CharField(max_length=32, choices=Route.choices)
    seal_number = models.CharField(max_length=64, blank=True)
    shipped_at = models.DateTimeField(validators=[validate_moment])
    gross_kg = models.DecimalField(
        max_digits=12, decimal_places=3, validators=[MinValueValidator(0)], help_text="The scale: lot with pallet."
    )
    tare_kg = models.DecimalField(
        max_digits=12, decimal_places=3, validators=[MinValueValidator(0)], help_text="The scale: pallet, packaging."
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its certificate of recycling or destruction was received."
    )
    dispositions = models.ManyToManyField(Disposition, through="LotItem", related_name="lots")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(route__in=Route.values) & ~Q(route=Route.REUSE), name="lot_route_valid"),
            models.CheckConstraint(
                condition=Q(tare_kg__gte=0) & Q(gross_kg__gte=F("tare_kg")), name="lot_gross_over_tare"
            ),
            models.CheckConstraint(condition=stored_range("shipped_at"), name="lot_shipped_at_in_range"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("shipped_at")), name="lot_closed_after_shipped"
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "shipped_at"], name="lot_open_idx")]

    def __str__(self):
        return self.code

    @property
    def net_kg(self):
        return self.gross_kg - self.tare_kg

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class LotItem(models.Model):
    """A disposition in a lot: a row of its own, so the disposition (append-only) is never edited.

    A disposition travels in one lot at most.
    """

    placement = Placement(center="lot__center_id")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="items")
    disposition = models.OneToOneField(Disposition, on_delete=models.PROTECT, related_name="lot_item")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "disposition"]

    def __str__(self):
        return f"{self.lot} ∋ {self.disposition_id}"
