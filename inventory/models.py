"""Sites, part models, assets and their append-only lifecycle history; access scopes.

The fields follow SPEC section 1. Nothing here changes an asset's status or parent:
that is ``inventory.lifecycle``'s job alone.
"""

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from .append_only import AppendOnlyError, AppendOnlyModel
from .choices import Action, Category, FocusMaterial, Source, Status
from .moments import stored_range, validate_moment


def _in_choices(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


class Placement(NamedTuple):
    """Where a row lies, for access scopes (SPEC section 8): the lookups of its site id and
    of its circular center id (either may be ``None``). A model that lies somewhere says so
    in its ``placement`` attribute; ``inventory.scopes`` reads it, nothing else does."""

    site: str | None = None
    center: str | None = None


def validate_focus_materials(value) -> None:
    """A list of distinct R2v3 focus materials (``FocusMaterial``): the one home of the rule."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('Give a list of focus materials, e.g. ["battery"].', code="not_a_list")
    unknown = [item for item in value if item not in FocusMaterial.values]
    if unknown:
        raise ValidationError(
            f"Not focus materials: {', '.join(unknown)} (use {', '.join(FocusMaterial.values)}).",
            code="unknown_focus_material",
        )
    if len(set(value)) != len(value):
        raise ValidationError("Name each focus material once.", code="duplicate_focus_material")


class Site(models.Model):
    """A data-center site (a building or hall with its own code, e.g. ``AMS05``)."""

    placement = Placement(site="pk")

    code = models.CharField(max_length=16, unique=True, help_text="Short unique code, e.g. AMS05.")
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=64, help_text="Cloud region, e.g. westeurope.")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 country code.")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def natural_key(self):
        return (self.code,)


class PartModel(models.Model):
    """A SKU: what a manufacturer sells under one model number."""

    manufacturer = models.CharField(max_length=100)
    model_number = models.CharField(max_length=100)
    category = models.CharField(max_length=16, choices=Category.choices)
    mass_kg = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(0)],
        help_text="The part's own mass, net of separately tracked parts installed in it.",
    )
    data_bearing = models.BooleanField(
        help_text="Holds customer data: needs a verified sanitization before it leaves custody.",
    )
    embodied_kgco2e = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Embodied carbon of one new unit (kg CO2e), for the avoided-emissions estimate.",
    )
    # db_default: rows written by COPY or raw SQL (the benchmark fleet) get the same default.
    hazardous = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Hazardous waste when discarded (GRI 306, ESRS E5); batteries are by default.",
    )
    focus_materials = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_focus_materials],
        help_text="R2v3 focus materials it contains: " + ", ".join(FocusMaterial.values) + ".",
    )

    class Meta:
        ordering = ["manufacturer", "model_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model_number"], name="partmodel_unique_manufacturer_model"
            ),
            models.CheckConstraint(condition=_in_choices("category", Category), name="partmodel_category_valid"),
            models.CheckConstraint(condition=Q(mass_kg__gte=0), name="partmodel_mass_non_negative"),
            models.CheckConstraint(
                condition=Q(embodied_kgco2e__isnull=True) | Q(embodied_kgco2e__gte=0),
                name="partmodel_embodied_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.manufacturer} {self.model_number}"


class Asset(models.Model):
    """One tracked piece of hardware: a server, or a component installed in one."""

    # At its site, or held (or last handled) at its circular center. Every asset of an
    # installed tree shares its top's site and center, so a tree lies in one place.
    placement = Placement(site="site_id", center="center_id")

    serial_number = models.CharField(max_length=64, unique=True)
    # Unique when set (asset_tag_unique): most parts carry no tag, and an index entry per
    # untagged asset would only cost every transition an index write.
    asset_tag = models.CharField(max_length=64, null=True, blank=True)
    part_model = models.ForeignKey(PartModel, on_delete=models.PROTECT, related_name="assets")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
        help_text="The asset this one is installed in.",
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="assets",
        db_index=False,  # asset_site_idx (declared in Meta, named)
        help_text="Where the asset is stocked or deployed; once decommissioned, the site it came from.",
    )
    # A lazy reference: the inventory imports no code of the circularity app, but an asset
    # held at a circular center has to say which one.
    center = models.ForeignKey(
        "circularity.CircularCenter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        db_index=False,  # asset_center_idx covers the assets that have a center, only
        help_text="The circular center holding the asset (set while it is there, kept after).",
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.IN_STOCK)
    deployed_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    decommissioned_at = models.DateTimeField(null=True, blank=True, validators=[validate_moment])
    # Kept by inventory.lifecycle (and registration) with every event it writes, so that an
    # event earlier than the asset's history is refused without reading the history.
    last_event_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The moment of its latest event, as the asset or as the parent of an installation or removal.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["serial_number"]
        constraints = [
            models.CheckConstraint(condition=_in_choices("status", Status), name="asset_status_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="asset_not_own_parent"),
            models.UniqueConstraint(
                fields=["asset_tag"],
                condition=Q(asset_tag__isnull=False),
                name="asset_tag_unique",
                violation_error_message="Another asset has this asset tag.",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.AT_CIRCULAR_CENTER) | Q(center__isnull=False),
                name="asset_at_center_has_center",
            ),
            *(
                models.CheckConstraint(condition=stored_range(name), name=f"asset_{name}_in_range")
                for name in ("deployed_at", "decommissioned_at", "last_event_at")
            ),
        ]
        indexes = [
            # No index holds a column a transition changes (status, the moments): on
            # PostgreSQL a transition is then a HOT update, written to the heap only
            # (the table's fill factor leaves the room: migration 0012, docs/performance.md).
            models.Index(fields=["site"], name="asset_site_idx"),
            models.Index(fields=["center"], condition=Q(center__isnull=False), name="asset_center_idx"),
        ]

    def __str__(self):
        return self.serial_number

    def natural_key(self):
        return (self.serial_number,)


# An attempt to edit or delete a lifecycle event (the name callers have always caught).
ImmutableEventError = AppendOnlyError


class LifecycleEvent(AppendOnlyModel):
    """One change to an asset: a state transition, or a removal from / installation into a parent."""

    placement = Placement(site="asset__site_id", center="asset__center_id")  # with its asset

    # event_asset_time_idx leads with the asset: no separate index to write per event.
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="events", db_index=False)
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.TRANSITION)
    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    parent = models.ForeignKey(
        Asset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # event_parent_idx, on the install/remove events only
        help_text="For install and remove: the parent asset.",
    )
    occurred_at = models.DateTimeField(help_text="When it happened in the data center.", validators=[validate_moment])
    recorded_at = models.DateTimeField(auto_now_add=True, help_text="When AssetLife learned of it.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    location = models.CharField(
        max_length=16, blank=True, help_text="Code of the site or circular center after the change."
    )
    note = models.TextField(blank=True)
    # Unique when set (event_external_id_unique): a cascade writes one keyed event and
    # many unkeyed ones, which need no index entry.
    external_id = models.CharField(
        max_length=128,
        null=True,
        blank=True,
        help_text="Idempotency key of the integrating system that sent the event.",
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_in_choices("action", Action), name="event_action_valid"),
            models.CheckConstraint(condition=_in_choices("source", Source), name="event_source_valid"),
            models.CheckConstraint(condition=_in_choices("from_status", Status), name="event_from_valid"),
            models.CheckConstraint(condition=_in_choices("to_status", Status), name="event_to_valid"),
            models.UniqueConstraint(
                fields=["external_id"], condition=Q(external_id__isnull=False), name="event_external_id_unique"
            ),
            models.CheckConstraint(condition=stored_range("occurred_at"), name="event_occurred_at_in_range"),
        ]
        indexes = [
            models.Index(fields=["asset", "occurred_at"], name="event_asset_time_idx"),
            models.Index(fields=["occurred_at"], name="event_occurred_idx"),
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="event_parent_idx"),
        ]

    def __str__(self):
        if self.action == Action.TRANSITION:
            return f"{self.asset_id}: {self.from_status} → {self.to_status}"
        return f"{self.asset_id}: {self.action}"


class AccessScope(models.Model):
    """The sites and circular centers a user is limited to (SPEC section 8 "Scopes").

    A user without one sees everything their permissions allow. A user with one sees, and
    changes, only what lies at its sites and centers, in the API and in the admin
    (``inventory.scopes``); everything else answers as if it did not exist.

    Kept in the tables it had when it belonged to the API app (``api_accessscope``): the
    admin applies it too, and the inventory imports nothing of the API.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_scope")
    sites = models.ManyToManyField(
        Site, blank=True, related_name="access_scopes", help_text="What lies at these sites is visible."
    )
    # A lazy reference, as for Asset.center: the inventory imports no circularity code.
    centers = models.ManyToManyField(
        "circularity.CircularCenter",
        blank=True,
        related_name="access_scopes",
        help_text="What is held at (or bound for) these circular centers is visible.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why this user is limited (e.g. vendor portal).")

    class Meta:
        db_table = "api_accessscope"
        verbose_name = "access scope"
        ordering = ["user__username"]

    def __str__(self):
        return f"Scope of {self.user}"
