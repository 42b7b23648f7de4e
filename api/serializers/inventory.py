"""Sites, part models, assets and their lifecycle events, as the API reads and writes them.

Writes name related objects by natural key (site ``code``, asset ``serial_number``, part
model ``id``). Serializers only check the shape of a request; the rules of the lifecycle
are checked by ``inventory.lifecycle`` (refusals answer 409 through ``api.errors``).
Assets and events are *read* as rows by ``api.selectors``; their serializers here
validate writes and describe the shapes in the schema (tests hold the two together), and
the ``*ResultSerializer`` classes exist for the schema only.
"""

from __future__ import annotations

import re

from django.utils.text import capfirst
from rest_framework import serializers

from inventory.choices import FocusMaterial, Status, default_data_bearing, default_focus_materials, default_hazardous
from inventory.models import Asset, LifecycleEvent, PartModel, Site
from inventory.registration import REGISTRATION_STATUSES
from inventory.scopes import in_scope, scope_for, taken_identities, taken_message

from ..fields import AssetField, CenterField, MomentField, PartModelField, RegistrationStatusField, SiteField

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["code", "name", "region", "country"]

    def validate_code(self, value: str) -> str:
        value = value.strip()
        if "/" in value:
            raise serializers.ValidationError("A site code cannot contain '/'.")
        return value

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if not COUNTRY_RE.match(value):
            raise serializers.ValidationError("Use the ISO 3166-1 alpha-2 code, e.g. NL.")
        return value


class PartModelSerializer(serializers.ModelSerializer):
    """A SKU. ``data_bearing``, ``hazardous`` and ``focus_materials`` default from the
    category when a new one omits them."""

    data_bearing = serializers.BooleanField(
        required=False,
        help_text="Holds customer data. Defaults to true for ssd and hdd, false otherwise.",
    )
    hazardous = serializers.BooleanField(
        required=False,
        help_text="Hazardous waste when discarded (GRI 306, ESRS E5). Defaults to true for battery, false otherwise.",
    )
    focus_materials = serializers.ListField(
        child=serializers.ChoiceField(choices=FocusMaterial.choices),
        required=False,
        help_text="R2v3 focus materials it contains. Defaults: battery [battery], ssd and hdd [data_storage], "
        "others [].",
    )

    class Meta:
        model = PartModel
        fields = [
            "id",
            "manufacturer",
            "model_number",
            "category",
            "mass_kg",
            "data_bearing",
            "embodied_kgco2e",
            "hazardous",
            "focus_materials",
        ]

    def validate_focus_materials(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Name each focus material once.")
        return value

    def validate(self, attrs):
        if self.instance is None:
            category = attrs["category"]
            attrs.setdefault("data_bearing", default_data_bearing(category))
            attrs.setdefault("hazardous", default_hazardous(category))
            attrs.setdefault("focus_materials", default_focus_materials(category))
        return attrs


class AssetSerializer(serializers.ModelSerializer):
    """An asset; written once to register it, changed afterwards by the lifecycle actions.

    A component (``parent`` given) shares its parent's site and state: both default to
    the parent's, and a different explicit value is refused. The site and the parent are
    looked up in the caller's access scope; a serial number or asset tag held by an asset
    outside it is "not available", and nothing more is said.
    """

    asset_tag = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    part_model = PartModelField()
    site = SiteField(required=False, help_text="Site code. Defaults to the parent's site.")
    parent = AssetField(required=False, allow_null=True, help_text="Serial number of the asset it is installed in.")
    status = RegistrationStatusField(
        required=False, help_text="in_stock (default) or deployed when registered; a component takes its parent's."
    )
    category = serializers.CharField(source="part_model.category", read_only=True)
    mass_kg = serializers.DecimalField(
        source="part_model.mass_kg", max_digits=10, decimal_places=3, read_only=True, help_text="The asset's own mass."
    )
    center = CenterField(read_only=True, help_text="The circular center holding it (kept after it leaves).")
    deployed_at = MomentField(required=False, allow_null=True)
    components = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="serial_number", help_text="Serial numbers of the assets installed in it."
    )

    class Meta:
        model = Asset
        fields = [
            "serial_number",
            "asset_tag",
            "part_model",
            "site",
            "parent",
            "status",
            "category",
            "mass_kg",
            "center",
            "deployed_at",
            "decommissioned_at",
            "components",
        ]
        read_only_fields = ["decommissioned_at"]
        # Uniqueness is checked by _untaken(), which knows the caller's scope.
        extra_kwargs = {"serial_number": {"validators": []}}

    def validate_serial_number(self, value: str) -> str:
        value = value.strip()
        if not value or "/" in value:
            raise serializers.ValidationError("A serial number is not blank and holds no '/'.")
        return self._untaken("serial_number", value)

    def validate_asset_tag(self, value):
        value = (value or "").strip()
        return self._untaken("asset_tag", value) if value else None

    def _untaken(self, field: str, value: str) -> str:
        taken = taken_identities(field, [value], scope_for(self.context["request"]))
        if value in taken:
            raise serializers.ValidationError(capfirst(taken_message(field, value, taken[value])) + ".")
        return value

    def validate(self, attrs):
        parent = attrs.get("parent")
        errors = {}
        if parent is not None:
            if parent.status not in REGISTRATION_STATUSES:
                errors["parent"] = (
                    f"{parent.serial_number} is {parent.status}; a new asset is installed only in one in stock "
                    "or deployed."
                )
            attrs.setdefault("site", parent.site)
            attrs.setdefault("status", parent.status)
            if not in_scope(attrs["site"], scope_for(self.context["request"])):
                # A parent seen through its center, at a site outside the scope.
                errors["site"] = f"No site has code {attrs['site'].code!r}."
            elif attrs["site"].pk != parent.site_id:
                errors["site"] = f"A component is at its parent's site ({parent.site.code})."
            if attrs["status"] != parent.status:
                errors["status"] = f"A component shares its parent's state ({parent.status})."
        elif "site" not in attrs:
            errors["site"] = "This field is required (or name the parent it is installed in)."
        attrs.setdefault("status", Status.IN_STOCK)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EventSerializer(serializers.ModelSerializer):
    """One append-only lifecycle event."""

    asset = serializers.SlugRelatedField(slug_field="serial_number", read_only=True)
    parent = serializers.SlugRelatedField(
        slug_field="serial_number", read_only=True, help_text="For install and remove: the parent asset."
    )
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LifecycleEvent
        fields = [
            "id",
            "asset",
            "action",
            "from_status",
            "to_status",
            "parent",
            "occurred_at",
            "recorded_at",
            "actor",
            "source",
            "location",
            "note",
            "external_id",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    """``POST /assets/{serial}/transition/``; the asset is in ``context["asset"]``."""

    to = serializers.ChoiceField(choices=Status.choices)
    occurred_at = MomentField()
    center = CenterField(required=False, allow_null=True, help_text="Code of the center, to arrive at one.")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        asset = self.context["asset"]
        arriving = attrs["to"] == Status.AT_CIRCULAR_CENTER
        if arriving and attrs.get("center") is None and asset.status != Status.MISSING:
            raise serializers.ValidationError({"center": "Name the circular center it arrives at."})
        if not arriving and attrs.get("center") is not None:
            raise serializers.ValidationError({"center": "A center is named only to arrive at at_circular_center."})
        return attrs


class PartMoveSerializer(serializers.Serializer):
    """``/dismantle/`` and ``/remove/``."""

    occurred_at = MomentField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class InstallSerializer(PartMoveSerializer):
    parent = AssetField(help_text="Serial number of the asset to install it in.")


class LifecycleResultSerializer(serializers.Serializer):
    """What a lifecycle action answers: the asset as it now is, and the events written."""

    asset = AssetSerializer()
    events = EventSerializer(many=True)


class BulkEventItemSerializer(serializers.Serializer):
    """One item of ``POST /events/``; keys are resolved for the whole batch at once."""

    asset = serializers.CharField(max_length=64, help_text="Serial number.")
    to = serializers.ChoiceField(choices=Status.choices)
    occurred_at = MomentField()
    center = serializers.CharField(max_length=16, required=False, allow_null=True, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    external_id = serializers.CharField(
        max_length=128,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Idempotency key: an item whose key was applied before is not applied again.",
    )

    def validate(self, attrs):
        attrs["asset"] = attrs["asset"].strip()
        attrs["center"] = (attrs.get("center") or "").strip() or None
        attrs["note"] = attrs.get("note") or ""
        attrs["external_id"] = (attrs.get("external_id") or "").strip() or None
        return attrs


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["applied", "replayed"])
    event = EventSerializer(help_text="The event the item wrote (for a replay: the first time).")


class BulkResultSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    replayed = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


class InstallationSerializer(serializers.Serializer):
    parent = serializers.CharField(help_text="Serial number of the asset it was installed in.")
    installed_at = serializers.DateTimeField()
    removed_at = serializers.DateTimeField(allow_null=True, help_text="Null while it is still installed there.")


class GenealogySerializer(serializers.Serializer):
    """``GET /assets/{serial_number}/genealogy/``: from the asset's events and dispositions."""

    lives = serializers.IntegerField(help_text="Custody cycles that ended in reuse.")
    installations = InstallationSerializer(many=True, help_text="Oldest first.")
