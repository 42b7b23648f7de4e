"""The OpenAPI schema tells the truth (issue 10 §8): one ``AutoSchema`` for every operation.

drf-spectacular describes what the serializers declare. Two things they cannot say are
added here, in one place, rather than per view:

* **Nullable columns.** A response field read from a model column that may be ``NULL``
  (``Asset.center``, ``LifecycleEvent.actor``, ``Disposition.to_site``, ...), or through a
  relation that may be, is ``nullable`` in responses, whatever the serializer declared.
  ``tests/api/test_schema.py`` compares every ``null=True`` column with the schema.
* **Bounds of the domain.** What a rule of one home bounds and JSON Schema can say is
  said: moments and days are written in the years 1990 … 2100 (``inventory.moments``) with
  an offset within ±14:00 (``MOMENT_PATTERN``), a target's fiscal years lie in FY2000 …
  FY2100 and its values are fractions, a country is two letters, ids are positive 64-bit.
  What it cannot say (a referenced key exists and lies in the caller's scope, a moment is
  not in the future, a serial number is free, a baseline comes before its target) is a
  400 naming the field; docs/api.md "Fuzzing" says how the schemathesis run treats it.
* **Error answers.** Every operation documents the errors the API answers (docs/api.md
  "Errors") with the one error body, ``Error``: 400, 401, 403, 404 and 429 for all;
  405, 409, 413 and 415 for those that take a body. 500 is not documented: it is a bug.
"""

from __future__ import annotations

import decimal

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from circularity.models import PackagingRecord, Target
from inventory.models import Site

from .bounds import DAY, FISCAL_YEAR, FRACTION, MOMENT, MONTH_OR_FISCAL_YEAR
from .fields import MomentField, PeriodBoundField, RoundedDecimalField

# Columns whose rule lives in a validator function that the schema cannot read.
COLUMN_BOUNDS = {
    (Target, "target_fiscal_year"): FISCAL_YEAR,
    (Target, "baseline_fiscal_year"): FISCAL_YEAR,
    (Target, "target_value"): FRACTION,
    (Target, "baseline_value"): FRACTION,
    (Site, "country"): {"pattern": "^[A-Za-z]{2}$"},
    (PackagingRecord, "received_on"): DAY,
    # Above 0 at the column's precision: the smallest mass it holds (api.fields.RoundedDecimalField).
    (PackagingRecord, "packaging_mass_g"): {
        "minimum": 10 ** -PackagingRecord._meta.get_field("packaging_mass_g").decimal_places,
        "exclusiveMinimum": False,
    },
    (PackagingRecord, "single_use_plastic_g"): {"minimum": 0, "exclusiveMinimum": False},
}

TEXT_OR_MESSAGES = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'The error body. Field errors name each field, `{"field": ["message", ...]}`; '
        "refusals carry `code`, `detail` and their data (docs/api.md, Errors); a failure of "
        "the server carries `request_id`, also in the `X-Request-ID` header and the log."
    ),
    "properties": {
        # Strings in a refusal; lists of messages when a field of the body is named so.
        "code": {**TEXT_OR_MESSAGES, "description": "What kind of refusal, e.g. `transition_refused`."},
        "detail": {**TEXT_OR_MESSAGES, "description": "What went wrong, in a sentence."},
        "errors": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
            "description": "Bulk bodies: one entry per bad or refused item, by `index`.",
        },
        "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": "Bad input: field errors name each field.",
    "401": "No or bad credentials.",
    "403": "No permission (or a write outside what an access scope may change).",
    "404": "Nothing there, or outside the caller's access scope.",
    "429": "Over the request budget; see Retry-After.",
}
BODY_ERRORS = {
    "409": "The rules refuse it, or a concurrent write won.",
    "413": "The body is larger than this endpoint takes.",
    "415": "The body is not JSON.",
}


def column_of(field: serializers.Field):
    """The model and column name ``field`` of a model serializer reads directly, or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(getattr(field, "source_attrs", ())) != 1:
        return None
    return model, field.source_attrs[0]


def nullable_column(field: serializers.Field) -> bool:
    """Whether ``field`` reads a column (or goes through a relation) that may be NULL."""
    serializer = field.parent
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None or field.source == "*" or isinstance(field, serializers.ManyRelatedField):
        return False  # a list of related rows is empty, never null
    for name in field.source_attrs:
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not column.concrete:
            return False  # a reverse relation: not a column
        if column.null:
            return True
        model = column.related_model
        if model is None:
            return False
    return False


class MomentFieldSchema(OpenApiSerializerFieldExtension):
    """A moment a client sends: the pattern of ``MOMENT``; answered, a plain date-time."""

    target_class = MomentField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return dict(MOMENT)
        return {"type": "string", "format": "date-time"}


class PeriodBoundSchema(OpenApiSerializerFieldExtension):
    target_class = PeriodBoundField

    def map_serializer_field(self, auto_schema, direction):
        return dict(MONTH_OR_FISCAL_YEAR)


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        key = column_of(field) if isinstance(field, serializers.Field) else None
        if direction == "request" and key in COLUMN_BOUNDS and "$ref" not in schema:
            bounds = COLUMN_BOUNDS[key]
            # A pattern replaces the format (a generator cannot satisfy both at once).
            schema = {**{k: v for k, v in schema.items() if "pattern" not in bounds or k != "format"}, **bounds}
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, RoundedDecimalField) and field.max_whole_digits is not None and "maximum" in schema:
            # Rounded first: the bound is the largest value that does not round up past the digits.
            half = float(decimal.Decimal(5).scaleb(-field.decimal_places - 1))
            if schema.get("exclusiveMaximum"):
                schema["maximum"] = schema["maximum"] - half
            if schema.get("exclusiveMinimum") and "minimum" in schema:
                schema["minimum"] = schema["minimum"] + half

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "closed", False):
            schema["additionalProperties"] = False  # it refuses unknown keys (the bulk items)
        return schema

    def _unwrap_list_serializer(self, serializer, direction):
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and isinstance(serializer, serializers.ListSerializer):  # e.g. the bulk body
            schema.update({"minItems": serializer.min_length} if serializer.min_length is not None else {})
            schema.update({"maxItems": serializer.max_length} if serializer.max_length is not None else {})
        return schema

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and isinstance(field, serializers.Field) and nullable_column(field):
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(component)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for code, description in sorted(errors.items()):
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": component.ref}}}
            )
        return responses
