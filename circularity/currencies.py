"""ISO 4217 currency codes: the one home of the rule that a ``currency`` is one.

Value recovered is reported per currency and never summed across currencies (SPEC
section 9), so a code must name a real currency: ``EUR``, not ``eur`` or ``EURO``. The
list is pycountry's copy of the ISO 4217 register (active currencies).
"""

from __future__ import annotations

import functools

import pycountry
from django.core.exceptions import ValidationError


@functools.cache
def currency_codes() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def validate_currency(value: str) -> None:
    """Refuse anything but an upper-case ISO 4217 alphabetic code (blank is checked by the caller)."""
    if value and value not in currency_codes():
        raise ValidationError(
            f"{value!r} is not an ISO 4217 currency code (e.g. EUR, USD, GBP).", code="invalid_currency"
        )


__all__ = ["currency_codes", "validate_currency"]
