"""Recording vendors' certifications, with their evidence file (SPEC section 9)."""

from __future__ import annotations

import datetime as dt

from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef

from .choices import CertificationScheme, EvidenceKind
from .errors import EvidenceRefused
from .evidence import evidence_receive, inspect
from .models import Vendor, VendorCertification


def vendor_certify(
    *,
    vendor: Vendor,
    scheme: str,
    certificate_number: str,
    valid_from: dt.date,
    valid_until: dt.date,
    upload: File | None = None,
    actor=None,
) -> VendorCertification:
    """Record a certification (and its certificate file, if given): both, or neither."""
    if scheme not in CertificationScheme.values:
        raise EvidenceRefused(f"{scheme!r} is not a scheme ({', '.join(CertificationScheme.values)}).", "scheme")
    if valid_until < valid_from:
        raise EvidenceRefused("A certification ends on or after the day it starts.", "valid_until")
    if upload is not None:
        inspect(upload)  # refuse a bad file before anything is written
    with transaction.atomic():
        certification = VendorCertification.objects.create(
            vendor=vendor,
            scheme=scheme,
            certificate_number=certificate_number,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        if upload is not None:
            evidence_receive(
                upload=upload,
                kind=EvidenceKind.VENDOR_CERTIFICATION,
                certification=certification,
                uploaded_by=actor,
            )
    return certification


EXPIRY_WINDOW_DAYS = 60


def certifications_expiring(today: dt.date, days: int = EXPIRY_WINDOW_DAYS) -> list[VendorCertification]:
    """Certifications whose last valid day falls in [``today``, ``today`` + ``days``], soonest
    first, each with ``renewed``: whether the vendor already holds a later one of the same
    scheme (one query)."""
    later = VendorCertification.objects.filter(
        vendor=OuterRef("vendor"), scheme=OuterRef("scheme"), valid_until__gt=OuterRef("valid_until")
    )
    return list(
        VendorCertification.objects.filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=days))
        .select_related("vendor")
        .annotate(renewed=Exists(later))
        .order_by("valid_until", "vendor__code", "scheme")
    )


__all__ = ["EXPIRY_WINDOW_DAYS", "certifications_expiring", "vendor_certify"]
