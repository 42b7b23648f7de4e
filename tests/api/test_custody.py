"""Downstream custody through the API (SPEC section 9): vendors, certifications, lots, evidence."""

import datetime as dt
import hashlib

import pytest

from circularity.models import EvidenceFile, Lot, VendorCertification
from inventory.choices import Category
from tests.circularity.custody_support import PDF, certified_vendor, dispositioned, upload
from tests.circularity.helpers import at_center, utc
from tests.factories import CircularCenterFactory, SiteFactory, VendorFactory

pytestmark = pytest.mark.django_db
WHEN = utc(2024, 6, 3, 9)


@pytest.fixture
def center():
    return CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])


def test_vendors_are_created_and_read_by_code_with_their_routes(api):
    body = {"code": "ECOREC-NL", "name": "EcoRec B.V.", "country": "nl", "routes": ["recycle", "resale"]}
    response = api.post("/api/v1/vendors/", body, format="json")
    assert response.status_code == 201, response.json()
    assert api.get("/api/v1/vendors/ECOREC-NL/").json() == {
        "code": "ECOREC-NL",
        "name": "EcoRec B.V.",
        "country": "NL",
        "routes": ["recycle", "resale"],
        "migrated_from_text": False,
        "certifications": [],
    }
    assert api.get("/api/v1/vendors/?route=resale").json()["results"][0]["code"] == "ECOREC-NL"
    reuse = api.post("/api/v1/vendors/", {**body, "code": "X", "routes": ["reuse"]}, format="json")
    assert reuse.status_code == 400
    assert "reuse" in str(reuse.json()["routes"])


def test_a_certification_is_posted_as_json_or_multipart_with_its_certificate(api):
    VendorFactory(code="ECOREC")
    dates = {"valid_from": "2024-01-01", "valid_until": "2026-12-31"}
    plain = api.post(
        "/api/v1/vendors/ECOREC/certifications/",
        {"scheme": "r2v3", "certificate_number": "R2-1", **dates},
        format="json",
    )
    assert plain.status_code == 201, plain.json()
    assert plain.json()["evidence"] == []
    with_file = api.post(
        "/api/v1/vendors/ECOREC/certifications/",
        {"scheme": "e_stewards", "certificate_number": "ES-9", **dates, "file": upload()},
        format="multipart",
    )
    assert with_file.status_code == 201, with_file.json()
    (evidence,) = with_file.json()["evidence"]
    assert evidence["sha256"] == hashlib.sha256(PDF).hexdigest()
    downloaded = api.get(evidence["download"])
    assert downloaded.status_code == 200
    body = downloaded.content
    assert hashlib.sha256(body).hexdigest() == evidence["sha256"] == downloaded["X-Checksum-SHA256"]
    assert 'filename="certificate.pdf"' in downloaded["Content-Disposition"]
    schemes = [c["scheme"] for c in api.get("/api/v1/vendors/ECOREC/").json()["certifications"]]
    assert sorted(schemes) == ["e_stewards", "r2v3"]


def test_a_certification_with_a_bad_file_is_refused_with_a_400_and_nothing_is_written(api, settings):
    VendorFactory(code="ECOREC")
    body = {"scheme": "r2v3", "certificate_number": "R2-1", "valid_from": "2024-01-01", "valid_until": "2026-12-31"}
    response = api.post(
        "/api/v1/vendors/ECOREC/certifications/",
        {**body, "file": upload(b"MZ\x90\x00 not a pdf", "cert.pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "file": ["Upload a PDF, PNG or JPEG file; this one is none of them (judged by its content)."]
    }
    settings.EVIDENCE_MAX_BYTES = 10
    too_big = api.post("/api/v1/vendors/ECOREC/certifications/", {**body, "file": upload()}, format="multipart")
    assert too_big.status_code == 400
    assert too_big.json() == {"file": [f"The file is {len(PDF)} bytes; evidence files may be at most 10 bytes."]}
    backwards = api.post("/api/v1/vendors/ECOREC/certifications/", {**body, "valid_until": "2023-12-31"}, format="json")
    assert backwards.status_code == 400
    assert not VendorCertification.objects.exists() and not EvidenceFile.objects.exists()


def test_a_disposition_names_its_vendor_by_code_and_a_refusal_is_a_409_naming_vendor_route_and_what_is_missing(
    api, center
):
    VendorFactory(code="UNCERTIFIED", routes=["recycle"])
    asset = at_center(center, category=Category.PSU)
    body = {"asset": asset.serial_number, "center": "AMS-CC", "route": "recycle", "decided_at": "2024-06-03T09:00Z"}
    refused = api.post("/api/v1/dispositions/", {**body, "vendor": "UNCERTIFIED"}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "downstream_refused",
        "detail": "Route recycle with vendor UNCERTIFIED refused: it holds no R2v3 or e-Stewards certification "
        "valid on 2024-06-03.",
        "vendor": "UNCERTIFIED",
        "route": "recycle",
        "missing": "it holds no R2v3 or e-Stewards certification valid on 2024-06-03",
        "schemes": ["e_stewards", "r2v3"],
    }
    nobody = api.post("/api/v1/dispositions/", body, format="json")
    assert nobody.status_code == 409
    assert nobody.json()["vendor"] == ""
    unknown = api.post("/api/v1/dispositions/", {**body, "vendor": "NOPE"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"vendor": ["No vendor has code 'NOPE'."]}
    certified_vendor(code="CERTIFIED")
    done = api.post("/api/v1/dispositions/", {**body, "vendor": "CERTIFIED"}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()[0]["vendor"] == "CERTIFIED"


def test_onsite_routes_are_read_and_written_on_circular_centers(api, center):
    response = api.patch("/api/v1/circular-centers/AMS-CC/", {"onsite_routes": ["recycle"]}, format="json")
    assert response.status_code == 200
    assert response.json()["onsite_routes"] == ["recycle"]
    reuse = api.patch("/api/v1/circular-centers/AMS-CC/", {"onsite_routes": ["reuse"]}, format="json")
    assert reuse.status_code == 400


def test_a_lot_is_created_weighed_and_closed_by_its_certificate(api, center):
    vendor = certified_vendor()
    rows = dispositioned(center, vendor, [40, 60], WHEN)
    body = {
        "code": "AMS-2024-0001",
        "center": "AMS-CC",
        "vendor": "RECYCLER",
        "route": "recycle",
        "seal_number": "SEAL-778",
        "shipped_at": "2024-06-04T08:00:00Z",
        "gross_kg": "131.000",
        "tare_kg": "25.000",
        "dispositions": [row.pk for row in rows],
    }
    created = api.post("/api/v1/lots/", body, format="json")
    assert created.status_code == 201, created.json()
    lot = created.json()
    assert {k: lot[k] for k in ("net_kg", "recorded_kg", "difference_kg", "outside_tolerance", "closed")} == {
        "net_kg": 106.0,
        "recorded_kg": 100.0,
        "difference_kg": 6.0,
        "outside_tolerance": True,
        "closed": False,
    }
    assert lot["dispositions"] == sorted(row.pk for row in rows)
    assert api.get("/api/v1/lots/?closed=false").json()["results"][0]["code"] == "AMS-2024-0001"
    certificate = api.post(
        "/api/v1/evidence-files/",
        {"kind": "lot_certificate", "lot": "AMS-2024-0001", "file": upload(name="cor-0001.pdf")},
        format="multipart",
    )
    assert certificate.status_code == 201, certificate.json()
    assert certificate.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    closed = api.get("/api/v1/lots/AMS-2024-0001/").json()
    assert closed["closed"] is True
    assert [c["sha256"] for c in closed["certificates"]] == [hashlib.sha256(PDF).hexdigest()]
    assert api.get("/api/v1/lots/?closed=false").json()["results"] == []


def test_a_lot_mixing_vendors_is_a_409_and_nothing_is_written(api, center):
    ours, theirs = certified_vendor(), certified_vendor(code="OTHER")
    rows = dispositioned(center, ours, [10], WHEN) + dispositioned(center, theirs, [10], WHEN)
    body = {
        "code": "MIXED",
        "center": "AMS-CC",
        "vendor": "RECYCLER",
        "route": "recycle",
        "shipped_at": "2024-06-04T08:00:00Z",
        "gross_kg": "30",
        "tare_kg": "10",
        "dispositions": [row.pk for row in rows],
    }
    response = api.post("/api/v1/lots/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "lot_refused"
    assert response.json()["dispositions"] == [rows[1].pk]
    assert not Lot.objects.exists()


def test_evidence_files_cannot_be_replaced_or_edited(api, center):
    vendor = certified_vendor()
    certification = vendor.certifications.get()
    posted = api.post(
        "/api/v1/evidence-files/",
        {"kind": "vendor_certification", "certification": certification.pk, "file": upload()},
        format="multipart",
    )
    assert posted.status_code == 201, posted.json()
    url = f"/api/v1/evidence-files/{posted.json()['id']}/"
    assert api.put(url, {"kind": "vendor_certification", "file": upload()}, format="multipart").status_code == 405
    assert api.patch(url, {"file": upload()}, format="multipart").status_code == 405
    assert api.delete(url).status_code == 405
    wrong = api.post(
        "/api/v1/evidence-files/",
        {"kind": "lot_certificate", "certification": certification.pk, "file": upload()},
        format="multipart",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"lot": ["Evidence of kind lot_certificate names its lot."]}


def test_evidence_is_downloaded_as_received(api, center):
    vendor = certified_vendor()
    certification = vendor.certifications.get()
    content = PDF + b"% signed by the recycler\n"
    posted = api.post(
        "/api/v1/evidence-files/",
        {"kind": "vendor_certification", "certification": certification.pk, "file": upload(content, "r2.pdf")},
        format="multipart",
    ).json()
    response = api.get(f"/api/v1/evidence-files/{posted['id']}/download/")
    assert response.content == content
    assert response["Content-Type"] == "application/pdf"
    assert api.get(f"/api/v1/evidence-files/?sha256={posted['sha256']}").json()["results"][0]["id"] == posted["id"]
    assert posted["received_at"] is not None and posted["uploaded_by"] == "admin"
    assert dt.datetime.fromisoformat(posted["received_at"].replace("Z", "+00:00")).tzinfo is not None
