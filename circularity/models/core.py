"""Circular centers, custody, sanitization, dispositions, packaging, targets, snapshots.

Fields follow SPEC section 1. Rows here are written by the services beside this module
(``custody``, ``dispositions``, ``snapshots``); the formulas that read them live only in
``metrics``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from inventory.append_only import AppendOnlyModel
from inventory.choices import Category, Status
from inventory.models import Asset, PartModel, Placement, Site
from inventory.moments import stored_range, validate_day, validate_moment

from ..choices import Comparison, Dimension, Metric, Route, SanitizationMethod
from ..currencies import validate_currency
from .vendors import validate_downstream_routes


def _in_choices(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


class CircularCenter(models.Model):
    """A facility beside one or more data-center sites that triages retired hardware."""

    placement = Placement(center="pk")

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    sites = models.ManyToManyField(
        Site, related_name="circular_centers", blank=True, help_text="The sites (campus) it serves."
    )
    onsite_routes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_downstream_routes],
        help_text="Routes it carries out itself (e.g. recycle where it shreds drives on site): a "
        "disposition by one of them may name no vendor.",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Shipment(models.Model):
    """Decommissioned assets sent from a site to a circular center."""

    # At the site it leaves and the center it is bound for; its manifest with it.
    placement = Placement(site="from_site_id", center="to_center_id")

    from_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="shipments")
    to_center = models.ForeignKey(CircularCenter, on_delete=models.PROTECT, related_name="shipments")
    shipped_at = models.DateTimeField(validators=[validate_moment])
    received_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    tracking_ref = models.CharField(max_length=100, blank=True)
    assets = models.ManyToManyField(Asset, related_name="shipments", help_text="The top-level assets shipped.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_at__gte=F("shipped_at")),
                name="shipment_received_after_shipped",
            ),
            models.CheckConstraint(condition=stored_range("shipped_at"), name="shipment_shipped_at_in_range"),
            models.CheckConstraint(condition=stored_range("received_at"), name="shipment_received_at_in_range"),
        ]
        indexes = [models.Index(fields=["received_at", "shipped_at"], name="shipment_open_idx")]

    def __str__(self):
        ref = self.tracking_ref or f"#{self.pk}"
        return f"{ref} {self.from_site} → {self.to_center}"

    @property
    def is_received(self) -> bool:
        return self.received_at is not None


class AtCircularCenterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=Status.AT_CIRCULAR_CENTER)


class AssetAtCenter(Asset):
    """An asset held at a circular center: the technicians' triage queue in the admin.

    A proxy of ``inventory.Asset`` (no table of its own) so the circularity admin can list
    the queue with its own actions without touching the inventory's Asset admin.
    """

    objects = AtCircularCenterManager()

    class Meta:
        proxy = True
        verbose_name = "asset at a circular center"
        verbose_name_plural = "assets at circular centers"


class SanitizationRecord(AppendOnlyModel):
    """A media sanitization (NIST SP 800-88) performed on a data-bearing asset.

    Append-only (``inventory.append_only``): what a certificate said is never edited; a
    new sanitization is a new record.
    """

    placement = Placement(site="asset__site_id", center="asset__center_id")  # with its asset

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="sanitizations")
    method = models.CharField(max_length=8, choices=SanitizationMethod.choices)
    performed_at = models.DateTimeField(validators=[validate_moment])
    performed_by = models.CharField(max_length=200, help_text="Technician or vendor who did it.")
    verified = models.BooleanField(default=False, help_text="The result was verified (SP 800-88 §4.7).")
    certificate_id = models.CharField(max_length=100, blank=True)
    # NIST SP 800-88 Rev. 2 evidence (issue 12): ``performed_by`` is who sanitized.
    tool = models.CharField(max_length=100, blank=True, help_text="The sanitization tool (software or device).")
    tool_version = models.CharField(max_length=50, blank=True)
    verification_method = models.CharField(max_length=200, blank=True, help_text="How the result was verified.")
    verified_by = models.CharField(max_length=200, blank=True, help_text="Who verified it.")
    batch = models.ForeignKey(
        "circularity.SanitizationBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        help_text="The batch whose sampled verification this certificate comes from.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("method", SanitizationMethod), name="sanitization_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(verified=False) | ~Q(certificate_id=""), name="sanitization_verified_has_certificate"
            ),
            models.CheckConstraint(condition=stored_range("performed_at"), name="sanitization_performed_at_in_range"),
        ]
        indexes = [models.Index(fields=["asset", "verified", "method"], name="sanitization_gate_idx")]

    def __str__(self):
        return f"{self.asset} {self.method} {self.certificate_id or '(no certificate)'}"


class Disposition(AppendOnlyModel):
    """The route a circular center chose for one asset in one custody cycle.

    Append-only (``inventory.append_only``), as the events are: what was reported stays
    what was decided.

    ``site``, ``category``, ``mass_kg``, ``embodied_kgco2e`` and ``hazardous`` are copied from the asset
    when the decision is recorded: later changes to the asset or its part model do not
    rewrite what was reported (and the metrics need no joins).
    """

    # At the center that decided it and the site the asset came from (its own copies:
    # a reused asset that moves on does not take its past dispositions along).
    placement = Placement(site="site_id", center="center_id")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="dispositions")
    tree_root = models.ForeignKey(
        Asset,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The asset the decision was made for (itself, or the parent it was installed in).",
    )
    center = models.ForeignKey(CircularCenter, on_delete=models.PROTECT, related_name="dispositions")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="dispositions",
        help_text="The site the asset was decommissioned from.",
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    route = models.CharField(max_length=32, choices=Route.choices)
    decided_at = models.DateTimeField(validators=[validate_moment])
    mass_kg = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(0)])
    embodied_kgco2e = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    hazardous = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Its part model's hazardous flag when it was decided (GRI 306, ESRS E5).",
    )
    to_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For reuse: the site the asset returns to.",
    )
    vendor = models.ForeignKey(
        "circularity.Vendor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispositions",
        help_text="Who took it (any route but reuse), unless the center carries the route out itself.",
    )
    certificate_id = models.CharField(max_length=100, blank=True)
    # Value recovered (issue 12): resale only; reported per currency, never summed across.
    proceeds = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="For resale: what the buyer paid for this asset, in ``currency``.",
    )
    currency = models.CharField(max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_in_choices("route", Route), name="disposition_route_valid"),
            models.CheckConstraint(condition=_in_choices("category", Category), name="disposition_category_valid"),
            models.CheckConstraint(condition=Q(mass_kg__gte=0), name="disposition_mass_non_negative"),
            models.CheckConstraint(
                condition=~Q(route=Route.REUSE) | Q(to_site__isnull=False), name="disposition_reuse_has_site"
            ),
            models.CheckConstraint(condition=stored_range("decided_at"), name="disposition_decided_at_in_range"),
            models.CheckConstraint(
                condition=(Q(proceeds__isnull=True) & Q(currency=""))
                | (Q(route=Route.RESALE) & Q(proceeds__gte=0) & Q(currency__regex=r"^[A-Z]{3}$")),
                name="disposition_proceeds_resale_with_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["decided_at"], name="disposition_decided_idx"),
            models.Index(fields=["asset", "decided_at"], name="disposition_asset_idx"),
            # The compliance report's exceptions read what was recorded in a month (imports).
            models.Index(fields=["recorded_at"], name="disposition_recorded_idx"),
        ]

    def __str__(self):
        return f"{self.asset} → {self.route}"


class PackagingRecord(models.Model):
    """Packages received at a site, with their mass and single-use plastic (per package)."""

    placement = Placement(site="site_id")

    received_on = models.DateField(validators=[validate_day])
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="packaging_records")
    supplier = models.CharField(max_length=200)
    part_model = models.ForeignKey(PartModel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    package_count = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    packaging_mass_g = models.DecimalField(max_digits=12, decimal_places=3, help_text="Mass of one package, grams.")
    single_use_plastic_g = models.DecimalField(
        max_digits=12, decimal_places=3, help_text="Single-use plastic in one package, grams."
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(package_count__gte=1), name="packaging_count_positive"),
            models.CheckConstraint(condition=Q(packaging_mass_g__gt=0), name="packaging_mass_positive"),
            models.CheckConstraint(
                condition=Q(single_use_plastic_g__gte=0) & Q(single_use_plastic_g__lte=F("packaging_mass_g")),
                name="packaging_plastic_within_mass",
            ),
            models.CheckConstraint(
                condition=stored_range("received_on", day=True), name="packaging_received_on_in_range"
            ),
        ]
        indexes = [models.Index(fields=["received_on"], name="packaging_received_idx")]

    def __str__(self):
        return f"{self.received_on} {self.site} {self.supplier} × {self.package_count}"


# A target is a commitment of this century; a fiscal year outside it is a typo (FY0, FY20300).
FIRST_TARGET_YEAR, LAST_TARGET_YEAR = 2000, 2100


def validate_fraction(value) -> None:
    """Every targeted metric is a fraction: say so before a 90 is saved (the one home of the rule)."""
    if value is not None and not 0 <= value <= 1:
        raise ValidationError(
            f"Write it as a fraction between 0 and 1 (0.90 for 90 %), not {value}.", code="not_a_fraction"
        )


def validate_target_year(value) -> None:
    if value is not None and not FIRST_TARGET_YEAR <= value <= LAST_TARGET_YEAR:
        raise ValidationError(
            f"FY{value} is outside FY{FIRST_TARGET_YEAR} … FY{LAST_TARGET_YEAR}.", code="fiscal_year_out_of_range"
        )


def _fraction(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 1})


def _target_year(field: str) -> Q:
    return Q(**{f"{field}__gte": FIRST_TARGET_YEAR, f"{field}__lte": LAST_TARGET_YEAR})


class Target(models.Model):
    """A public commitment: a metric to reach by a fiscal year, from a baseline."""

    metric = models.CharField(max_length=32, choices=Metric.choices)
    comparison = models.CharField(max_length=3, choices=Comparison.choices)
    target_value = models.DecimalField(
        max_digits=10, decimal_places=6, validators=[validate_fraction], help_text="A fraction: 0.90 is 90 %."
    )
    target_fiscal_year = models.PositiveSmallIntegerField(validators=[validate_target_year])
    baseline_fiscal_year = models.PositiveSmallIntegerField(validators=[validate_target_year])
    baseline_value = models.DecimalField(
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_fraction],
        help_text="A fraction; blank: the metric's value in the baseline fiscal year.",
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["target_fiscal_year", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "target_fiscal_year"], name="target_unique_metric_year"),
            models.CheckConstraint(condition=_in_choices("metric", Metric), name="target_metric_valid"),
            models.CheckConstraint(condition=_in_choices("comparison", Comparison), name="target_comparison_valid"),
            models.CheckConstraint(
                condition=Q(baseline_fiscal_year__lt=F("target_fiscal_year")), name="target_baseline_before_target"
            ),
            models.CheckConstraint(condition=_target_year("target_fiscal_year"), name="target_fiscal_year_in_range"),
            models.CheckConstraint(
                condition=_target_year("baseline_fiscal_year"), name="target_baseline_fiscal_year_in_range"
            ),
            models.CheckConstraint(condition=_fraction("target_value"), name="target_value_is_fraction"),
            models.CheckConstraint(condition=_fraction("baseline_value"), name="target_baseline_value_is_fraction"),
        ]

    def __str__(self):
        metric, comparison = self.get_metric_display(), self.get_comparison_display()
        return f"{metric} {comparison} {self.target_value} by FY{self.target_fiscal_year}"


class MonthlySnapshot(models.Model):
    """Sums of one closed month's dispositions, per grouping, refreshed by a Celery job.

    Long format: one row per (month, dimension, group, route, hazardous, onsite) present,
    holding units, mass and avoided carbon, so a new split is data, not a migration. Sums
    only; every figure is derived from them by ``circularity.metrics``, the one place
    formulas live.
    """

    month = models.DateField(help_text="First day of the month (UTC).")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    group_key = models.CharField(
        max_length=32, blank=True, help_text="Site or center code, or category; blank for the total."
    )
    route = models.CharField(max_length=32, choices=Route.choices)
    hazardous = models.BooleanField()
    onsite = models.BooleanField(help_text="Carried out by the operator itself (no vendor).")
    units = models.BigIntegerField(default=0)
    mass_kg = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    avoided_kgco2e = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "dimension", "group_key", "route", "hazardous", "onsite"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "group_key", "route", "hazardous", "onsite"],
                name="snapshot_unique_month_group_cell",
            ),
            models.CheckConstraint(condition=_in_choices("dimension", Dimension), name="snapshot_dimension_valid"),
            models.CheckConstraint(condition=_in_choices("route", Route), name="snapshot_route_valid"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dimension} {self.group_key} {self.route}".strip()


class SnapshotMonth(models.Model):
    """Fill state of one month's snapshots: fresh, or marked stale by a new disposition.

    A disposition recorded for a closed month marks that month stale; the refresh job
    recomputes stale months only, and a crashed refresh leaves the mark to retry.
    """

    month = models.DateField(unique=True)
    stale = models.BooleanField(default=True)
    version = models.BigIntegerField(
        default=0, help_text="Bumped by every mark; a refresh clears only the version it read."
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["month"]

    def __str__(self):
        return f"{self.month:%Y-%m} ({'stale' if self.stale else 'fresh'})"


class ReportRecipient(models.Model):
    """Someone who receives the monthly compliance report (managed in the admin)."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    active = models.BooleanField(default=True, help_text="Only active recipients are sent the report.")

    class Meta:
        ordering = ["name", "email"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class ReportState(models.TextChoices):
    """Where a month's report is on its way out (the state machine: docs/reports.md).

    ``building`` and ``sending`` are claims an attempt holds; one held past the lease, or
    found again by its own redelivered task, is dead. A dead ``sending`` may have gone out,
    so nothing re-sends it automatically (``unconfirmed``: a person decides); a dead
    ``building`` sent nothing (``failed``, retried).
    """

    PENDING = "pending", "Pending"
    BUILDING = "building", "Building"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNCONFIRMED = "unconfirmed", "Unconfirmed (a person must check and re-send)"


class ComplianceReport(models.Model):
    """The monthly compliance report of one month (SPEC section 7): one row per month, ever.

    The unique ``period`` and the ``state`` + ``claim_token`` pair are what make the monthly
    job send at most one copy: a worker claims the row before it builds or sends, and
    records the outcome only under its own claim. The artefacts are stored as sent, so
    the report can be audited, previewed and re-sent as it was.
    """

    period = models.DateField(unique=True, help_text="The month reported: its first day.")
    state = models.CharField(max_length=12, choices=ReportState.choices, default=ReportState.PENDING)
    figures = models.JSONField(default=dict, blank=True, help_text="The figures the report was built from.")
    subject = models.CharField(max_length=200, blank=True)
    html = models.TextField(blank=True, help_text="The HTML body; the chart is referenced as cid:rate-chart.")
    text = models.TextField(blank=True, help_text="The plain-text alternative.")
    csv = models.TextField(blank=True, help_text="figures-YYYY-MM.csv")
    pdf = models.BinaryField(blank=True, default=b"", help_text="compliance-YYYY-MM.pdf")
    chart_png = models.BinaryField(blank=True, default=b"", help_text="The chart, sent inline by Content-ID.")
    recipients = models.JSONField(default=list, blank=True, help_text="The addresses the last send went to.")
    deliveries = models.JSONField(
        default=list, blank=True, help_text="Every send: when, to whom, and whether by the job or a person."
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, help_text="The error of the last failed attempt.")
    claim_token = models.CharField(max_length=32, blank=True, help_text="The attempt that holds the report.")
    claimed_by = models.CharField(max_length=200, blank=True, help_text="Who made that attempt: the job or a person.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_task_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The Celery task that holds the claim (blank for a command run in the foreground): "
        "the same task found holding it again was redelivered after its worker died.",
    )

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(condition=_in_choices("state", ReportState), name="report_state_valid"),
            models.CheckConstraint(condition=Q(period__day=1), name="report_period_first_day"),
            models.CheckConstraint(
                condition=~Q(state=ReportState.SENT) | Q(sent_at__isnull=False), name="report_sent_has_sent_at"
            ),
        ]

    def __str__(self):
        return f"Compliance report {self.period:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.period:%Y-%m}"
