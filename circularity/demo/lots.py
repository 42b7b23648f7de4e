"""The demo's lots, weight tickets and evidence files (SPEC section 9).

After the history is replayed, the dispositions of the last months that named a vendor
are gathered into lots, one per center, vendor, route and month, shipped the day after
their last disposition, with a weight ticket: a pallet's tare and a gross within ±2 % of
the recorded mass, except every seventh lot, whose scale reads 8 % off (outside
tolerance). Lots shipped more than 30 days before the ``as_of`` day are closed by their
certificate of recycling or destruction (a small generated PDF), received 10 to 30 days
after shipping, except every fifth: those still await it (past 60 days, a report
exception). Each vendor's current certification gets its certificate file too.
Everything goes through the services (``lots``, ``evidence``), as it would for a person.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from circularity import evidence, lots
from circularity.choices import EvidenceKind
from circularity.models import CircularCenter, Disposition, Vendor, VendorCertification
from circularity.periods import add_months, month_of, to_utc

LOT_MONTHS = 6  # the months before as_of whose dispositions leave in lots
TARE_KG = Decimal("18.500")  # a pallet, stretch wrap and a cage
OFF_SCALE_EVERY, STILL_OPEN_EVERY = 5, 5
GRAM = Decimal("0.001")


def certificate_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF certificate (a few kilobytes)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)  # invariant: the same bytes every run
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    for index, line in enumerate(lines):
        page.drawString(72, 740 - 18 * index, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def create_lots(as_of: dt.date, seed: int) -> int:
    """Lots of the ``LOT_MONTHS`` months before ``as_of``; returns how many."""
    rng = random.Random(seed)
    limit = to_utc(as_of)
    first = to_utc(add_months(month_of(as_of), -LOT_MONTHS))
    rows = (
        Disposition.objects.filter(vendor__isnull=False, decided_at__gte=first, decided_at__lt=limit)
        .order_by("decided_at", "pk")
        .values("pk", "center_id", "vendor_id", "route", "decided_at", "mass_kg")
    )
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (row["center_id"], row["vendor_id"], row["route"], month_of(row["decided_at"].date()))
        groups.setdefault(key, []).append(row)
    centers = CircularCenter.objects.in_bulk()
    vendors = Vendor.objects.in_bulk()
    made = 0
    for (center_id, vendor_id, route, month), members in sorted(groups.items(), key=lambda item: item[0][3]):
        shipped_at = max(row["decided_at"] for row in members) + dt.timedelta(days=1)
        if shipped_at >= limit:
            continue
        made += 1
        center, vendor = centers[center_id], vendors[vendor_id]
        recorded = sum((row["mass_kg"] for row in members), Decimal("0"))
        factor = Decimal("1.08") if made % OFF_SCALE_EVERY == 0 else Decimal(1 + rng.uniform(-0.02, 0.02))
        lot = lots.lot_create(
            code=f"{center.code}-{month:%Y%m}-{made:03d}",
            center=center,
            vendor=vendor,
            route=route,
            shipped_at=shipped_at,
            gross_kg=(recorded * factor + TARE_KG).quantize(GRAM),
            tare_kg=TARE_KG,
            seal_number=f"SEAL-{rng.randrange(10**6, 10**7)}",
            dispositions=Disposition.objects.filter(pk__in=[row["pk"] for row in members]),
        )
        received_at = shipped_at + dt.timedelta(days=rng.randint(10, 30))
        if received_at < limit and made % STILL_OPEN_EVERY != 0:
            kind = "destruction" if route != "resale" else "recycling"
            content = certificate_pdf(
                f"Certificate of {kind}",
                [
                    f"Lot {lot.code}, seal {lot.seal_number}",
                    f"Received from {center.name} on {shipped_at:%Y-%m-%d}",
                    f"Processor: {vendor.name} ({vendor.code}), route {route}",
                    f"Net weight: {lot.net_kg} kg",
                ],
            )
            evidence.evidence_receive(
                upload=SimpleUploadedFile(f"{lot.code}-certificate.pdf", content, content_type="application/pdf"),
                kind=EvidenceKind.LOT_CERTIFICATE,
                lot=lot,
                received_at=received_at,
            )
    return made


def attach_certificates(as_of: dt.date) -> None:
    """The certificate file of each vendor's certification valid on ``as_of``."""
    current = VendorCertification.objects.filter(valid_from__lte=as_of, valid_until__gte=as_of).select_related("vendor")
    for certification in current.order_by("vendor__code", "scheme"):
        content = certificate_pdf(
            f"{certification.get_scheme_display()} certificate",
            [
                f"Certificate {certification.certificate_number}",
                f"Issued to {certification.vendor.name}",
                f"Valid {certification.valid_from:%Y-%m-%d} to {certification.valid_until:%Y-%m-%d}",
            ],
        )
        evidence.evidence_receive(
            upload=SimpleUploadedFile(
                f"{certification.certificate_number}.pdf", content, content_type="application/pdf"
            ),
            kind=EvidenceKind.VENDOR_CERTIFICATION,
            certification=certification,
            received_at=to_utc(certification.valid_from) + dt.timedelta(hours=9),
        )
