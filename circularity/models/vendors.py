"""Qualified downstream vendors and their certifications (SPEC section 9).

A vendor is another company that takes hardware out of a circular center (a recycler, a
reseller, a destruction service). It may take only the routes it lists (never ``reuse``:
reuse goes back into the fleet), and only while it holds a certification of a required
scheme (``DOWNSTREAM_REQUIRED_SCHEMES``). The gate that reads both lives in
``circularity.downstream``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from ..choices import CertificationScheme, Route


def validate_downstream_routes(value) -> None:
    """A list of routes a third party can take: routes of section 3, never ``reuse`` (one home)."""
    if not isinstance(value, list) or not all(isinstance(route, str) for route in value):
        raise ValidationError("Give a list of routes.", code="routes_not_a_list")
    unknown = sorted(set(value) - set(Route.values))
    if unknown:
        raise ValidationError(
            f"Not routes: {', '.join(unknown)} (routes: {', '.join(Route.values)}).", code="routes_unknown"
        )
    if Route.REUSE in value:
        raise ValidationError(
            "reuse goes back into the fleet: no vendor or onsite route takes it.", code="routes_reuse"
        )
    if len(set(value)) != len(value):
        raise ValidationError("A route is listed twice.", code="routes_repeated")


class Vendor(models.Model):
    """A downstream vendor: who takes hardware away from a circular center, by which routes."""

    code = models.CharField(max_length=32, unique=True, help_text="Short unique code, e.g. ECOREC-NL.")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 country code.")
    routes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_downstream_routes],
        help_text="The routes it may take (resale, recycle, incineration…; never reuse).",
    )
    migrated_from_text = models.BooleanField(
        default=False,
        help_text="Created from a free-text vendor name of an earlier disposition; uncertified until "
        "someone records its certifications.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def takes(self, route: str) -> bool:
        return route in (self.routes or [])


class VendorCertification(models.Model):
    """A certificate a vendor holds (R2v3, e-Stewards, ISO 14001, ISO 45001, NAID AAA),
    valid from ``valid_from`` to ``valid_until``, both days included."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="certifications")
    scheme = models.CharField(max_length=16, choices=CertificationScheme.choices)
    certificate_number = models.CharField(max_length=100)
    valid_from = models.DateField()
    valid_until = models.DateField(help_text="The last day it is valid (included).")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vendor__code", "-valid_until", "scheme"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheme__in=CertificationScheme.values), name="vendorcertification_scheme_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="vendorcertification_until_after_from"
            ),
            models.UniqueConstraint(
                fields=["vendor", "scheme", "certificate_number", "valid_from"],
                name="vendorcertification_unique_certificate",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="vendorcert_valid_until_idx")]

    def __str__(self):
        return f"{self.vendor} {self.get_scheme_display()} {self.certificate_number}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "A certification ends on or after the day it starts."})
