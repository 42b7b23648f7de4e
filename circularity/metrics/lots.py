"""The weight ticket of a lot against what was recorded (SPEC section 9).

``net_kg`` = ``gross_kg`` − ``tare_kg`` (the scale); ``recorded_kg`` = the sum of its
dispositions' ``mass_kg``; the lot is *outside tolerance* when
|net − recorded| > ``LOT_WEIGHT_TOLERANCE`` × recorded (a lot with nothing recorded is
outside as soon as the scale reads more than zero). Exactly at the tolerance is within.
Annotations, so a list of lots costs one query whatever its length.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

KG = DecimalField(max_digits=18, decimal_places=3)


def tolerance() -> Decimal:
    return Decimal(str(settings.LOT_WEIGHT_TOLERANCE))


def with_weights(lots: QuerySet) -> QuerySet:
    """Lots annotated with ``recorded_kg``, ``net_kg_``, ``difference_kg`` and ``outside_tolerance``
    (one grouped query: the lots joined to their dispositions). A grouped query drops the
    model's default ordering: the lots' own is restored (a caller may order otherwise)."""
    recorded = Coalesce(Sum("items__disposition__mass_kg"), Value(Decimal("0"), output_field=KG), output_field=KG)
    net = ExpressionWrapper(F("gross_kg") - F("tare_kg"), output_field=KG)
    difference = ExpressionWrapper(net - recorded, output_field=KG)
    margin = ExpressionWrapper(recorded * Value(tolerance(), output_field=KG), output_field=KG)
    ordering = lots.query.order_by or lots.model._meta.ordering
    return lots.annotate(
        recorded_kg=recorded,
        net_kg_=net,
        difference_kg=difference,
        outside_tolerance=Case(
            When(Q(difference_kg__gt=margin) | Q(difference_kg__lt=-margin), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by(*ordering)


__all__ = ["tolerance", "with_weights"]
