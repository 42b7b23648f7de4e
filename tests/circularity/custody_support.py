"""Building blocks for the downstream-custody tests: certified vendors, lots, small files."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from circularity import dispositions, lots
from circularity.choices import Route
from inventory.choices import Category, Source
from tests.circularity.helpers import at_center
from tests.factories import VendorCertificationFactory, VendorFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(content: bytes = PDF, name: str = "certificate.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_stream(content: bytes = PDF):
    return io.BytesIO(content)


def certified_vendor(code="RECYCLER", routes=(Route.RECYCLE,)):
    vendor = VendorFactory(code=code, routes=list(routes))
    VendorCertificationFactory(vendor=vendor)
    return vendor


def dispositioned(center, vendor, masses, when, route=Route.RECYCLE):
    """One disposition per mass (PSUs: not data-bearing), all to ``vendor``."""
    rows = []
    for mass in masses:
        asset = at_center(center, category=Category.PSU, mass_kg=str(mass))
        rows += dispositions.record_disposition(
            asset=asset, center=center, route=route, decided_at=when, vendor=vendor, source=Source.API
        )
    return rows


def lot_of(center, vendor, rows, *, gross, tare="10", code="LOT-1", shipped=None, route=Route.RECYCLE):
    return lots.lot_create(
        code=code,
        center=center,
        vendor=vendor,
        route=route,
        shipped_at=shipped or rows[-1].decided_at + dt.timedelta(days=1),
        gross_kg=Decimal(str(gross)),
        tare_kg=Decimal(str(tare)),
        seal_number="SEAL-1",
        dispositions=rows,
    )
