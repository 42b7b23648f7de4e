"""Related objects written and read by their natural keys (SPEC section 8).

An unknown key in a write body is a 400 naming the field and the key. Assets, sites and
circular centers are looked up in the caller's access scope, so one outside it is
"unknown" too: a write body cannot probe, or reach, what the caller may not see.
"""

import decimal

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from rest_framework import serializers

from circularity.models import CircularCenter
from inventory import moments
from inventory.choices import Status
from inventory.errors import MomentRefused
from inventory.models import Asset, PartModel, Site
from inventory.registration import REGISTRATION_STATUSES
from inventory.scopes import placement_of, scope_for, visible


def in_callers_scope(queryset, request):
    """The rows of ``queryset`` the caller may name (all of them for organisation-wide data)."""
    if request is None or placement_of(queryset.model) is None:
        return queryset
    return visible(queryset, scope_for(request))


class NaturalKeyField(serializers.SlugRelatedField):
    """A ``SlugRelatedField`` whose "does not exist" message names the kind of object."""

    noun = "object"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = f"No {self.noun} has {self.slug_field.replace('_', ' ')} {{value!r}}."

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.strip())

    def get_queryset(self):
        return in_callers_scope(super().get_queryset(), self.context.get("request"))

    @classmethod
    def many_init(cls, *args, **kwargs):
        field = super().many_init(*args, **kwargs)
        field.__class__ = KeyListField
        return field


class KeyListField(serializers.ManyRelatedField):
    """A list of natural keys, and only a list: DRF's own takes any iterable (``{}`` read as [])."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class SiteField(NaturalKeyField):
    noun = "site"

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else Site.objects.all())
        super().__init__(slug_field="code", **kwargs)


class CenterField(NaturalKeyField):
    noun = "circular center"

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else CircularCenter.objects.all())
        super().__init__(slug_field="code", **kwargs)


class AssetField(NaturalKeyField):
    """An asset by serial number, within the caller's access scope."""

    noun = "asset"

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else Asset.objects.all())
        super().__init__(slug_field="serial_number", **kwargs)


class PartModelField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": "No part model has id {pk_value}."}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else PartModel.objects.all())
        super().__init__(**kwargs)


class RoundedDecimalField(serializers.DecimalField):
    """A decimal column's field that rounds to the column's places before checking digits.

    A JSON number is binary: 0.1 + 0.2 arrives as 0.30000000000000004, which no decimal
    column of 6 places holds. It is rounded half to even to the column's places (a mass to
    the gram, a fraction to the millionth); only then are the whole digits checked.
    """

    def validate_precision(self, value):
        if self.decimal_places is not None:
            try:
                value = value.quantize(decimal.Decimal(1).scaleb(-self.decimal_places), decimal.ROUND_HALF_EVEN)
            except decimal.InvalidOperation:  # more digits than any column: refused as such
                self.fail("max_digits", max_digits=self.max_digits)
        return super().validate_precision(value)


class TextField(serializers.CharField):
    """Text, and only text: DRF's ``CharField`` turns ``0`` or ``1.5`` into ``"0"``, ``"1.5"``;
    the schema says a string, so a number is refused (400), as a list or an object is."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializer: text columns take text only, decimals are rounded."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.DecimalField: RoundedDecimalField,
    }


class MomentField(serializers.DateTimeField):
    """An ISO 8601 date and time with its time zone, that has happened (``inventory.moments``).

    The same rule and the same formats as the bulk events endpoint: 1990-01-01T00:00Z to
    five minutes after now, ``Z`` or an offset within ±14:00; a naive value or a date alone
    is refused.
    """

    def to_internal_value(self, value):
        try:
            return moments.parse_moment(value, field=self.field_name or "value")
        except MomentRefused as refused:
            raise serializers.ValidationError(refused.sentence, code=refused.code) from None


class PeriodBoundField(TextField):
    """``YYYY-MM`` or ``FYYYYY``, read by ``circularity.periods``; blank means the default."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)


class AssetListField(serializers.ListField):
    """A list of serial numbers, resolved in ONE query (within the caller's scope)."""

    child = TextField(max_length=64)
    default_error_messages = {"unknown": "No asset has serial number {serials}."}

    def to_internal_value(self, data):
        serials = [serial.strip() for serial in super().to_internal_value(data)]
        queryset = in_callers_scope(Asset.objects.filter(serial_number__in=set(serials)), self.context.get("request"))
        found = {asset.serial_number: asset for asset in queryset}
        unknown = sorted(set(serials) - set(found))
        if unknown:
            self.fail("unknown", serials=", ".join(repr(serial) for serial in unknown))
        return [found[serial] for serial in dict.fromkeys(serials)]

    def to_representation(self, data):
        assets = data.all() if hasattr(data, "all") else data
        return [asset.serial_number for asset in assets]


class RegistrationStatusField(serializers.ChoiceField):
    """The state a new asset enters the fleet in (``in_stock``, ``deployed``); read back, any state."""

    def __init__(self, **kwargs):
        super().__init__(choices=REGISTRATION_STATUSES, **kwargs)


class RegistrationStatusSchema(OpenApiSerializerFieldExtension):
    """In the schema: the two registration states in requests, every state in responses."""

    target_class = RegistrationStatusField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_choice_field(self.target)
        return build_choice_field(serializers.ChoiceField(choices=Status.choices))
