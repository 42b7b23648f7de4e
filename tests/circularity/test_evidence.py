"""Evidence files (SPEC section 9): sniffed type, size limit, SHA-256, never overwritten."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from assetlife.storage import S3, evidence_storage_config
from circularity import evidence
from circularity.choices import EvidenceKind
from circularity.errors import EvidenceRefused
from circularity.models import EvidenceFile, Lot
from inventory.append_only import AppendOnlyError
from tests.circularity.custody_support import JPEG, PDF, PNG, certified_vendor, dispositioned, lot_of, upload
from tests.circularity.helpers import utc
from tests.factories import CircularCenterFactory, SiteFactory, VendorCertificationFactory

pytestmark = pytest.mark.django_db
WHEN = utc(2024, 6, 3, 9)


@pytest.fixture
def certification():
    return VendorCertificationFactory()


def receive(certification, content=PDF, name="r2v3.pdf", **kwargs):
    return evidence.evidence_receive(
        upload=upload(content, name), kind=EvidenceKind.VENDOR_CERTIFICATION, certification=certification, **kwargs
    )


@pytest.mark.parametrize("content, content_type", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_the_sha256_is_computed_on_upload_and_matches_the_stored_file(certification, content, content_type):
    stored = receive(certification, content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert (stored.size_bytes, stored.content_type, stored.original_name) == (len(content), content_type, "r2v3.pdf")
    assert evidence.sha256_of_stored(stored) == stored.sha256
    with stored.file.open("rb") as handle:
        assert handle.read() == content


def test_two_uploads_of_one_name_are_two_files_and_neither_is_overwritten(certification):
    first = receive(certification, PDF)
    second = receive(certification, PDF + b"% second\n")
    assert first.file.name != second.file.name
    assert first.file.name.startswith("vendor_certification/") and first.file.name.endswith(".pdf")
    assert evidence.sha256_of_stored(first) == hashlib.sha256(PDF).hexdigest()


def test_a_stored_name_is_never_reused(certification, monkeypatch):
    first = receive(certification)
    taken = first.file.name.rsplit("/", 1)[-1].removesuffix(".pdf")
    monkeypatch.setattr(evidence.uuid, "uuid4", lambda: type("U", (), {"hex": taken})())
    with pytest.raises(EvidenceRefused, match="never replaced"):
        evidence.evidence_receive(
            upload=upload(PDF),
            kind=EvidenceKind.VENDOR_CERTIFICATION,
            certification=certification,
            received_at=first.received_at,
        )
    assert EvidenceFile.objects.count() == 1
    assert evidence.sha256_of_stored(first) == first.sha256


def test_an_evidence_record_is_never_edited(certification):
    stored = receive(certification)
    stored.original_name = "replaced.pdf"
    with pytest.raises(AppendOnlyError):
        stored.save()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"GIF89a....", "Upload a PDF, PNG or JPEG file; this one is none of them (judged by its content)."),
        (b"<html>%PDF-1.4", "Upload a PDF, PNG or JPEG file; this one is none of them (judged by its content)."),
        (b"", "The file is empty."),
    ],
    ids=["gif", "html-named-pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_png_or_jpeg_is_refused(certification, content, message):
    with pytest.raises(EvidenceRefused) as refused:
        receive(certification, content)
    assert (refused.value.field, refused.value.sentence) == ("file", message)
    assert not EvidenceFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(certification, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assert receive(certification, PDF + b"0" * (1024 - len(PDF))).size_bytes == 1024
    with pytest.raises(EvidenceRefused, match="The file is 1025 bytes; evidence files may be at most 1024 bytes."):
        receive(certification, PDF + b"0" * (1025 - len(PDF)))


def test_evidence_proves_exactly_one_thing(certification):
    with pytest.raises(EvidenceRefused, match="name it alone"):
        evidence.evidence_receive(upload=upload(), kind=EvidenceKind.LOT_CERTIFICATE, certification=certification)


def test_a_lots_certificate_closes_it_when_received():
    center = CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])
    vendor = certified_vendor()
    lot = lot_of(center, vendor, dispositioned(center, vendor, [10], WHEN), gross="20")
    assert lot.closed_at is None
    received = utc(2024, 7, 1, 8)
    evidence.evidence_receive(upload=upload(), kind=EvidenceKind.LOT_CERTIFICATE, lot=lot, received_at=received)
    lot.refresh_from_db()
    assert lot.closed_at == received
    with pytest.raises(EvidenceRefused, match="has not shipped yet"):
        evidence.evidence_receive(
            upload=upload(), kind=EvidenceKind.LOT_CERTIFICATE, lot=lot, received_at=lot.shipped_at - dt.timedelta(1)
        )
    assert Lot.objects.get().closed_at == received


def test_the_default_storage_is_the_file_system_under_var(tmp_path):
    config = evidence_storage_config("", tmp_path / "evidence")
    assert config == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
    }


def test_an_s3_url_configures_a_private_bucket_that_never_overwrites(settings):
    url = "s3://assetlife-evidence/prod/certs?endpoint_url=https://minio.example:9000&region=eu-west-1"
    config = evidence_storage_config(url, None)
    assert config == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "assetlife-evidence",
            "location": "prod/certs",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "endpoint_url": "https://minio.example:9000",
            "region_name": "eu-west-1",
        },
    }
    settings.STORAGES = {**settings.STORAGES, "evidence": config}
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    from circularity.models import evidence_storage

    assert isinstance(storages["evidence"], S3Storage)
    storage = evidence_storage()  # what the model's FileField reads and writes through
    assert (storage.bucket_name, storage.location) == ("assetlife-evidence", "prod/certs")
    assert storage.file_overwrite is False
    assert storage.endpoint_url == "https://minio.example:9000"


@pytest.mark.parametrize("url", ["ftp://host/x", "s3:///prefix", "s3://bucket?acl=public-read"])
def test_a_storage_url_it_cannot_use_is_refused_at_start(url):
    with pytest.raises(ImproperlyConfigured):
        evidence_storage_config(url, None)
