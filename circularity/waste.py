"""Where a disposition was carried out, and what of it is waste (SPEC section 10): one home.

* **Onsite / offsite.** A disposition is *onsite* when the operator carried it out itself
  at its center (no vendor), *offsite* when a vendor did. ``ONSITE`` is the one condition
  every figure, snapshot and export reads: ``Disposition.vendor`` is a foreign key to
  ``Vendor`` (SPEC section 9), and a disposition naming none was carried out at the center.
* **Waste.** Internal ``reuse`` is hardware kept in use, not waste; every other route is
  waste, mapped to a GRI 306-4 recovery operation or a GRI 306-5 disposal operation.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q

from .choices import Route

# The one definition of "the operator carried it out itself": no vendor named.
ONSITE = Q(vendor__isnull=True)


def onsite_expression() -> ExpressionWrapper:
    """``ONSITE`` as a boolean column, to group dispositions by (SQL ``vendor_id IS NULL``)."""
    return ExpressionWrapper(ONSITE, output_field=BooleanField())


# Kept in use: not waste (SPEC section 10).
KEPT_IN_USE_ROUTES = frozenset({Route.REUSE})

# GRI 306-4 recovery operations (ESRS E5 §37(b)) and the routes that count under each.
# ``other_recovery`` has no route yet (decision in docs/waste.md): it is reported, as 0.
RECOVERY_OPERATIONS: dict[str, frozenset[str]] = {
    "preparation_for_reuse": frozenset({Route.RESALE}),
    "recycling": frozenset({Route.RECYCLE}),
    "other_recovery": frozenset(),
}

# GRI 306-5 disposal operations (ESRS E5 §37(c)) and their routes; ``other_disposal``
# likewise has none yet.
DISPOSAL_OPERATIONS: dict[str, frozenset[str]] = {
    "incineration_energy_recovery": frozenset({Route.INCINERATION_ENERGY_RECOVERY}),
    "incineration": frozenset({Route.INCINERATION}),
    "landfill": frozenset({Route.LANDFILL}),
    "other_disposal": frozenset(),
}

WASTE_ROUTES = frozenset(Route.values) - KEPT_IN_USE_ROUTES

__all__ = [
    "DISPOSAL_OPERATIONS",
    "KEPT_IN_USE_ROUTES",
    "ONSITE",
    "RECOVERY_OPERATIONS",
    "WASTE_ROUTES",
    "onsite_expression",
]
