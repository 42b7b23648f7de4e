"""The downstream gate (SPEC section 9): who may take a disposition out of a circular center."""

import datetime as dt

import pytest

from circularity import dispositions
from circularity.choices import CertificationScheme, Route
from circularity.errors import DownstreamRefused
from circularity.models import Disposition
from inventory.choices import Category, Source, Status
from tests.circularity.helpers import at_center, utc
from tests.factories import CircularCenterFactory, SiteFactory, VendorCertificationFactory, VendorFactory

pytestmark = pytest.mark.django_db
DECIDED = utc(2024, 5, 10, 15, 30)
DAY = DECIDED.date()


@pytest.fixture
def center():
    site = SiteFactory(code="AMS05")
    return CircularCenterFactory(code="AMS-CC", sites=[site], onsite_routes=[])


def psu(center):
    return at_center(center, category=Category.PSU, mass_kg="1.5")


def decide(asset, center, route=Route.RECYCLE, vendor=None, **kwargs):
    return dispositions.record_disposition(
        asset=asset, center=center, route=route, decided_at=DECIDED, vendor=vendor, source=Source.API, **kwargs
    )


def certified(code="RECYCLER", routes=(Route.RECYCLE,), scheme=CertificationScheme.R2V3, **validity):
    vendor = VendorFactory(code=code, routes=list(routes))
    VendorCertificationFactory(vendor=vendor, scheme=scheme, certificate_number=f"{scheme}-1", **validity)
    return vendor


def refused(asset, center, **kwargs) -> DownstreamRefused:
    with pytest.raises(DownstreamRefused) as caught:
        decide(asset, center, **kwargs)
    assert not Disposition.objects.exists()
    asset.refresh_from_db()
    assert asset.status == Status.AT_CIRCULAR_CENTER
    return caught.value


def test_a_certified_vendor_that_takes_the_route_is_recorded_on_the_disposition(center):
    vendor = certified()
    (row,) = decide(psu(center), center, vendor="RECYCLER")
    assert row.vendor == vendor


def test_a_vendor_that_does_not_take_the_route_is_refused_naming_vendor_and_route(center):
    certified(routes=(Route.RESALE,))
    error = refused(psu(center), center, vendor="RECYCLER")
    assert (error.vendor, error.route) == ("RECYCLER", Route.RECYCLE)
    assert error.as_dict()["missing"] == "vendor RECYCLER does not take recycle (its routes: resale)"


def test_a_certification_that_expired_the_day_before_the_decision_is_refused(center):
    certified(valid_from=dt.date(2021, 5, 10), valid_until=DAY - dt.timedelta(days=1))
    error = refused(psu(center), center, vendor="RECYCLER")
    assert error.as_dict() == {
        "code": "downstream_refused",
        "detail": "Route recycle with vendor RECYCLER refused: its R2v3 certification r2v3-1 expired on "
        "2024-05-09, before 2024-05-10; a valid R2v3 or e-Stewards certification is required.",
        "vendor": "RECYCLER",
        "route": "recycle",
        "missing": "its R2v3 certification r2v3-1 expired on 2024-05-09, before 2024-05-10; a valid R2v3 or "
        "e-Stewards certification is required",
        "schemes": ["e_stewards", "r2v3"],
    }


@pytest.mark.parametrize(
    "valid_from, valid_until",
    [(DAY, DAY + dt.timedelta(days=365)), (DAY - dt.timedelta(days=365), DAY)],
    ids=["starts-that-day", "ends-that-day"],
)
def test_a_certification_valid_on_the_day_of_the_decision_counts_both_ends_included(center, valid_from, valid_until):
    certified(valid_from=valid_from, valid_until=valid_until)
    assert len(decide(psu(center), center, vendor="RECYCLER")) == 1


def test_a_certification_that_starts_the_day_after_is_refused(center):
    certified(valid_from=DAY + dt.timedelta(days=1), valid_until=DAY + dt.timedelta(days=400))
    error = refused(psu(center), center, vendor="RECYCLER")
    assert error.missing == "it holds no R2v3 or e-Stewards certification valid on 2024-05-10"


def test_a_certification_of_a_scheme_not_required_does_not_qualify(center):
    certified(scheme=CertificationScheme.ISO14001)
    error = refused(psu(center), center, vendor="RECYCLER")
    assert error.missing == "it holds no R2v3 or e-Stewards certification valid on 2024-05-10"
    assert error.schemes == ["e_stewards", "r2v3"]


def test_the_required_schemes_are_a_setting(center, settings):
    settings.DOWNSTREAM_REQUIRED_SCHEMES = ["iso14001"]
    certified(scheme=CertificationScheme.ISO14001)
    assert len(decide(psu(center), center, vendor="RECYCLER")) == 1


def test_no_vendor_is_refused_unless_the_center_carries_the_route_out_itself(center):
    error = refused(psu(center), center, vendor=None)
    assert (error.vendor, error.route) == ("", Route.RECYCLE)
    assert "circular center AMS-CC does not carry out recycle itself (onsite routes: none)" in error.missing
    center.onsite_routes = [Route.RECYCLE]
    center.save()
    (row,) = decide(psu(center), center, vendor=None)
    assert row.vendor is None


def test_an_onsite_route_does_not_excuse_a_named_vendor(center):
    center.onsite_routes = [Route.RECYCLE]
    center.save()
    VendorFactory(code="UNCERTIFIED", routes=[Route.RECYCLE])
    error = refused(psu(center), center, vendor="UNCERTIFIED")
    assert error.vendor == "UNCERTIFIED"


def test_reuse_names_no_vendor(center):
    certified(routes=(Route.RECYCLE, Route.RESALE))
    asset = psu(center)
    error = refused(asset, center, route=Route.REUSE, vendor="RECYCLER", to_site=asset.site)
    assert error.missing == "reuse goes back into the fleet and names no vendor"
    assert len(decide(asset, center, route=Route.REUSE, to_site=asset.site)) == 1


def test_an_unknown_vendor_code_is_refused(center):
    error = refused(psu(center), center, vendor="NOPE")
    assert error.missing == "there is no vendor with code 'NOPE'"


def test_the_gate_is_checked_before_anything_is_locked_or_written(center, django_assert_max_num_queries):
    asset = psu(center)
    VendorFactory(code="UNCERTIFIED", routes=[Route.RECYCLE])
    with django_assert_max_num_queries(3), pytest.raises(DownstreamRefused):
        decide(asset, center, vendor="UNCERTIFIED")


def test_the_dashboard_lists_certifications_expiring_in_the_next_60_days(client):
    from django.urls import reverse
    from django.utils import timezone

    from tests.circularity.admin_support import ANALYST, logged_in

    today = timezone.now().date()
    soon = certified(code="SOON", valid_until=today + dt.timedelta(days=60))
    certified(code="LATER", valid_until=today + dt.timedelta(days=61))
    certified(code="GONE", valid_until=today - dt.timedelta(days=1))
    renewed = certified(code="RENEWED", valid_until=today + dt.timedelta(days=5))
    VendorCertificationFactory(
        vendor=renewed,
        certificate_number="NEXT",
        valid_from=today + dt.timedelta(days=6),
        valid_until=today.replace(year=today.year + 3),
    )
    logged_in(client, ANALYST)
    response = client.get(reverse("circularity:dashboard"))
    listed = [(c.vendor.code, c.renewed) for c in response.context["expiring_certifications"]]
    assert listed == [("RENEWED", True), ("SOON", False)]
    page = response.content.decode()
    assert "Vendor certifications expiring in the next 60 days" in page
    assert soon.certifications.get().certificate_number in page
