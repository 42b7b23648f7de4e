"""Downstream custody in the admin: a certification with its file, a lot from serial numbers
(flagged outside tolerance), a lot's certificate uploaded and shown with its SHA-256."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse

from circularity.models import EvidenceFile, Lot, VendorCertification
from tests.circularity.admin_support import ANALYST, TECHNICIAN, logged_in, moment
from tests.circularity.custody_support import PDF, certified_vendor, dispositioned, upload
from tests.circularity.helpers import utc
from tests.factories import CircularCenterFactory, SiteFactory, VendorFactory

pytestmark = pytest.mark.django_db
WHEN = utc(2024, 6, 3, 9)


@pytest.fixture
def center():
    return CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])


def lot_form(center, vendor, serials, gross="131"):
    return {
        "code": "AMS-2024-0001",
        "center": center.pk,
        "vendor": vendor.pk,
        "route": "recycle",
        "seal_number": "SEAL-1",
        **moment("shipped_at", WHEN + dt.timedelta(days=1)),
        "gross_kg": gross,
        "tare_kg": "25",
        "serial_numbers": "\n".join(serials),
    }


def test_an_analyst_records_a_certification_with_its_file(client):
    vendor = VendorFactory(code="ECOREC")
    logged_in(client, ANALYST)
    body = {
        "vendor": vendor.pk,
        "scheme": "r2v3",
        "certificate_number": "R2-77",
        "valid_from": "2024-01-01",
        "valid_until": "2026-12-31",
        "file": upload(),
    }
    response = client.post(reverse("admin:circularity_vendorcertification_add"), body)
    assert response.status_code == 302, response.context["adminform"].form.errors
    certification = VendorCertification.objects.get()
    assert certification.evidence.get().sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_certification_file_of_the_wrong_type_shows_on_the_form_and_nothing_is_written(client):
    vendor = VendorFactory(code="ECOREC")
    logged_in(client, ANALYST)
    body = {
        "vendor": vendor.pk,
        "scheme": "r2v3",
        "certificate_number": "R2-77",
        "valid_from": "2024-01-01",
        "valid_until": "2026-12-31",
        "file": upload(b"<html>hello</html>", "cert.pdf"),
    }
    response = client.post(reverse("admin:circularity_vendorcertification_add"), body)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"] == [
        "Upload a PDF, PNG or JPEG file; this one is none of them (judged by its content)."
    ]
    assert not VendorCertification.objects.exists()


def test_a_technician_makes_a_lot_from_serial_numbers_and_sees_it_flagged(client, center):
    vendor = certified_vendor()
    rows = dispositioned(center, vendor, [40, 60], WHEN)
    logged_in(client, TECHNICIAN)
    serials = [row.asset.serial_number for row in rows]
    response = client.post(reverse("admin:circularity_lot_add"), lot_form(center, vendor, serials))
    assert response.status_code == 302, response.context["adminform"].form.errors
    lot = Lot.objects.get()
    assert sorted(lot.items.values_list("disposition_id", flat=True)) == sorted(row.pk for row in rows)
    response = client.get(reverse("admin:circularity_lot_changelist") + "?weight=outside")
    assert response.status_code == 200, response
    listing = response.content.decode()
    assert "AMS-2024-0001" in listing and "Outside tolerance (+6.000 kg)" in listing
    within = client.get(reverse("admin:circularity_lot_changelist") + "?weight=within").content.decode()
    assert "AMS-2024-0001" not in within


def test_a_lot_of_another_vendors_disposition_is_refused_on_the_form(client, center):
    vendor, other = certified_vendor(), certified_vendor(code="OTHER")
    rows = dispositioned(center, other, [40], WHEN)
    logged_in(client, TECHNICIAN)
    response = client.post(
        reverse("admin:circularity_lot_add"), lot_form(center, vendor, [rows[0].asset.serial_number])
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["serial_numbers"]
    assert errors == [f"No disposition of these at AMS-CC to RECYCLER by recycle: {rows[0].asset.serial_number}."]
    assert not Lot.objects.exists()


def test_a_lots_certificate_uploaded_in_the_admin_closes_it_and_shows_its_checksum(client, center):
    vendor = certified_vendor()
    rows = dispositioned(center, vendor, [40, 60], WHEN)
    logged_in(client, TECHNICIAN)
    client.post(reverse("admin:circularity_lot_add"), lot_form(center, vendor, [r.asset.serial_number for r in rows]))
    lot = Lot.objects.get()
    body = {"kind": "lot_certificate", "certification": "", "lot": lot.pk, "sanitization": "", "file": upload()}
    response = client.post(reverse("admin:circularity_evidencefile_add"), body)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lot.refresh_from_db()
    assert lot.closed_at is not None
    found = EvidenceFile.objects.get()
    page = client.get(reverse("admin:circularity_lot_change", args=[lot.pk])).content.decode()
    assert found.sha256 in page and reverse("evidence-file-download", kwargs={"pk": found.pk}) in page
    evidence_page = client.get(reverse("admin:circularity_evidencefile_change", args=[found.pk]))
    assert evidence_page.status_code == 200 and found.sha256 in evidence_page.content.decode()
    assert 'name="_save"' not in evidence_page.content.decode()  # read-only: never edited


def test_the_triage_queues_bulk_disposition_meets_the_downstream_gate_and_writes_nothing(client, center):
    from circularity.models import Disposition
    from tests.circularity.admin_support import apply_action, messages_of
    from tests.circularity.helpers import at_center

    VendorFactory(code="UNCERTIFIED", routes=["recycle"])
    assets = [at_center(center, category="psu") for _ in range(2)]
    logged_in(client, TECHNICIAN)
    payload = {"route": "recycle", "center": center.pk, **moment("decided_at", WHEN), "vendor": "UNCERTIFIED"}
    queue = reverse("admin:circularity_assetatcenter_changelist")
    response = apply_action(client, queue, "record_disposition", assets, follow=False, **payload)
    assert response.status_code == 200
    refusals = [m for m in messages_of(response) if "UNCERTIFIED refused" in m]
    assert refusals and all("no R2v3 or e-Stewards certification valid on 2024-06-03" in m for m in refusals)
    assert not Disposition.objects.exists()
