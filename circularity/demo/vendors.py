"""The demo's downstream vendors and their certifications (SPEC section 9).

Every vendor the planner sends hardware to holds a required certification (R2v3 or
e-Stewards) over the whole history, renewed every three years, so each demo disposition
passes the downstream gate as a real one would. Around the ``as_of`` day the data shows
what an auditor looks for: one vendor's e-Stewards certificate expires in 30 days (the
dashboard lists it), one ISO 14001 has expired (not a required scheme: the vendor stays
qualified), and one former vendor's R2v3 has lapsed (the gate refuses it; no demo
disposition names it).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from circularity.choices import CertificationScheme as Scheme
from circularity.choices import Route
from circularity.models import Vendor, VendorCertification


class VendorSpec(NamedTuple):
    code: str
    name: str
    country: str
    routes: tuple[str, ...]
    scheme: str


DISPOSAL = (Route.INCINERATION_ENERGY_RECOVERY, Route.INCINERATION, Route.LANDFILL)

VENDORS = (
    VendorSpec("NORTHWIND-ITAD", "Northwind ITAD B.V.", "NL", (Route.RESALE,), Scheme.R2V3),
    VendorSpec("CONTOSO-REMARKETING", "Contoso Remarketing Ltd", "IE", (Route.RESALE,), Scheme.R2V3),
    VendorSpec("FABRIKAM-RESALE", "Fabrikam Resale Inc.", "US", (Route.RESALE,), Scheme.E_STEWARDS),
    VendorSpec("FABRIKAM-RECYCLING", "Fabrikam Recycling Inc.", "US", (Route.RECYCLE,), Scheme.E_STEWARDS),
    VendorSpec("TAILSPIN-METALS", "Tailspin Metals GmbH", "DE", (Route.RECYCLE,), Scheme.E_STEWARDS),
    VendorSpec("WOODGROVE-EWASTE", "Woodgrove E-Waste Ltd", "IE", (Route.RECYCLE, Route.RESALE), Scheme.R2V3),
    VendorSpec("LITWARE-WASTE", "Litware Waste Services", "NL", DISPOSAL, Scheme.R2V3),
    VendorSpec("ADATUM-ENVIRONMENTAL", "Adatum Environmental LLC", "US", DISPOSAL, Scheme.R2V3),
    VendorSpec("PROSEWARE-SALVAGE", "Proseware Salvage", "US", (Route.RECYCLE,), Scheme.R2V3),
)
EXPIRING_SOON = "TAILSPIN-METALS"  # its current certificate ends 30 days after as_of
EXPIRED_OPTIONAL = "WOODGROVE-EWASTE"  # its ISO 14001 ended 45 days before as_of
LAPSED = "PROSEWARE-SALVAGE"  # its R2v3 ended 20 days before as_of; the gate refuses it
HISTORY_FROM = dt.date(2019, 1, 1)
TERM = 3 * 365


def create_vendors(as_of: dt.date) -> dict[str, Vendor]:
    """The vendors and their certifications (three-year terms up to past ``as_of``)."""
    vendors = {}
    certifications = []
    for number, spec in enumerate(VENDORS, start=1):
        vendor = Vendor.objects.create(code=spec.code, name=spec.name, country=spec.country, routes=list(spec.routes))
        vendors[spec.code] = vendor
        if spec.code == LAPSED:
            ends = [as_of - dt.timedelta(days=20)]
        elif spec.code == EXPIRING_SOON:
            ends = [as_of + dt.timedelta(days=30)]
        else:
            ends = [as_of + dt.timedelta(days=400 + 37 * number)]
        while ends[0] - dt.timedelta(days=TERM) > HISTORY_FROM:
            ends.insert(0, ends[0] - dt.timedelta(days=TERM))
        start = HISTORY_FROM
        for term, end in enumerate(ends, start=1):
            certifications.append(
                VendorCertification(
                    vendor=vendor,
                    scheme=spec.scheme,
                    certificate_number=f"{spec.scheme.upper()}-{number:03d}-{term:02d}",
                    valid_from=start,
                    valid_until=end,
                )
            )
            start = end + dt.timedelta(days=1)
        if spec.code == EXPIRED_OPTIONAL:
            certifications.append(
                VendorCertification(
                    vendor=vendor,
                    scheme=Scheme.ISO14001,
                    certificate_number=f"ISO14001-{number:03d}",
                    valid_from=as_of - dt.timedelta(days=3 * 365 + 45),
                    valid_until=as_of - dt.timedelta(days=45),
                )
            )
    VendorCertification.objects.bulk_create(certifications)
    return vendors
