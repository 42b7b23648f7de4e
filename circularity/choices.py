"""Choice sets of the circularity app, and which routes count as what (SPEC section 3)."""

from django.db import models

from inventory.choices import Status


class Route(models.TextChoices):
    REUSE = "reuse", "Reuse (back in the fleet)"
    RESALE = "resale", "Resale"
    RECYCLE = "recycle", "Recycle"
    INCINERATION_ENERGY_RECOVERY = "incineration_energy_recovery", "Incineration with energy recovery"
    INCINERATION = "incineration", "Incineration"
    LANDFILL = "landfill", "Landfill"


class DownstreamRoute(models.TextChoices):
    """The routes a vendor (or a center on site) can take: every route but reuse (SPEC section 9)."""

    RESALE = Route.RESALE.value, Route.RESALE.label
    RECYCLE = Route.RECYCLE.value, Route.RECYCLE.label
    INCINERATION_ENERGY_RECOVERY = Route.INCINERATION_ENERGY_RECOVERY.value, Route.INCINERATION_ENERGY_RECOVERY.label
    INCINERATION = Route.INCINERATION.value, Route.INCINERATION.label
    LANDFILL = Route.LANDFILL.value, Route.LANDFILL.label


REUSE_ROUTES = frozenset({Route.REUSE, Route.RESALE})
RECYCLE_ROUTES = frozenset({Route.RECYCLE})
DIVERTED_ROUTES = REUSE_ROUTES | RECYCLE_ROUTES
DISPOSAL_ROUTES = (Route.INCINERATION_ENERGY_RECOVERY, Route.INCINERATION, Route.LANDFILL)

# The state a disposition leaves the asset in.
ROUTE_STATUS = {
    Route.REUSE: Status.IN_STOCK,
    Route.RESALE: Status.RESOLD,
    Route.RECYCLE: Status.RECYCLED,
    Route.INCINERATION_ENERGY_RECOVERY: Status.DISPOSED,
    Route.INCINERATION: Status.DISPOSED,
    Route.LANDFILL: Status.DISPOSED,
}

# GRI 306 (2020) disclosure each route is reported under.
GRI_306 = {
    Route.REUSE: ("306-4", "Preparation for reuse"),
    Route.RESALE: ("306-4", "Preparation for reuse"),
    Route.RECYCLE: ("306-4", "Recycling"),
    Route.INCINERATION_ENERGY_RECOVERY: ("306-5", "Incineration with energy recovery"),
    Route.INCINERATION: ("306-5", "Incineration without energy recovery"),
    Route.LANDFILL: ("306-5", "Landfilling"),
}


class SanitizationMethod(models.TextChoices):
    """NIST SP 800-88 media sanitization methods."""

    CLEAR = "clear", "Clear"
    PURGE = "purge", "Purge"
    DESTROY = "destroy", "Destroy"


# Methods that let a data-bearing asset take a route (SPEC section 3, the gate).
METHODS_FOR_REUSE = frozenset({SanitizationMethod.CLEAR, SanitizationMethod.PURGE, SanitizationMethod.DESTROY})
METHODS_FOR_OTHER_ROUTES = frozenset({SanitizationMethod.PURGE, SanitizationMethod.DESTROY})


class Metric(models.TextChoices):
    REUSE_RECYCLE_RATE = "reuse_recycle_rate", "Reuse and recycling rate"
    REUSE_RATE = "reuse_rate", "Reuse rate"
    RECYCLE_RATE = "recycle_rate", "Recycling rate"
    AVG_PLASTIC_CONTENT = "avg_plastic_content", "Average single-use plastic content per package"


class Comparison(models.TextChoices):
    GTE = "gte", "at least"
    LTE = "lte", "at most"


class Dimension(models.TextChoices):
    """What a metric can be grouped by (SPEC section 4). ``total`` is no grouping."""

    TOTAL = "total", "Total"
    SITE = "site", "Site"
    CENTER = "center", "Circular center"
    CATEGORY = "category", "Category"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    FISCAL_YEAR = "fiscal_year", "Fiscal year"


class CertificationScheme(models.TextChoices):
    """Certifications a downstream vendor may hold (SPEC section 9)."""

    R2V3 = "r2v3", "R2v3"
    E_STEWARDS = "e_stewards", "e-Stewards"
    ISO14001 = "iso14001", "ISO 14001"
    ISO45001 = "iso45001", "ISO 45001"
    NAID_AAA = "naid_aaa", "NAID AAA"


class EvidenceKind(models.TextChoices):
    """What an evidence file proves."""

    VENDOR_CERTIFICATION = "vendor_certification", "Vendor certification"
    LOT_CERTIFICATE = "lot_certificate", "Certificate of recycling or destruction (lot)"
    SANITIZATION_CERTIFICATE = "sanitization_certificate", "Sanitization certificate"
