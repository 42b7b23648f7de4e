"""The downstream gate (SPEC section 9): who may take a disposition out of a circular center.

The one home of the rule; ``circularity.dispositions.record_disposition`` calls it before
it locks or writes anything, so the API, the admin (form and triage), the demo and any
future importer all meet it:

* ``reuse`` goes back into the fleet: it names no vendor;
* any other route names a vendor, unless the center carries that route out itself (its
  ``onsite_routes``);
* a named vendor must list the route, and hold a certification of a scheme in
  ``DOWNSTREAM_REQUIRED_SCHEMES`` valid on the day of ``decided_at`` (UTC), both ends
  of its validity included.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .choices import CertificationScheme, Route
from .errors import DownstreamRefused
from .models import CircularCenter, Vendor, VendorCertification


def required_schemes() -> list[str]:
    return list(settings.DOWNSTREAM_REQUIRED_SCHEMES)


def _labels(schemes) -> str:
    return " or ".join(CertificationScheme(scheme).label for scheme in schemes)


def resolve_vendor(vendor: Vendor | str | None, *, route: str) -> Vendor | None:
    """A vendor from a code ("" or ``None``: none); an unknown code is refused."""
    if vendor is None or isinstance(vendor, Vendor):
        return vendor
    code = vendor.strip()
    if not code:
        return None
    found = Vendor.objects.filter(code=code).first()
    if found is None:
        raise DownstreamRefused(vendor=code, route=route, missing=f"there is no vendor with code {code!r}")
    return found


def check_downstream(*, center: CircularCenter, route: str, vendor: Vendor | None, decided_at: dt.datetime) -> None:
    """Refuse (``DownstreamRefused``) unless ``vendor`` may take ``route`` from ``center`` on
    ``decided_at``. Reads only: at most one query (the certification)."""
    if route == Route.REUSE:
        if vendor is not None:
            raise DownstreamRefused(
                vendor=vendor.code, route=route, missing="reuse goes back into the fleet and names no vendor"
            )
        return
    if vendor is None:
        if route in (center.onsite_routes or []):
            return
        raise DownstreamRefused(
            vendor="",
            route=route,
            center=center.code,
            missing=f"circular center {center.code} does not carry out {route} itself (onsite routes: "
            f"{', '.join(center.onsite_routes) or 'none'}); name the vendor that takes it",
        )
    schemes = required_schemes()
    if not vendor.takes(route):
        raise DownstreamRefused(
            vendor=vendor.code,
            route=route,
            schemes=schemes,
            missing=f"vendor {vendor.code} does not take {route} (its routes: {', '.join(vendor.routes) or 'none'})",
        )
    day = decided_at.astimezone(dt.UTC).date()
    certifications = VendorCertification.objects.filter(vendor=vendor, scheme__in=schemes)
    if certifications.filter(valid_from__lte=day, valid_until__gte=day).exists():
        return
    last = certifications.filter(valid_from__lte=day).order_by("-valid_until").first()
    if last is not None:
        missing = (
            f"its {last.get_scheme_display()} certification {last.certificate_number} expired on "
            f"{last.valid_until.isoformat()}, before {day.isoformat()}; a valid {_labels(schemes)} certification "
            "is required"
        )
    else:
        missing = f"it holds no {_labels(schemes)} certification valid on {day.isoformat()}"
    raise DownstreamRefused(vendor=vendor.code, route=route, schemes=schemes, missing=missing)


__all__ = ["check_downstream", "required_schemes", "resolve_vendor"]
