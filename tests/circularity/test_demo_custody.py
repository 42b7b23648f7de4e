"""The demo's downstream custody (seed_demo): vendors with realistic certifications, lots with
weight tickets (a few outside tolerance), certificates as small PDF evidence files."""

import datetime as dt
import hashlib

import pytest
from django.db import transaction

from circularity import evidence
from circularity.choices import EvidenceKind
from circularity.demo import load_demo_fleet
from circularity.downstream import required_schemes
from circularity.metrics.lots import with_weights
from circularity.models import Disposition, EvidenceFile, Lot, VendorCertification
from circularity.periods import to_utc
from circularity.report_lots import lots_awaiting_certificate
from circularity.vendors import certifications_expiring

pytestmark = [pytest.mark.slow]

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_demo_fleet(servers=20, seed=7, as_of=AS_OF)
        yield summary
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_demo_disposition_leaving_with_a_vendor_passed_the_gate(demo):
    named = Disposition.objects.filter(vendor__isnull=False)
    assert named.exists()
    assert not Disposition.objects.exclude(route="reuse").filter(vendor__isnull=True).exists()
    for row in named.values("vendor_id", "decided_at").distinct()[:200]:
        day = row["decided_at"].date()
        assert VendorCertification.objects.filter(
            vendor_id=row["vendor_id"], scheme__in=required_schemes(), valid_from__lte=day, valid_until__gte=day
        ).exists()


@pytest.mark.django_db
def test_one_certification_expires_soon_and_one_has_expired(demo):
    soon = certifications_expiring(AS_OF)
    assert [c.vendor.code for c in soon] == ["TAILSPIN-METALS"]
    expired = VendorCertification.objects.filter(valid_until__lt=AS_OF, valid_until__gte=AS_OF - dt.timedelta(60))
    assert {c.vendor.code for c in expired} == {"WOODGROVE-EWASTE", "PROSEWARE-SALVAGE"}


@pytest.mark.django_db
def test_lots_have_weight_tickets_a_few_outside_tolerance_and_some_await_their_certificate(demo):
    weighed = with_weights(Lot.objects.all())
    assert weighed.count() >= 5  # 20 servers: one lot per center, vendor, route and month
    outside = weighed.filter(outside_tolerance=True).count()
    assert 0 < outside < weighed.count() / 2
    assert Lot.objects.filter(closed_at__isnull=False).exists()
    assert lots_awaiting_certificate(as_of=to_utc(AS_OF), days=60).total >= 1


@pytest.mark.django_db
def test_certificates_are_small_pdfs_whose_checksum_holds(demo):
    files = EvidenceFile.objects.all()
    assert files.filter(kind=EvidenceKind.LOT_CERTIFICATE).exists()
    assert files.filter(kind=EvidenceKind.VENDOR_CERTIFICATION).exists()
    for found in files[:5]:
        assert found.content_type == "application/pdf" and found.size_bytes < 10_000
        assert evidence.sha256_of_stored(found) == found.sha256
        with found.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == found.sha256
